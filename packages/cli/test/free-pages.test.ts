/**
 * `atrest audit --free-pages` and `dump --free-pages` on real etcd snapshots: plaintext Secrets
 * written, encryption enabled, re-encrypted with `atrest reencrypt`, compacted; the plaintext
 * revisions compaction unlinked are still in the file, and defrag removes them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utf8 } from '@atrest/core';
import { openLiveEtcd, type LiveEtcd } from '@atrest/etcd-live';
import { GCM2, haveEtcd, IDENTITY, secretsConfig, startEtcd, type EtcdServer } from '@atrest/test-support';
import { run } from './_run.js';

const CONFIG = secretsConfig(GCM2 + IDENTITY);
const object = (i: number): Uint8Array =>
  utf8(`${JSON.stringify({ kind: 'Secret', apiVersion: 'v1', metadata: { name: `s${i}`, namespace: 'ns' }, data: { password: Buffer.from(`hunter${i}`.padEnd(1500, '.')).toString('base64') } })}\n`);

describe.skipIf(!haveEtcd())('residue in free pages', () => {
  let etcd: EtcdServer;
  let live: LiveEtcd;
  let dir: string;
  let config: string;
  const written = new Map<string, number>();
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'atrest-cli-free-'));
    config = join(dir, 'config.yaml');
    writeFileSync(config, CONFIG);
    etcd = await startEtcd();
    live = await openLiveEtcd({ endpoints: [etcd.endpoint], dialTimeoutMs: 2000, commandTimeoutMs: 10_000 });
    for (let i = 0; i < 30; i++) {
      const key = `/registry/secrets/ns/s${i}`;
      written.set(key, (await live.compareAndPut(utf8(key), 0, object(i), 0n)) as number);
    }
    const re = await run(['reencrypt', '--endpoints', etcd.endpoint, '--config', config]);
    expect(re.code, re.stderr).toBe(0);
    const head = JSON.parse(etcd.ctl(['endpoint', 'status', '-w', 'json']))[0].Status.header.revision as number;
    etcd.ctl(['compaction', '--physical', String(head)]);
    etcd.ctl(['snapshot', 'save', join(dir, 'before.db')]);
    etcd.ctl(['defrag']);
    etcd.ctl(['snapshot', 'save', join(dir, 'after.db')]);
  }, 90_000);
  afterAll(async () => {
    live?.close();
    await etcd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('audit --free-pages finds the plaintext revisions compaction removed, with key, revision and status', async () => {
    const r = await run(['audit', join(dir, 'before.db'), '--config', config, '--free-pages', '-o', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout.toString());
    expect(report.totals.history.revisions).toBe(0);
    const residue = report.freePages.revisions as { key: string; revision: number; status: string; id: string; resource: string }[];
    const plaintext = residue.filter((v) => v.status === 'plaintext');
    expect(plaintext.length).toBeGreaterThan(0);
    for (const v of plaintext) {
      expect(v.revision, v.key).toBe(written.get(v.key));
      expect(v).toMatchObject({ id: 'identity', resource: 'secrets' });
    }
    expect(report.freePages.totals.byStatus.plaintext).toBe(plaintext.length);
    const table = await run(['audit', join(dir, 'before.db'), '--config', config, '--free-pages', '--fail-on', 'residue-plaintext']);
    expect(table.code).toBe(3);
    expect(table.stdout.toString()).toContain(`${plaintext.length} plaintext revision${plaintext.length === 1 ? '' : 's'} of secrets remain`);
    expect(table.stdout.toString()).toContain('run `etcdctl defrag` on every member, then take a new backup');
    expect(table.stdout.toString()).toMatch(/provider:key\s+latest\s+old\s+free pages\s+in config/);
  });

  it('dump --free-pages prints them decoded, for forensics', async () => {
    const r = await run(['dump', join(dir, 'before.db'), '--config', config, '--free-pages', '-o', 'jsonl']);
    expect(r.code).toBe(0);
    const objects = r.stdout.toString().trim().split('\n').map((l) => JSON.parse(l) as { key: string; status: string; object: { data: { password: string } } });
    const plain = objects.filter((o) => o.status === 'plaintext');
    expect(plain.length).toBeGreaterThan(0);
    for (const o of plain) expect(Buffer.from(o.object.data.password, 'base64').toString()).toMatch(/^hunter\d+\.+$/);
  });

  it('after etcdctl defrag the new snapshot holds no residue', async () => {
    const r = await run(['audit', join(dir, 'after.db'), '--config', config, '--free-pages', '-o', 'json', '--fail-on', 'residue-plaintext']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.toString()).freePages.revisions).toEqual([]);
  });

  it('--free-pages goes with a snapshot file, not --endpoints', async () => {
    expect((await run(['audit', '--endpoints', etcd.endpoint, '--config', config, '--free-pages'])).code).toBe(2);
  });
});
