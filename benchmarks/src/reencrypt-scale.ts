/**
 * Re-encryption at scale: N Secrets of ~2 KiB under aescbc key1 in a real etcd on this machine,
 * re-encrypted to aesgcm key2 by `reencrypt()` at several concurrencies, each in a fresh process
 * against a fresh copy of the data (etcd restored from the same snapshot), so every run rewrites
 * all N. Each child reports wall and CPU seconds, values/s and peak RSS; etcd's own CPU seconds
 * are read from /proc, which says where the time goes (etcd's fsync and bolt writes vs atrest's
 * crypto and gRPC).
 *
 *   node benchmarks/dist/reencrypt-scale.js [--count 100000] [--concurrency 4,16,64] [--runs 3] [--write-docs]
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadEncryptionConfiguration } from '@atrest/config';
import { openLiveEtcd } from '@atrest/etcd-live';
import { reencrypt } from '@atrest/reencrypt';
import { startEtcd } from '@atrest/test-support';
import { putSecrets } from './scale-secrets.js';
import { median } from './ratios.js';
import { writeSection } from './report.js';

// Fixed benchmark keys (public: these configs only ever protect generated test data).
const key = (n: number): string => Buffer.alloc(32, n).toString('base64');
const config = (providers: string): string =>
  `apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources: [secrets]\n    providers:\n${providers}`;
const OLD = config(`      - aescbc: { keys: [{ name: key1, secret: ${key(1)} }] }\n`);
const NEW = config(`      - aesgcm: { keys: [{ name: key2, secret: ${key(2)} }] }\n      - aescbc: { keys: [{ name: key1, secret: ${key(1)} }] }\n`);

interface Row {
  readonly concurrency: number;
  readonly rewritten: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly etcdCpuSeconds: number;
  readonly valuesPerSec: number;
  readonly maxRssMB: number;
}

/** CPU seconds (user + system) of a process, from /proc. */
const cpuOf = (pid: number): number => {
  const f = (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1] as string).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};

async function child(endpoint: string, etcdPid: number, concurrency: number): Promise<Row> {
  const etcd = await openLiveEtcd({ endpoints: [endpoint], dialTimeoutMs: 2000, commandTimeoutMs: 30_000 });
  const e0 = cpuOf(etcdPid);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await reencrypt(etcd, { config: loadEncryptionConfiguration(NEW), concurrency });
  const seconds = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  etcd.close();
  if (r.skipped.length > 0) throw new Error(`reencrypt-scale: ${r.skipped.length} values left`);
  return {
    concurrency,
    rewritten: r.rewritten,
    seconds,
    cpuSeconds: (c.user + c.system) / 1e6,
    etcdCpuSeconds: cpuOf(etcdPid) - e0,
    valuesPerSec: r.rewritten / seconds,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  };
}

const self = fileURLToPath(import.meta.url);

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const [command, ...rest] = argv[0] === 'child' ? argv : ['all', ...argv];
  const { values } = parseArgs({
    args: rest,
    options: {
      count: { type: 'string', default: '100000' },
      concurrency: { type: 'string', default: '4,16,64' },
      runs: { type: 'string', default: '3' },
      endpoint: { type: 'string' },
      'etcd-pid': { type: 'string' },
      'write-docs': { type: 'boolean', default: false },
    },
  });
  if (command === 'child') {
    console.log(JSON.stringify(await child(values.endpoint as string, Number(values['etcd-pid']), Number(values.concurrency))));
    return;
  }
  const count = Number(values.count);
  const levels = (values.concurrency as string).split(',').map(Number);
  const rows = new Map<number, Row[]>(levels.map((c) => [c, []]));
  const loads: number[] = [];
  for (let run = 0; run < Number(values.runs); run++) {
    for (const concurrency of run % 2 === 0 ? levels : [...levels].reverse()) {
      // A fresh etcd holding N stale values for every measured run.
      const etcd = await startEtcd();
      try {
        await putSecrets(etcd.endpoint, count, OLD, 'load');
        loads.push(loadavg()[0] as number);
        const r = spawnSync(process.execPath, [self, 'child', '--endpoint', etcd.endpoint, '--etcd-pid', String(etcd.pid), '--concurrency', String(concurrency)], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(r.stderr);
        const row = JSON.parse(r.stdout.trim().split('\n').pop() as string) as Row;
        rows.get(concurrency)?.push(row);
        console.error(`concurrency ${concurrency}: ${Math.round(row.valuesPerSec)} values/s, atrest ${row.cpuSeconds.toFixed(1)} CPU-s, etcd ${row.etcdCpuSeconds.toFixed(1)} CPU-s, ${Math.round(row.maxRssMB)} MiB`);
      } finally {
        await etcd.stop();
      }
    }
  }
  const table = [
    '| --concurrency | values rewritten | seconds (median) | values/s (median, min–max) | atrest CPU-s | etcd CPU-s | peak RSS MiB (max) |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    ...levels.map((c) => {
      const rs = rows.get(c) as Row[];
      const vps = rs.map((r) => r.valuesPerSec);
      return `| ${c} | ${rs[0]?.rewritten} | ${median(rs.map((r) => r.seconds)).toFixed(1)} | ${Math.round(median(vps))} (${Math.round(Math.min(...vps))}–${Math.round(Math.max(...vps))}) | ${median(rs.map((r) => r.cpuSeconds)).toFixed(1)} | ${median(rs.map((r) => r.etcdCpuSeconds)).toFixed(1)} | ${Math.round(Math.max(...rs.map((r) => r.maxRssMB)))} |`;
    }),
  ].join('\n');
  const body = `Measured ${new Date().toISOString().slice(0, 10)}, Node ${process.version}: ${count} Secrets of ~2 KiB, aescbc key1 → aesgcm key2, ${values.runs} alternating runs per concurrency, each against a fresh etcd on the same two cores. 1-minute load average before each run: ${loads.map((l) => l.toFixed(1)).join(', ')} (loading the data is the load).\n\n${table}`;
  console.log(body);
  if (values['write-docs']) writeSection(fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url)), 'reencrypt', body);
}

if (process.argv[1] === self) await main();
