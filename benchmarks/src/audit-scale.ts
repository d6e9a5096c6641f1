/**
 * Audit throughput at scale: N Secrets of ~2 KiB, encrypted by atrest (aesgcm) and written into a
 * real etcd (one put = one revision, as kube-apiserver writes), saved with `etcdctl snapshot
 * save`, then audited. Each audit runs in a fresh process so its peak RSS is its own.
 *
 *   node benchmarks/dist/audit-scale.js all [--counts 20000,100000] [--dir DIR] [--write-docs]
 *   node benchmarks/dist/audit-scale.js generate --count N --out FILE
 *   node benchmarks/dist/audit-scale.js audit --snapshot FILE [--backend node|noble]
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { getBackend, utf8, writeSync } from '@atrest/core';
import { loadEncryptionConfiguration } from '@atrest/config';
import { openSnapshot } from '@atrest/etcd-snapshot';
import { auditSnapshot } from '@atrest/audit';
import { startEtcd } from './etcd-server.js';
import { EtcdPutter } from './etcd-put.js';
import { plaintext } from './fixtures.js';
import { writeSection } from './report.js';

// A fixed benchmark key (public: this config only ever protects generated test data).
const CONFIG = `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
      - aesgcm:
          keys:
            - name: bench
              secret: ${Buffer.alloc(32, 0x42).toString('base64')}
      - identity: {}
`;

function secretJson(i: number, size: number): Uint8Array {
  const ns = `team-${i % 50}`;
  const name = `secret-${i}`;
  const head = { kind: 'Secret', apiVersion: 'v1', metadata: { name, namespace: ns, uid: `uid-${i}`, creationTimestamp: '2026-01-01T00:00:00Z' }, type: 'Opaque' };
  const base = JSON.stringify({ ...head, data: { value: '' } }).length + 1;
  const payload = Buffer.from(plaintext(Math.max(0, Math.floor(((size - base) * 3) / 4)), i + 1)).toString('base64');
  return utf8(`${JSON.stringify({ ...head, data: { value: payload } })}\n`);
}

/** Generate a snapshot of `count` secrets. */
export async function generate(count: number, out: string, size = 2048): Promise<{ seconds: number; bytes: number }> {
  const start = Date.now();
  const etcd = await startEtcd();
  const putter = new EtcdPutter(etcd.endpoint);
  try {
    const t = loadEncryptionConfiguration(CONFIG).transformerForResource('secrets');
    function* items(): Generator<[Uint8Array, Uint8Array]> {
      for (let i = 0; i < count; i++) {
        const key = `/registry/secrets/team-${i % 50}/secret-${i}`;
        yield [utf8(key), writeSync(t, secretJson(i, size), utf8(key))];
      }
    }
    await putter.putAll(items(), 128, (n) => process.stderr.write(`\rgenerate: ${n}/${count}`));
    process.stderr.write('\n');
    etcd.ctl(['snapshot', 'save', out]);
  } finally {
    putter.close();
    await etcd.stop();
  }
  return { seconds: (Date.now() - start) / 1000, bytes: statSync(out).size };
}

/** Audit a snapshot in this process and report throughput and memory. */
export async function auditOnce(file: string, backendName: string): Promise<Record<string, number | string>> {
  const backend = getBackend(backendName);
  const config = loadEncryptionConfiguration(CONFIG, { backend });
  const snapshot = openSnapshot(file);
  const start = process.hrtime.bigint();
  const report = await auditSnapshot(snapshot, { config });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  snapshot.close();
  const values = report.totals.snapshot.putRevisions;
  if (report.totals.latest.byStatus.encrypted !== values) throw new Error('audit-scale: not every value classified as encrypted');
  return {
    backend: backendName,
    values,
    seconds: Number(seconds.toFixed(2)),
    valuesPerSec: Math.round(values / seconds),
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    snapshotMB: Math.round(statSync(file).size / 2 ** 20),
  };
}

async function main(): Promise<void> {
  const [command = 'all', ...rest] = process.argv.slice(2);
  const { values } = parseArgs({
    args: rest,
    options: {
      count: { type: 'string', default: '100000' },
      counts: { type: 'string', default: '20000,100000' },
      out: { type: 'string' },
      dir: { type: 'string', default: join(tmpdir(), 'atrest-audit-scale') },
      snapshot: { type: 'string' },
      backend: { type: 'string', default: 'node' },
      'write-docs': { type: 'boolean', default: false },
    },
  });
  if (command === 'generate') {
    const r = await generate(Number(values.count), values.out ?? join(values.dir as string, `secrets-${values.count}.db`));
    console.log(JSON.stringify(r));
  } else if (command === 'audit') {
    console.log(JSON.stringify(await auditOnce(values.snapshot as string, values.backend as string)));
  } else {
    mkdirSync(values.dir as string, { recursive: true });
    const rows: Record<string, number | string>[] = [];
    for (const count of (values.counts as string).split(',').map(Number)) {
      const file = join(values.dir as string, `secrets-${count}.db`);
      if (!existsSync(file)) {
        const g = await generate(count, file);
        console.error(`generated ${count} secrets in ${g.seconds.toFixed(1)} s (${(g.bytes / 2 ** 20).toFixed(0)} MiB)`);
      }
      for (const backend of ['node', 'noble']) {
        const self = fileURLToPath(import.meta.url);
        const r = spawnSync(process.execPath, [self, 'audit', '--snapshot', file, '--backend', backend], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(r.stderr);
        const row = JSON.parse(r.stdout.trim().split('\n').pop() as string) as Record<string, number | string>;
        rows.push(row);
        console.log(JSON.stringify(row));
      }
    }
    if (values['write-docs']) {
      const table = [
        '| secrets (~2 KiB, aesgcm) | snapshot MiB | backend | seconds | values/s | peak RSS MiB |',
        '|---:|---:|---|---:|---:|---:|',
        ...rows.map((r) => `| ${r['values']} | ${r['snapshotMB']} | ${r['backend']} | ${r['seconds']} | ${r['valuesPerSec']} | ${r['maxRssMB']} |`),
      ].join('\n');
      writeSection(fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url)), 'audit', `Measured ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, one process per audit, single thread.\n\n${table}`);
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
