/**
 * `atrest audit`: what an etcd backup or a running etcd holds, under an EncryptionConfiguration.
 * @module
 */
import { statSync } from 'node:fs';
import { toAtrestError } from '@atrest/core';
import { auditRevisions, auditSnapshot, type AuditReport, renderJson, renderTable, resolveResource, toYamlDocument } from '@atrest/audit';
import { openSnapshotFile } from '../_snapshot.js';
import { outputFormat, parse } from '../_args.js';
import { LIVE_FLAGS, LIVE_USAGE, liveRevisions, liveSourceFacts, openLive, snapshotOrLive, withCompactionRetry } from '../_live.js';
import { CONFIG_FLAGS, loadConfigFlags } from '../_config.js';
import { Exit, UsageError } from '../_errors.js';
import { auditTmpDir, type CliIO } from '../_io.js';

export const auditUsage = `atrest audit SNAPSHOT|--endpoints URL --config FILE [-o table|json|yaml] [--history] [--limit N] [--resource RESOURCE]
             [--free-pages] [--fail-on plaintext,stale,undecryptable,residue-plaintext] [--kms-mock NAME=base64[:KEYID]]...
             [--keys-in-memory N]
  Reads an etcd snapshot file (etcdctl snapshot save), or a running etcd, and reports, per resource and per
  provider key, how many latest values are encrypted, stale, plaintext or undecryptable; old
  revisions still in the file (--history lists them one by one); the KMS v2 inventory; and which
  keys are still needed. Values are never printed. A damaged tree inside the file (a bad page, a
  revision that does not decode) does not stop the audit: the damaged parts are skipped and listed
  first, with page and byte offset. Exit status: 0; 3 when a --fail-on category is present; 4 when
  parts of the snapshot were damaged and skipped (the report is printed, its counts are lower
  bounds); 1 when the snapshot cannot be read at all (not bbolt, no valid meta page, SHA-256
  trailer mismatch).
  --limit N lists at most N findings per section of the table (default 50; 0: all); -o json lists all.
  --skip-hash-check (as etcdutl's): a SHA-256 trailer that does not match the file is reported as
  damage and the audit goes on (exit 4), instead of no report at all.
  --free-pages also reads the snapshot's free pages: compaction unlinks old revisions from the
  tree, but their bytes stay in the file (and in every backup) until \`etcdctl defrag\`. Each
  residual revision is classified like the rest and counts toward the keys still needed;
  --fail-on residue-plaintext exits 3 when plaintext remains there.
  --max-config-bytes N caps the config file (default 4 MiB).
  --keys-in-memory N keeps what the audit knows of at most N keys in memory (default 250000, about
  16 MB). Past it, that state (key names, revision numbers, classifications: never values) moves to
  temporary files in $TMPDIR, tens of bytes per revision, which are deleted as soon as they are made
  and freed when the audit ends, however it ends. The report is the same.
  A running etcd is read at one revision (its latest values; with --history also every older
  revision etcd still has), and the report is the one a snapshot taken at that revision gives.
  Without --history no key is called removable: older revisions may still need it. A revision
  compacted during the read is read again at the newest revision.
${LIVE_USAGE}`;

const CATEGORIES = ['plaintext', 'stale', 'undecryptable', 'residue-plaintext'] as const;

/** Run `atrest audit`. */
export async function auditCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      ...CONFIG_FLAGS,
      output: { type: 'string', short: 'o', default: 'table' },
      history: { type: 'boolean', default: false },
      'free-pages': { type: 'boolean', default: false },
      'skip-hash-check': { type: 'boolean', default: false },
      limit: { type: 'string' },
      resource: { type: 'string' },
      'fail-on': { type: 'string' },
      'keys-in-memory': { type: 'string' },
      ...LIVE_FLAGS,
    },
    true,
  );
  const live = snapshotOrLive('audit', positionals, values, io);
  if (live && values['free-pages'] === true) throw new UsageError('--free-pages reads a snapshot file; a live audit reports the database bytes not in use in its header');
  const output = outputFormat(values.output, ['table', 'json', 'yaml']);
  const failOn = (values['fail-on'] ?? '').split(',').filter((s) => s !== '');
  for (const f of failOn) if (!(CATEGORIES as readonly string[]).includes(f)) throw new UsageError(`--fail-on takes ${CATEGORIES.join(',')}, got "${f}"`);
  const config = await loadConfigFlags(values);
  const resource = values.resource === undefined ? {} : { resource: resolveResource(values.resource, '--resource').groupResource };
  const history = values.history === true;
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!/^[0-9]+$/.test(values.limit as string) || !Number.isSafeInteger(limit))) throw new UsageError(`--limit takes a number of findings (0: all), got "${values.limit}"`);
  const keysInMemory = values['keys-in-memory'];
  if (keysInMemory !== undefined && (!/^[0-9]+$/.test(keysInMemory) || !Number.isSafeInteger(Number(keysInMemory)))) {
    throw new UsageError(`--keys-in-memory takes a number of keys, got "${keysInMemory}"`);
  }
  const memory = { ...(keysInMemory === undefined ? {} : { keysInMemory: Number(keysInMemory) }), ...auditTmpDir(io) };
  const finish = (report: AuditReport): number => {
    io.stdout(output === 'json' ? renderJson(report) : output === 'yaml' ? toYamlDocument(JSON.parse(renderJson(report))) : renderTable(report, { history, limit }));
    if (resource.resource !== undefined && report.totals.keys.present + report.totals.keys.deleted === 0) {
      io.stderr(`atrest audit: nothing matched --resource ${resource.resource}: no key of it is in the ${report.source.kind === 'etcd' ? 'etcd keyspace' : 'snapshot'}\n`);
    }
    const t = report.totals;
    const present: Record<string, number> = {
      plaintext: t.latest.byStatus.plaintext + (history ? t.history.plaintextRevisionsOfKeysNowEncrypted.length : 0),
      stale: t.latest.stale,
      undecryptable: t.latest.byStatus.undecryptable + (history ? (t.history.byStatus.undecryptable ?? 0) : 0),
      'residue-plaintext': report.freePages?.totals.byStatus.plaintext ?? 0,
    };
    const failed = failOn.filter((f) => (present[f] ?? 0) > 0);
    if (report.damage !== undefined) {
      io.stderr(`atrest audit: the snapshot is damaged: ${report.damage.count} area(s) skipped (listed in the report); counts are lower bounds\n`);
      return Exit.Damaged;
    }
    if (failed.length > 0) {
      io.stderr(`atrest audit: failing on ${failed.map((f) => `${f} (${present[f]})`).join(', ')}\n`);
      return 3;
    }
    return Exit.Ok;
  };
  if (live) {
    const etcd = await openLive(values, io);
    try {
      const report = await withCompactionRetry(etcd, io, 'audit', (facts) => {
        const showProgress = io.stderrIsTTY;
        return auditRevisions(liveRevisions(etcd, facts, history), liveSourceFacts(facts, history), {
          config,
          ...resource,
          ...memory,
          onProgress: ({ revisions, bytes }) => {
            if (showProgress) io.stderr(`\ratrest audit: ${revisions.toLocaleString('en')} revisions, ${(bytes / 2 ** 20).toFixed(0)} MiB of values`);
          },
        }).finally(() => {
          if (showProgress) io.stderr('\r\x1b[K');
        });
      });
      return finish(report);
    } finally {
      etcd.close();
    }
  }
  const file = positionals[0] as string;
  // The SHA-256 trailer is checked on another thread while the audit reads the file (on two
  // cores the hash then costs no time). A mismatch stops the audit and is reported exactly as
  // opening with the check would have reported it, before anything is printed.
  const snapshot = openSnapshotFile(file, { trailer: 'skip', truncated: 'tolerate' });
  try {
    const info = snapshot.info();
    if (info.trailer.present === false) io.stderr('atrest audit: warning: no SHA-256 trailer (not an etcdctl snapshot, or a copy of a live db): integrity not verified\n');
    let trailerFailure: { error: unknown } | undefined;
    const verified = snapshot.verifyTrailer().then(
      () => undefined,
      (error: unknown) => void (trailerFailure = { error }),
    );
    const skipHashCheck = values['skip-hash-check'] === true;
    const failIfTrailerFailed = (): void => {
      if (trailerFailure !== undefined && !skipHashCheck) throw trailerFailure.error;
    };
    const size = statSync(file).size;
    const showProgress = io.stderrIsTTY && size > 16 * 1024 * 1024;
    const started = performance.now();
    let report;
    try {
      report = await auditSnapshot(snapshot, {
        config,
        salvage: true,
        freePages: values['free-pages'] === true,
        ...resource,
        ...memory,
        onProgress: ({ revisions, bytes }: { revisions: number; bytes: number }) => {
          failIfTrailerFailed();
          if (showProgress) io.stderr(snapshotProgress(revisions, bytes, size, started));
        },
      });
    } catch (err) {
      // A corrupt file usually fails both ways: the trailer's verdict comes first, as before.
      await verified;
      failIfTrailerFailed();
      throw err;
    }
    await verified;
    failIfTrailerFailed();
    if (showProgress) io.stderr('\r\x1b[K');
    if (trailerFailure !== undefined) {
      // --skip-hash-check: the mismatch is damage like any other: listed first, exit 4.
      const e = toAtrestError(trailerFailure.error);
      const area = { reason: `SHA-256 trailer mismatch (--skip-hash-check): ${e.message}; some bytes of the file changed after it was saved`, offset: size - 32 };
      report = { ...report, damage: { count: (report.damage?.count ?? 0) + 1, areas: [area, ...(report.damage?.areas ?? [])] } };
    }
    return finish(report);
  } finally {
    snapshot.close();
  }
}

/**
 * `\r` progress of a snapshot audit: values make up most of a snapshot, so the share of the file's
 * bytes read as values is the fraction done (an estimate, shown with `~`), and the time left
 * follows from the rate so far.
 */
export function snapshotProgress(revisions: number, bytes: number, fileSize: number, started: number): string {
  const fraction = Math.min(0.99, bytes / Math.max(fileSize, 1));
  const seconds = (performance.now() - started) / 1000;
  const left = fraction > 0.01 ? Math.round((seconds * (1 - fraction)) / fraction) : undefined;
  return `\ratrest audit: ~${Math.floor(fraction * 100)}%, ${revisions.toLocaleString('en')} revisions, ${(bytes / 2 ** 20).toFixed(0)} MiB of values, ${Math.round(revisions / Math.max(seconds, 0.001)).toLocaleString('en')}/s${left === undefined ? '' : `, ~${left} s left`}   `;
}
