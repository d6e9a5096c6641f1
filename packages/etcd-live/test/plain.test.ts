/**
 * The live source against a real single-member etcd over plain HTTP: consistent paging, history
 * across deletes and a compaction, leases, facts, and that nothing is written.
 * @module
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveEtcd, startEtcd, type EtcdServer } from '@atrest/test-support';
import { LiveCompactedError, openLiveEtcd, type LiveEtcd, type LiveRevision } from '../src/index.js';
import type { KeyValue } from '@atrest/etcd-snapshot';

const enc = new TextEncoder();
const dec = new TextDecoder();
const options = (endpoint: string) => ({ endpoints: [endpoint], dialTimeoutMs: 2000, commandTimeoutMs: 5000 });

describe.skipIf(!haveEtcd())('etcd-live over plain HTTP', () => {
  let etcd: EtcdServer;
  let live: LiveEtcd;
  beforeAll(async () => {
    etcd = await startEtcd();
    live = await openLiveEtcd(options(etcd.endpoint));
  });
  afterAll(async () => {
    live?.close();
    await etcd?.stop();
  });

  it('latest() reads every key at one revision even while writes happen between pages', async () => {
    // 25 keys, page size 4: 7 pages, with a write (new key, update, delete) after each.
    for (let i = 0; i < 25; i++) etcd.put(`/registry/secrets/ns/s${String(i).padStart(2, '0')}`, enc.encode(`v${i}`));
    const before = JSON.parse(etcd.ctl(['get', '/registry/', '--prefix', '--keys-only', '-w', 'json'])).header.revision as number;
    const seen: KeyValue[] = [];
    const it = live.latest(enc.encode('/registry/secrets/'), { pageSize: 4 });
    let page = 0;
    for await (const batch of it) {
      expect(batch.length).toBeLessThanOrEqual(4);
      seen.push(...batch);
      etcd.put(`/registry/secrets/ns/s${String(page).padStart(2, '0')}`, enc.encode('changed'));
      etcd.put(`/registry/secrets/ns/zz-new${page}`, enc.encode('new'));
      etcd.del(`/registry/secrets/ns/s${String(24 - page).padStart(2, '0')}`);
      page++;
    }
    expect(await it.revision).toBe(before);
    expect(seen.map((kv) => dec.decode(kv.key))).toEqual(Array.from({ length: 25 }, (_, i) => `/registry/secrets/ns/s${String(i).padStart(2, '0')}`));
    expect(seen.every((kv, i) => dec.decode(kv.value) === `v${i}` && kv.modRevision <= before && kv.version === 1 && kv.lease === 0n)).toBe(true);
  });

  it('history() after puts, deletes and a compaction returns exactly the surviving revisions', async () => {
    const p = '/registry/configmaps/h/';
    const written: { key: string; main: number; value: string; tombstone: boolean }[] = [];
    const put = (k: string, v: string): void => void written.push({ key: p + k, main: etcd.put(p + k, enc.encode(v)), value: v, tombstone: false });
    const del = (k: string): void => void written.push({ key: p + k, main: etcd.del(p + k), value: '', tombstone: true });
    put('a', 'a1');
    put('b', 'b1');
    put('a', 'a2');
    del('b');
    put('c', 'c1');
    put('a', 'a3');
    // Compact at the revision of c1: a2 is what `a` had then, b was deleted, c1 survives.
    const compactAt = (written[4] as { main: number }).main;
    etcd.ctl(['compaction', String(compactAt)]);
    put('b', 'b2');
    del('c');
    put('a', 'a4');
    const headBefore = (await live.facts()).revision;

    const got: LiveRevision[] = [];
    for await (const batch of live.history(enc.encode(p))) got.push(...batch);
    const expected = [
      // the state at the compaction revision, in key order
      { key: p + 'a', main: (written[2] as { main: number }).main, value: 'a2', tombstone: false },
      { key: p + 'c', main: compactAt, value: 'c1', tombstone: false },
      // then every later event in revision order
      ...written.filter((w) => w.main > compactAt),
    ];
    expect(got.map((r) => ({ key: dec.decode(r.kv.key), main: r.revision.main, value: dec.decode(r.kv.value), tombstone: r.tombstone }))).toEqual(expected);
    expect(got.every((r) => r.revision.sub === 0)).toBe(true);
    const facts = await live.facts();
    expect(facts.compactRevision).toBe(compactAt);
    expect(facts.revision).toBe(headBefore);
    // a compacted revision is a typed error carrying the compaction revision
    const err = await live.get(enc.encode(p + 'a'), compactAt - 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LiveCompactedError);
    expect((err as LiveCompactedError).compactRevision).toBe(compactAt);
    // history up to a chosen revision stops there
    const upTo = (written[7] as { main: number }).main;
    const partial: LiveRevision[] = [];
    for await (const batch of live.history(enc.encode(p), { revision: upTo })) partial.push(...batch);
    expect(partial.map((r) => r.revision.main)).toEqual(expected.filter((e) => e.main <= upTo).map((e) => e.main));
  });

  it('reports leases, get() and facts, and writes nothing', async () => {
    const granted = etcd.ctl(['lease', 'grant', '600']);
    const leaseHex = /lease ([0-9a-f]+) granted/.exec(granted)?.[1] as string;
    etcd.ctl(['put', '/registry/events/ns/e1', 'ev', '--lease', leaseHex]);
    const head = (await live.facts()).revision;
    const kv = await live.get(enc.encode('/registry/events/ns/e1'));
    expect(kv?.lease).toBe(BigInt('0x' + leaseHex));
    expect(await live.get(enc.encode('/registry/events/ns/none'))).toBeUndefined();
    const all: KeyValue[] = [];
    for await (const b of live.latest(new Uint8Array(0), { pageSize: 7 })) all.push(...b);
    expect(all.find((k) => dec.decode(k.key) === '/registry/events/ns/e1')?.lease).toBe(BigInt('0x' + leaseHex));
    for await (const b of live.history(enc.encode('/registry/'))) void b;
    const facts = await live.facts();
    expect(facts.revision).toBe(head);
    expect(facts.clusterId).not.toBe(0n);
    expect(facts.memberId).not.toBe(0n);
    expect(facts.dbSize).toBeGreaterThan(0);
    expect(facts.dbSizeInUse).toBeGreaterThan(0);
    expect(facts.dbSizeInUse).toBeLessThanOrEqual(facts.dbSize);
    expect(facts.members).toHaveLength(1);
  });
});
