/**
 * `atrest reencrypt`: rewrite a running etcd's stale values under the config's write key.
 * @module
 */
import { resolveResource, toYamlDocument } from '@atrest/audit';
import type { ReencryptProgress, ReencryptReport } from '@atrest/reencrypt';
import { outputFormat, parse } from '../_args.js';
import { CONFIG_FLAGS, loadConfigFlags } from '../_config.js';
import { Exit, UsageError } from '../_errors.js';
import type { CliIO } from '../_io.js';
import { LIVE_FLAGS, LIVE_USAGE, openLive } from '../_live.js';

export const reencryptUsage = `atrest reencrypt --endpoints URL --config FILE [--resource RESOURCE]... [--dry-run] [--rate N]
                 [--concurrency N] [--force] [-o table|json|yaml] [--kms-mock NAME=base64[:KEYID]]...
  Rewrites every latest value of the selected resources (default: every resource a rule of the
  config covers) that the config reads as stale (not under the first provider and key, a kms v2
  key ID that is not the plugin's current one, or plaintext where the first provider encrypts).
  Each value is decrypted, encrypted with the write provider, read back to the identical
  plaintext, and written in one transaction: If(mod_revision == seen) Then(Put(value, same
  lease)). A key written meanwhile is read and decided again, never overwritten. Undecryptable
  and undecodable values are listed and left alone. Stopping it at any moment loses nothing; run it
  again to finish. Precondition (upstream's): every kube-apiserver can already read the new write
  key. Before any write it stops when the config cannot write (a KMS plugin that does not answer)
  or when most sampled values of a provider key cannot be decrypted (the wrong config; --force).
  --dry-run counts what would be rewritten and writes nothing. Exit status: 0 when every selected
  value is current (a dry run: would be); 3 when values are left (listed); 1 on failure; 2 for a
  command-line mistake.
${LIVE_USAGE}`;

/** Run `atrest reencrypt`. */
export async function reencryptCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parse(argv, {
    ...CONFIG_FLAGS,
    resource: { type: 'string', multiple: true },
    'dry-run': { type: 'boolean', default: false },
    rate: { type: 'string' },
    concurrency: { type: 'string' },
    force: { type: 'boolean', default: false },
    output: { type: 'string', short: 'o', default: 'table' },
    ...LIVE_FLAGS,
  });
  const output = outputFormat(values.output, ['table', 'json', 'yaml']);
  const positive = (v: string | undefined, flag: string): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!/^[0-9]+(\.[0-9]+)?$/.test(v) || !(n > 0)) throw new UsageError(`${flag} takes a positive number, got "${v}"`);
    return n;
  };
  const rate = positive(values.rate, '--rate');
  const concurrency = positive(values.concurrency, '--concurrency');
  if (concurrency !== undefined && !Number.isSafeInteger(concurrency)) throw new UsageError(`--concurrency takes a whole number, got "${values.concurrency}"`);
  const resources = (values.resource ?? []).map((r) => resolveResource(r, '--resource').groupResource);
  const config = await loadConfigFlags(values);
  const { reencrypt } = await import('@atrest/reencrypt'); // loaded by this command only (it brings the etcd client)
  const etcd = await openLive(values, io);
  const started = performance.now();
  const showProgress = io.stderrIsTTY;
  try {
    const report = await reencrypt(etcd, {
      config,
      ...(resources.length > 0 ? { resources } : {}),
      dryRun: values['dry-run'] === true,
      force: values.force === true,
      ...(rate === undefined ? {} : { rate }),
      ...(concurrency === undefined ? {} : { concurrency }),
      ...(showProgress ? { onProgress: (p: ReencryptProgress) => io.stderr(progressLine(p, started)) } : {}),
    });
    if (showProgress) io.stderr('\n');
    const doc = { schema: 'atrest.reencrypt/v1', ...report };
    io.stdout(output === 'json' ? `${JSON.stringify(doc, null, 2)}\n` : output === 'yaml' ? toYamlDocument(JSON.parse(JSON.stringify(doc))) : renderReport(report));
    const left = report.skipped.length + (report.dryRun ? report.rewritten : 0);
    return left > 0 ? 3 : Exit.Ok;
  } finally {
    etcd.close();
  }
}

/** `\r` progress: keys read of the total, values rewritten, rate and time left. */
function progressLine(p: ReencryptProgress, started: number): string {
  const seconds = (performance.now() - started) / 1000;
  const rate = p.scanned / Math.max(seconds, 0.001);
  const eta = p.total > p.scanned ? Math.round((p.total - p.scanned) / Math.max(rate, 1)) : 0;
  const pct = p.total === 0 ? 100 : Math.floor((100 * p.scanned) / p.total);
  return `\ratrest reencrypt: ${pct}% (${p.scanned}/${p.total} keys), ${p.rewritten} rewritten, ${p.current} current, ${p.skipped} left, ${Math.round(rate)} keys/s, ${eta} s left   `;
}

/** The final report for people. */
export function renderReport(r: ReencryptReport): string {
  const verb = r.dryRun ? 'would rewrite' : 'rewritten';
  const lines = [
    `${r.dryRun ? 'DRY RUN (nothing written): ' : ''}read at revision ${r.revision}: ${r.scanned} keys, ${r.selected} selected`,
    `${verb}: ${r.rewritten}; already current: ${r.current}; left as they were: ${r.skipped.length}${r.conflicts > 0 ? `; conflicts re-checked: ${r.conflicts}` : ''}${r.deletedMeanwhile > 0 ? `; deleted meanwhile: ${r.deletedMeanwhile}` : ''}`,
    '',
    'resource'.padEnd(36) + 'selected'.padStart(10) + verb.padStart(15) + 'current'.padStart(10) + 'left'.padStart(8),
    ...Object.keys(r.byResource)
      .sort()
      .map((gr) => {
        const c = r.byResource[gr] as { selected: number; rewritten: number; current: number; skipped: number };
        return gr.padEnd(36) + String(c.selected).padStart(10) + String(c.rewritten).padStart(15) + String(c.current).padStart(10) + String(c.skipped).padStart(8);
      }),
  ];
  const moves = Object.keys(r.rewrites).sort();
  if (moves.length > 0) lines.push('', `${verb} by provider key:`, ...moves.map((m) => `  ${m}: ${r.rewrites[m]}`));
  if (r.skipped.length > 0) {
    lines.push('', 'Left as they were:');
    for (const s of r.skipped) lines.push(`  ${s.key}${s.keyBase64 === undefined ? '' : ` (bytes ${s.keyBase64})`} @${s.revision}  ${s.from}  ${s.reason}: ${s.detail}`);
  }
  if (!r.dryRun && r.rewritten > 0) {
    lines.push(
      '',
      'Old revisions still hold the previous bytes until etcd compacts them (kube-apiserver compacts every',
      '5 minutes by default), and the database file keeps them in free pages until `etcdctl defrag`.',
      '`atrest audit --endpoints … --history` shows what old revisions still need.',
    );
  }
  return `${lines.join('\n')}\n`;
}
