/**
 * Re-encryption against Debian's etcd on 127.0.0.1, as users meet it: values written under an
 * older config (some on a lease, some plaintext, some undecryptable, one not an object), a
 * concurrent writer playing kube-apiserver, a three-member cluster losing a member mid-run, and
 * the checks that stop it before any write.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utf8, writeSync } from '@atrest/core';
import { loadEncryptionConfiguration } from '@atrest/config';
import { openLiveEtcd, type LiveEtcd } from '@atrest/etcd-live';
import { CBC1, etcdRevision, type EtcdServer, GCM2, haveEtcd, IDENTITY, secretsConfig, startEtcd, startEtcdCluster, testKey } from '@atrest/test-support';
import { reencrypt } from '../src/index.js';

const secret = testKey;
const config = secretsConfig;
const OLD = loadEncryptionConfiguration(config(CBC1 + IDENTITY));
const NEW = loadEncryptionConfiguration(config(GCM2 + CBC1 + IDENTITY));

const object = (name: string, data: string): Uint8Array =>
  utf8(`${JSON.stringify({ kind: 'Secret', apiVersion: 'v1', metadata: { name, namespace: 'ns' }, data: { k: Buffer.from(data).toString('base64') } })}\n`);
const keyOf = (i: number): string => `/registry/secrets/ns/s${String(i).padStart(4, '0')}`;

/** Create a key (it must not exist: a compare on mod_revision 0). */
async function create(live: LiveEtcd, key: string, stored: Uint8Array, lease = 0n): Promise<void> {
  expect(await live.compareAndPut(utf8(key), 0, stored, lease)).toBeGreaterThan(0);
}
const underOld = (key: string, plaintext: Uint8Array): Uint8Array => writeSync(OLD.transformerForResource('secrets') as never, plaintext, utf8(key));

/** Every secret's plaintext and whether it reads fresh under NEW. */
async function readAll(live: LiveEtcd): Promise<Map<string, { plaintext: string; stale: boolean; lease: bigint; id: string }>> {
  const out = new Map<string, { plaintext: string; stale: boolean; lease: bigint; id: string }>();
  const t = NEW.transformerForResource('secrets');
  for await (const page of live.latest(utf8('/registry/secrets/'))) {
    for (const kv of page) {
      try {
        const r = await t.read(kv.value, kv.key);
        out.set(Buffer.from(kv.key).toString(), { plaintext: Buffer.from(r.plaintext).toString(), stale: r.stale, lease: kv.lease, id: Buffer.from(kv.value.subarray(0, 23)).toString() });
      } catch {
        out.set(Buffer.from(kv.key).toString(), { plaintext: '', stale: true, lease: kv.lease, id: 'undecryptable' });
      }
    }
  }
  return out;
}


describe.skipIf(!haveEtcd())('reencrypt on a single etcd', () => {
  let etcd: EtcdServer;
  let live: LiveEtcd;
  let lease: bigint;
  beforeAll(async () => {
    etcd = await startEtcd();
    live = await openLiveEtcd({ endpoints: [etcd.endpoint], dialTimeoutMs: 2000, commandTimeoutMs: 10_000 });
    lease = BigInt(`0x${/lease ([0-9a-f]+) granted/.exec(etcd.ctl(['lease', 'grant', '3600']))?.[1]}`);
    for (let i = 0; i < 120; i++) await create(live, keyOf(i), underOld(keyOf(i), object(`s${i}`, `v${i}`)), i % 10 === 0 ? lease : 0n);
    await create(live, '/registry/secrets/ns/plain', object('plain', 'was plaintext'));
    const other = loadEncryptionConfiguration(config(`      - aescbc: { keys: [{ name: key1, secret: ${secret(9)} }] }\n`)).transformerForResource('secrets');
    await create(live, '/registry/secrets/ns/lost', writeSync(other as never, object('lost', 'x'), utf8('/registry/secrets/ns/lost')));
    await create(live, '/registry/secrets/ns/junk', utf8('not an object'));
    await create(live, '/registry/configmaps/ns/c', utf8('{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"c"}}'));
  }, 60_000);
  afterAll(async () => {
    live?.close();
    await etcd?.stop();
  });

  it('a dry run counts and writes nothing', async () => {
    const before = etcdRevision(etcd);
    const r = await reencrypt(live, { config: NEW, dryRun: true });
    expect(r).toMatchObject({ dryRun: true, selected: 123, rewritten: 121, current: 0 });
    expect(r.rewrites).toEqual({ 'aescbc:key1 -> aesgcm:key2': 120, 'identity -> aesgcm:key2': 1 });
    expect(r.skipped.map((s) => [s.key, s.reason])).toEqual([
      ['/registry/secrets/ns/junk', 'undecodable'],
      ['/registry/secrets/ns/lost', 'undecryptable'],
    ]);
    expect(etcdRevision(etcd)).toBe(before);
  });

  it('rewrites every stale value under the write key, keeps leases and plaintexts, and leaves what it cannot read', async () => {
    const before = await readAll(live);
    const r = await reencrypt(live, { config: NEW, concurrency: 4 });
    expect(r).toMatchObject({ dryRun: false, selected: 123, rewritten: 121, current: 0, conflicts: 0 });
    expect(r.byResource).toEqual({ secrets: { selected: 123, rewritten: 121, current: 0, skipped: 2 } });
    const after = await readAll(live);
    for (const [key, b] of before) {
      const a = after.get(key);
      if (key.endsWith('/lost') || key.endsWith('/junk')) continue;
      expect(a, key).toMatchObject({ plaintext: b.plaintext, stale: false, lease: b.lease, id: 'k8s:enc:aesgcm:v1:key2:' });
    }
    expect([...after.values()].filter((v) => v.lease === lease)).toHaveLength(12);
    // The ConfigMap is not covered by the config: left alone.
    expect(Buffer.from((await live.get(utf8('/registry/configmaps/ns/c')))?.value ?? []).toString()).toContain('ConfigMap');
    // A second run finds nothing stale.
    const again = await reencrypt(live, { config: NEW });
    expect(again).toMatchObject({ rewritten: 0, current: 121 });
    expect(again.skipped).toHaveLength(2);
  });

  it('a KMS plugin that does not answer stops it before any write', async () => {
    const before = etcdRevision(etcd);
    const kmsFirst = loadEncryptionConfiguration(
      config(`      - kms: { apiVersion: v2, name: gone, endpoint: unix:///nonexistent/atrest-test.sock, timeout: 1s }\n${GCM2}${CBC1}${IDENTITY}`),
    );
    await expect(reencrypt(live, { config: kmsFirst })).rejects.toThrow(/the configuration cannot write secrets: .*nothing was written/);
    expect(etcdRevision(etcd)).toBe(before);
  }, 30_000);

  it('a config that reads most values of a provider key as undecryptable stops before any write, unless forced', async () => {
    for (let i = 0; i < 10; i++) await create(live, `/registry/secrets/wrong/w${i}`, underOld(`/registry/secrets/wrong/w${i}`, object(`w${i}`, 'x')));
    const wrong = loadEncryptionConfiguration(config(`${GCM2}      - aescbc: { keys: [{ name: key1, secret: ${secret(7)} }] }\n${IDENTITY}`));
    const before = etcdRevision(etcd);
    await expect(reencrypt(live, { config: wrong, resources: ['secrets'] })).rejects.toThrow(/sampled values under aescbc:key1 cannot be decrypted with this configuration: is it the cluster's\? Nothing was written/);
    expect(etcdRevision(etcd)).toBe(before);
    const forced = await reencrypt(live, { config: wrong, force: true });
    expect(forced.rewritten).toBe(0);
    expect(forced.skipped.filter((s) => s.reason === 'undecryptable').length).toBeGreaterThanOrEqual(10);
    expect(etcdRevision(etcd)).toBe(before);
    // The right config finishes them.
    expect((await reencrypt(live, { config: NEW })).rewritten).toBe(10);
  });
});

describe.skipIf(!haveEtcd())('reencrypt while kube-apiserver writes', () => {
  it('a concurrent writer of the same keys loses no update: every key holds its newest content', async () => {
    const etcd = await startEtcd();
    const live = await openLiveEtcd({ endpoints: [etcd.endpoint], dialTimeoutMs: 2000, commandTimeoutMs: 10_000 });
    const writer = await openLiveEtcd({ endpoints: [etcd.endpoint], dialTimeoutMs: 2000, commandTimeoutMs: 10_000 });
    try {
      const N = 150;
      const log = new Map<string, string | null>();
      for (let i = 0; i < N; i++) {
        await create(live, keyOf(i), underOld(keyOf(i), object(`s${i}`, 'v0')));
        log.set(keyOf(i), 'v0');
      }
      // The writer: compare-and-swap updates under the OLD config, new keys and deletes, until told to stop.
      let stop = false;
      let updates = 0;
      const write = async (): Promise<void> => {
        for (let round = 1; !stop; round++) {
          for (let i = round % 3; i < N && !stop; i += 3) {
            const key = keyOf(i);
            if (log.get(key) === null) continue;
            const kv = await writer.get(utf8(key));
            if (kv === undefined) continue;
            const data = `v${round}`;
            if ((await writer.compareAndPut(utf8(key), kv.modRevision, underOld(key, object(`s${i}`, data)), kv.lease)) !== undefined) {
              log.set(key, data);
              updates++;
            }
          }
          const fresh = keyOf(N + round);
          if ((await writer.compareAndPut(utf8(fresh), 0, underOld(fresh, object('new', 'n')), 0n)) !== undefined) log.set(fresh, 'n');
          if (round % 4 === 0) {
            etcd.del(keyOf(round));
            log.set(keyOf(round), null);
          }
        }
      };
      const writing = write();
      const r = await reencrypt(live, { config: NEW, concurrency: 4, pageSize: 20 });
      stop = true;
      await writing;
      expect(updates).toBeGreaterThan(0);
      expect(r.skipped).toEqual([]);
      const after = await readAll(live);
      for (const [key, data] of log) {
        if (data === null) {
          expect(after.has(key), key).toBe(false);
          continue;
        }
        const v = after.get(key);
        expect(v, key).toBeDefined();
        expect(JSON.parse(v?.plaintext ?? '{}').data.k, key).toBe(Buffer.from(data).toString('base64'));
      }
      // Values the writer put after re-encryption passed them are stale (old config), never lost; a second run finishes.
      const again = await reencrypt(live, { config: NEW });
      expect(again.skipped).toEqual([]);
      expect([...(await readAll(live)).values()].every((v) => !v.stale)).toBe(true);
    } finally {
      live.close();
      writer.close();
      await etcd.stop();
    }
  }, 120_000);
});

describe.skipIf(!haveEtcd())('reencrypt on a three-member cluster', () => {
  it('completes through the other members when one stops mid-run', async () => {
    const cluster = await startEtcdCluster(3);
    const live = await openLiveEtcd({ endpoints: [...cluster.endpoints], dialTimeoutMs: 2000, commandTimeoutMs: 10_000 });
    try {
      for (let i = 0; i < 200; i++) await create(live, keyOf(i), underOld(keyOf(i), object(`s${i}`, `v${i}`)));
      let stopped: Promise<void> | undefined;
      const r = await reencrypt(live, {
        config: NEW,
        pageSize: 25,
        onProgress: (p) => {
          if (p.scanned >= 50 && stopped === undefined) stopped = (cluster.members[0] as EtcdServer).stop();
        },
      });
      await stopped;
      expect(stopped).toBeDefined();
      expect(r).toMatchObject({ rewritten: 200, selected: 200 });
      expect(r.skipped).toEqual([]);
      const after = await readAll(live);
      expect([...after.values()].every((v) => !v.stale && v.id === 'k8s:enc:aesgcm:v1:key2:')).toBe(true);
    } finally {
      live.close();
      await cluster.stop();
    }
  }, 120_000);
});
