/**
 * The live audit against the snapshot audit of the same data, side by side in one run: N Secrets
 * of ~2 KiB encrypted by atrest (aesgcm) are written into a real etcd on this machine (one put =
 * one revision, as kube-apiserver writes), `etcdctl snapshot save` copies it, and then, in
 * alternating fresh processes, the same audit reads
 * - the snapshot file (`auditSnapshot`), and again with its free pages read (`freePages`),
 * - the running etcd's latest values at one revision (`auditRevisions` over `latest()`),
 * - the running etcd's every surviving revision (`auditRevisions` over `history()`).
 * Each child reports wall and CPU seconds of the audit, values/s and its peak RSS. etcd runs on
 * the same two cores, so a live figure includes etcd's own work of serving the reads.
 *
 *   node benchmarks/dist/live-audit.js [--count 100000] [--runs 5] [--write-docs]
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadEncryptionConfiguration } from '@atrest/config';
import { openSnapshot } from '@atrest/etcd-snapshot';
import { auditRevisions, auditSnapshot, type AuditReport, type AuditRevision } from '@atrest/audit';
import { openLiveEtcd } from '@atrest/etcd-live';
import { startEtcd } from '@atrest/test-support';
import { putSecrets, SCALE_CONFIG as CONFIG } from './scale-secrets.js';
import { median } from './ratios.js';
import { writeSection } from './report.js';


type Mode = 'snapshot' | 'snapshot-free-pages' | 'live' | 'live-history';
const MODES: readonly Mode[] = ['snapshot', 'snapshot-free-pages', 'live', 'live-history'];

/** One child's figures. */
interface Row {
  readonly mode: Mode;
  readonly values: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly valuesPerSec: number;
  readonly maxRssMB: number;
}

const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Run one audit in this process (the child). */
async function child(mode: Mode, endpoint: string, file: string): Promise<Row> {
  const config = loadEncryptionConfiguration(CONFIG);
  const t0 = process.hrtime.bigint();
  const c0 = cpuNow();
  let report: AuditReport;
  if (mode === 'snapshot' || mode === 'snapshot-free-pages') {
    const snapshot = openSnapshot(file);
    report = await auditSnapshot(snapshot, { config, freePages: mode === 'snapshot-free-pages' });
    snapshot.close();
  } else {
    const live = await openLiveEtcd({ endpoints: [endpoint], dialTimeoutMs: 2000, commandTimeoutMs: 30_000 });
    const facts = await live.facts();
    const all = new Uint8Array(0);
    const batches: AsyncIterable<readonly AuditRevision[]> =
      mode === 'live-history'
        ? live.history(all, { revision: facts.revision })
        : (async function* () {
            for await (const page of live.latest(all, { revision: facts.revision })) yield page.map((kv) => ({ revision: { main: kv.modRevision, sub: 0 }, tombstone: false, kv }));
          })();
    report = await auditRevisions(batches, { source: { kind: 'snapshot', fileSize: 0 }, compactRevision: null }, { config });
    live.close();
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpuSeconds = cpuNow() - c0;
  const values = report.totals.snapshot.putRevisions;
  if (report.totals.latest.byStatus.encrypted !== report.totals.keys.present) throw new Error('live-audit: not every latest value classified as encrypted');
  return { mode, values, seconds, cpuSeconds, valuesPerSec: values / seconds, maxRssMB: process.resourceUsage().maxRSS / 1024 };
}

const self = fileURLToPath(import.meta.url);

function runChild(mode: Mode, endpoint: string, file: string): Row {
  const r = spawnSync(process.execPath, [self, 'child', '--mode', mode, '--endpoint', endpoint, '--snapshot', file], { encoding: 'utf8', maxBuffer: 16 << 20 });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as Row;
}

/** The etcd server's version, as `etcd --version` prints it. */
const etcdVersion = (): string => /etcd Version: (\S+)/.exec(spawnSync('etcd', ['--version'], { encoding: 'utf8' }).stdout)?.[1] ?? 'unknown';


async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const [command, ...rest] = argv[0] === 'child' ? argv : ['all', ...argv];
  const { values } = parseArgs({
    args: rest,
    options: {
      count: { type: 'string', default: '100000' },
      runs: { type: 'string', default: '5' },
      mode: { type: 'string' },
      endpoint: { type: 'string' },
      snapshot: { type: 'string' },
      'write-docs': { type: 'boolean', default: false },
    },
  });
  if (command === 'child') {
    console.log(JSON.stringify(await child(values.mode as Mode, values.endpoint as string, values.snapshot as string)));
    return;
  }
  const count = Number(values.count);
  const runs = Number(values.runs);
  const dir = mkdtempSync(join(tmpdir(), 'atrest-live-audit-'));
  const etcd = await startEtcd();
  try {
    await putSecrets(etcd.endpoint, count, CONFIG, 'generate');
    const file = join(dir, 'snap.db');
    etcd.ctl(['snapshot', 'save', file]);
    const rows = new Map<Mode, Row[]>(MODES.map((m) => [m, []]));
    // Let the load of generating settle before the first measurement.
    await new Promise((r) => setTimeout(r, 20_000));
    const loads: number[] = [loadavg()[0] as number];
    for (let run = 0; run < runs; run++) {
      for (const mode of run % 2 === 0 ? MODES : [...MODES].reverse()) {
        const row = runChild(mode, etcd.endpoint, file);
        rows.get(mode)?.push(row);
        console.error(`${mode}: ${Math.round(row.valuesPerSec)} values/s, ${row.cpuSeconds.toFixed(2)} CPU-s, ${Math.round(row.maxRssMB)} MiB`);
      }
    }
    const snapshotRuns = rows.get('snapshot') as Row[];
    const lines = MODES.map((mode) => {
      const rs = rows.get(mode) as Row[];
      // The ratio to the snapshot audit within each run, then its median, min and max.
      const ratios = rs.map((r, i) => r.valuesPerSec / (snapshotRuns[i] as Row).valuesPerSec);
      return `| ${mode} | ${rs[0]?.values} | ${Math.round(median(rs.map((r) => r.valuesPerSec)))} | ${median(rs.map((r) => r.cpuSeconds)).toFixed(2)} | ${Math.round(Math.max(...rs.map((r) => r.maxRssMB)))} | ${median(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}) |`;
    });
    const table = [
      `| source | revisions | values/s (median) | CPU-s of atrest (median) | peak RSS MiB (max) | values/s ÷ snapshot's (median, min–max) |`,
      '|---|---:|---:|---:|---:|---:|',
      ...lines,
    ].join('\n');
    // The runs themselves load both cores (etcd serving, the audit): only the load before them says
    // whether something else was running.
    // The 1-minute average still carries the data load just before; it is reported, not judged.
    const busy = ` 1-minute load average before the runs: ${(loads[0] as number).toFixed(2)} (it still includes writing the data just before).`;
    const body = `Measured ${new Date().toISOString().slice(0, 10)}, Node ${process.version}: ${count} Secrets of ~2 KiB (aesgcm), snapshot ${Math.round(statSync(file).size / 2 ** 20)} MiB, ${runs} alternating runs per source, each in a fresh process; etcd ${etcdVersion()} on the same two cores serves the live reads.${busy}\n\n${table}`;
    console.log(body);
    if (values['write-docs']) writeSection(fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url)), 'live-audit', body);
  } finally {
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === self) await main();
