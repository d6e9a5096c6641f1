/**
 * Audit throughput at scale: N Secrets of ~2 KiB (JSON or protobuf, `scale-secrets.ts`), encrypted
 * by atrest (aesgcm) and written into a real etcd (one put = one revision, as kube-apiserver
 * writes), saved with `etcdctl snapshot save`, then audited. Each audit runs in a fresh process so
 * its peak RSS is its own; each is run several times and the median (by wall time) reported,
 * with CPU time beside it (this machine's neighbours make wall time noisy; CPU time is the cost
 * on one core, the GC's helper threads included).
 *
 *   node benchmarks/dist/audit-scale.js all [--counts 20000,100000,200000] [--encodings json,protobuf]
 *        [--backends native,node,noble] [--runs 3] [--dir DIR] [--write-docs]
 *   node benchmarks/dist/audit-scale.js generate --count N [--out FILE] [--encoding json|protobuf]
 *   node benchmarks/dist/audit-scale.js audit --snapshot FILE [--backend native|node|noble] [--profile]
 *
 * `--profile` adds `cipherShare`: the share of the audit's CPU profile (the audit alone, not the
 * opening) in node:crypto's cipher and the backend's `open`, from which the figure with a faster
 * cipher can be predicted.
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { backendNames, getBackend } from '@atrest/core';
import { loadEncryptionConfiguration } from '@atrest/config';
import { openSnapshot } from '@atrest/etcd-snapshot';
import { auditSnapshot } from '@atrest/audit';
import { isNodeCipher, profiled, share } from './cpu-profile.js';
import { startEtcd } from '@atrest/test-support';
import { putSecrets, SCALE_CONFIG as CONFIG, type Encoding } from './scale-secrets.js';
import { writeSection } from './report.js';


/** Generate a snapshot of `count` secrets. */
export async function generate(count: number, out: string, size = 2048, encoding: Encoding = 'json'): Promise<{ seconds: number; bytes: number }> {
  const start = Date.now();
  const etcd = await startEtcd();
  try {
    await putSecrets(etcd.endpoint, count, CONFIG, 'generate', size, encoding);
    etcd.ctl(['snapshot', 'save', out]);
  } finally {
    await etcd.stop();
  }
  return { seconds: (Date.now() - start) / 1000, bytes: statSync(out).size };
}

/** One audit's figures. */
export interface AuditRow {
  readonly backend: string;
  readonly values: number;
  /** Opening: meta pages, and the SHA-256 trailer over the whole file. */
  readonly openSeconds: number;
  /** `auditSnapshot` alone: wall and CPU (user + system, all threads) seconds. */
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly valuesPerSec: number;
  readonly valuesPerCpuSec: number;
  /** Peak resident set of the process, opening included. */
  readonly maxRssMB: number;
  readonly snapshotMB: number;
  readonly findings: number;
  /** With `profile`: the share of the audit's CPU profile in the cipher. */
  readonly cipherShare?: number;
}

const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/**
 * Audit a snapshot in this process and report throughput and memory.
 * @param profile - also report the share of the audit's CPU profile in the cipher (slower)
 */
export async function auditOnce(file: string, backendName: string, profile = false): Promise<AuditRow> {
  const backend = getBackend(backendName);
  const config = loadEncryptionConfiguration(CONFIG, { backend });
  const t0 = process.hrtime.bigint();
  const snapshot = openSnapshot(file);
  const t1 = process.hrtime.bigint();
  const cpu0 = cpuNow();
  let cipherShare: number | undefined;
  let report;
  if (profile) {
    const p = await profiled(() => auditSnapshot(snapshot, { config }));
    report = p.result;
    cipherShare = Number(share(p.profile, isNodeCipher).toFixed(3));
  } else report = await auditSnapshot(snapshot, { config });
  const cpuSeconds = cpuNow() - cpu0;
  const seconds = Number(process.hrtime.bigint() - t1) / 1e9;
  snapshot.close();
  const values = report.totals.snapshot.putRevisions;
  if (report.totals.latest.byStatus.encrypted !== values) throw new Error('audit-scale: not every value classified as encrypted');
  return {
    backend: backendName,
    values,
    openSeconds: Number((Number(t1 - t0) / 1e9).toFixed(2)),
    seconds: Number(seconds.toFixed(2)),
    cpuSeconds: Number(cpuSeconds.toFixed(2)),
    valuesPerSec: Math.round(values / seconds),
    valuesPerCpuSec: Math.round(values / cpuSeconds),
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    snapshotMB: Math.round(statSync(file).size / 2 ** 20),
    findings: report.findings.length,
    ...(cipherShare === undefined ? {} : { cipherShare }),
  };
}

const self = fileURLToPath(import.meta.url);

function runChild(args: string[]): string {
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 16 << 20 });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim().split('\n').pop() as string;
}

const median = <T>(rows: T[], by: (r: T) => number): T => [...rows].sort((a, b) => by(a) - by(b))[Math.floor(rows.length / 2)] as T;

/** The share of a node-backend audit's CPU profile spent in the cipher (median of `runs` processes). */
export function cipherShare(file: string, runs = 3): number {
  const rows = Array.from({ length: runs }, () => JSON.parse(runChild([self, 'audit', '--snapshot', file, '--backend', 'node', '--profile'])) as AuditRow);
  return median(rows.map((r) => r.cipherShare ?? 0), (x) => x);
}

async function main(): Promise<void> {
  const [command = 'all', ...rest] = process.argv.slice(2);
  const { values } = parseArgs({
    args: rest,
    options: {
      count: { type: 'string', default: '100000' },
      counts: { type: 'string', default: '20000,100000,200000' },
      encoding: { type: 'string', default: 'json' },
      encodings: { type: 'string', default: 'json,protobuf' },
      backends: { type: 'string', default: backendNames().join(',') },
      runs: { type: 'string', default: '3' },
      out: { type: 'string' },
      dir: { type: 'string', default: join(tmpdir(), 'atrest-audit-scale') },
      snapshot: { type: 'string' },
      backend: { type: 'string', default: 'node' },
      profile: { type: 'boolean', default: false },
      'write-docs': { type: 'boolean', default: false },
    },
  });
  const dir = values.dir as string;
  const cached = (count: number, encoding: string): string => join(dir, encoding === 'json' ? `secrets-${count}.db` : `secrets-${encoding}-${count}.db`);
  if (command === 'generate') {
    const encoding = values.encoding as Encoding;
    mkdirSync(dir, { recursive: true });
    const r = await generate(Number(values.count), values.out ?? cached(Number(values.count), encoding), 2048, encoding);
    console.log(JSON.stringify(r));
  } else if (command === 'audit') {
    console.log(JSON.stringify(await auditOnce(values.snapshot as string, values.backend as string, values.profile === true)));
  } else {
    mkdirSync(dir, { recursive: true });
    const rows: (AuditRow & { encoding: string; runs: string })[] = [];
    const shares: string[] = [];
    for (const encoding of (values.encodings as string).split(',')) {
      for (const count of (values.counts as string).split(',').map(Number)) {
        const file = cached(count, encoding);
        if (!existsSync(file)) {
          const g = await generate(count, file, 2048, encoding as Encoding);
          console.error(`generated ${count} ${encoding} secrets in ${g.seconds.toFixed(1)} s (${(g.bytes / 2 ** 20).toFixed(0)} MiB)`);
        }
        for (const backend of (values.backends as string).split(',')) {
          const runs = Array.from({ length: Number(values.runs) }, () => JSON.parse(runChild([self, 'audit', '--snapshot', file, '--backend', backend])) as AuditRow);
          const row = { ...median(runs, (r) => r.seconds), encoding, runs: runs.map((r) => r.valuesPerSec).join(' / ') };
          rows.push(row);
          console.log(JSON.stringify(row));
        }
        if (count === 100000 && (values.backends as string).includes('node')) {
          const s = `${encoding} ${(100 * cipherShare(file)).toFixed(0)}%`;
          shares.push(s);
          console.log(JSON.stringify({ cipherShare: s }));
        }
      }
    }
    if (values['write-docs']) {
      const table = [
        '| secrets (~2 KiB, aesgcm) | stored as | snapshot MiB | backend | open s | audit s | values/s | values/CPU-s | peak RSS MiB |',
        '|---:|---|---:|---|---:|---:|---:|---:|---:|',
        ...rows.map(
          (r) =>
            `| ${r.values} | ${r.encoding} | ${r.snapshotMB} | ${r.backend} | ${r.openSeconds} | ${r.seconds} | ${r.valuesPerSec} | ${r.valuesPerCpuSec} | ${r.maxRssMB} |`,
        ),
      ].join('\n');
      const note = [
        `Median of ${values.runs} runs by audit time; values/s of each run, in table order: ${rows.map((r) => r.runs).join('; ')}.`,
        `Share of the node-backend audit's CPU profile (the audit alone) in the cipher (node:crypto \`Decipheriv\`, its native calls, the backend's \`open\`), 100k, median of 3: ${shares.join(', ')}.`,
      ].join('\n');
      writeSection(fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url)), 'audit', `Measured ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, one process per audit, single thread.\n\n${table}\n\n${note}`);
    }
  }
}

if (process.argv[1] === self) await main();
