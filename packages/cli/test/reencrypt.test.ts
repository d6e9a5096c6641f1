/**
 * `atrest reencrypt` as an operator runs it: the real binary against Debian's etcd, killed with
 * SIGKILL at random moments and run again until done; then a live audit and the audit of
 * `etcdctl snapshot save` agree that every value is under the new key.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utf8, writeSync } from '@atrest/core';
import { loadEncryptionConfiguration } from '@atrest/config';
import type { LiveEtcd } from '@atrest/etcd-live';
import { etcdRevision, type EtcdServer, haveEtcd, reportBody, secretsConfig, testKey } from '@atrest/test-support';
import { seededEtcd, secretObject, type SeededEtcd } from './_seeded-etcd.js';
import { run } from './_run.js';

const repo = join(import.meta.dirname, '..', '..', '..');
const bin = join(repo, 'packages', 'cli', 'bin', 'atrest.js');
const secret = testKey;
const OLD = secretsConfig(`      - aescbc: { keys: [{ name: key1, secret: ${secret(1)} }] }\n      - identity: {}\n`);
const NEW = secretsConfig(`      - aesgcm: { keys: [{ name: key2, secret: ${secret(2)} }] }\n      - aescbc: { keys: [{ name: key1, secret: ${secret(1)} }] }\n      - identity: {}\n`);

describe.skipIf(!haveEtcd())('atrest reencrypt', () => {
  let seeded: SeededEtcd;
  let etcd: EtcdServer;
  let live: LiveEtcd;
  let dir: string;
  let newConfig: string;
  const N = 600;
  beforeAll(async () => {
    seeded = await seededEtcd('reencrypt', OLD, N);
    ({ etcd, live, dir } = seeded);
    newConfig = join(dir, 'new.yaml');
    writeFileSync(newConfig, NEW);
  }, 60_000);
  afterAll(async () => {
    await seeded?.close();
  });

  it('--dry-run writes nothing and exits 3 while values would be rewritten', async () => {
    const before = etcdRevision(etcd);
    const r = await run(['reencrypt', '--endpoints', etcd.endpoint, '--config', newConfig, '--dry-run']);
    expect(r.code).toBe(3);
    expect(r.stdout.toString()).toContain(`DRY RUN (nothing written): read at revision ${before}: ${N} keys, ${N} selected`);
    expect(r.stdout.toString()).toContain(`aescbc:key1 -> aesgcm:key2: ${N}`);
    const yaml = await run(['reencrypt', '--endpoints', etcd.endpoint, '--config', newConfig, '--dry-run', '-o', 'yaml']);
    expect(yaml.stdout.toString()).toMatch(/^---\n"schema": "atrest.reencrypt\/v1"\n"dryRun": true\n/);
    expect(etcdRevision(etcd)).toBe(before);
  });

  it('killed with SIGKILL at random moments and run again, it finishes and loses nothing', async () => {
    /** Values still under the old key. */
    const remaining = async (): Promise<number> => {
      let n = 0;
      for await (const page of live.latest(utf8('/registry/secrets/'))) for (const kv of page) if (Buffer.from(kv.value.subarray(0, 18)).toString() === 'k8s:enc:aescbc:v1:') n++;
      return n;
    };
    const seen: number[] = [];
    for (let round = 0; round < 5; round++) {
      // --rate 150: a whole run takes 4 s, so a kill after 0.6-1.6 s lands mid-run.
      const child = spawn(process.execPath, [bin, 'reencrypt', '--endpoints', etcd.endpoint, '--config', newConfig, '--concurrency', '2', '--rate', '150'], { stdio: 'ignore' });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await new Promise((r) => setTimeout(r, 600 + Math.floor(Math.random() * 1000)));
      child.kill('SIGKILL');
      await exited;
      seen.push(await remaining());
    }
    // Some kill landed while values were half done.
    expect(seen.some((n) => n > 0 && n < N), seen.join(',')).toBe(true);
    const last = spawnSync(process.execPath, [bin, 'reencrypt', '--endpoints', etcd.endpoint, '--config', newConfig, '-o', 'json'], { encoding: 'utf8' });
    expect(last.status, last.stderr).toBe(0);
    const report = JSON.parse(last.stdout) as { rewritten: number; current: number; skipped: unknown[] };
    expect(report.rewritten + report.current).toBe(N);
    expect(report.skipped).toEqual([]);
    // A live audit and the audit of a snapshot of the same etcd agree: every value under the new key.
    const snapshot = join(dir, 'after.db');
    etcd.ctl(['snapshot', 'save', snapshot]);
    const liveAudit = await run(['audit', '--endpoints', etcd.endpoint, '--config', newConfig, '--history', '-o', 'json']);
    const fileAudit = await run(['audit', snapshot, '--config', newConfig, '-o', 'json']);
    expect(reportBody(liveAudit.stdout)).toEqual(reportBody(fileAudit.stdout));
    const totals = JSON.parse(liveAudit.stdout.toString()).totals;
    expect(totals.latest.byProviderKey).toEqual({ 'aesgcm:key2': N });
    expect(totals.latest.stale).toBe(0);
    // Every plaintext survived: each value decrypts to its object.
    const t = loadEncryptionConfiguration(NEW).transformerForResource('secrets');
    for await (const page of live.latest(utf8('/registry/secrets/'))) {
      for (const kv of page) {
        const name = Buffer.from(kv.key).toString().split('/').pop() as string;
        expect(Buffer.from((await t.read(kv.value, kv.key)).plaintext)).toEqual(Buffer.from(secretObject(name)));
      }
    }
  }, 120_000);

  it('values it cannot read are listed, and the exit status is 3', async () => {
    const other = loadEncryptionConfiguration(secretsConfig(`      - aescbc: { keys: [{ name: key1, secret: ${secret(9)} }] }\n`)).transformerForResource('secrets');
    await live.compareAndPut(utf8('/registry/secrets/ns/lost'), 0, writeSync(other as never, secretObject('lost'), utf8('/registry/secrets/ns/lost')), 0n);
    const r = await run(['reencrypt', '--endpoints', etcd.endpoint, '--config', newConfig]);
    expect(r.code).toBe(3);
    expect(r.stdout.toString()).toMatch(/Left as they were:\n {2}\/registry\/secrets\/ns\/lost @\d+ {2}aescbc:key1 {2}undecryptable: /);
  });

  it('command-line mistakes are exit 2', async () => {
    expect((await run(['reencrypt', '--endpoints', etcd.endpoint, '--config', newConfig, '--rate', '0'])).code).toBe(2);
    expect((await run(['reencrypt', '--endpoints', etcd.endpoint, '--config', newConfig, '--resource', 'nosuch'])).code).toBe(2);
    expect((await run(['reencrypt', '--config', newConfig, '--concurrency', '1.5'])).code).toBe(2);
  });
});
