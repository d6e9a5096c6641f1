/**
 * Faults against real etcd: nothing listening, a three-member cluster with one member stopped,
 * and a compaction of revisions a history read needs.
 * @module
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@atrest/core';
import { freePort, haveEtcd, startEtcd, startEtcdCluster, type EtcdCluster, type EtcdServer } from '@atrest/test-support';
import { LiveCompactedError, LiveUnreachableError, openLiveEtcd, type LiveEtcd, type LiveRevision } from '../src/index.js';
import type { KeyValue } from '@atrest/etcd-snapshot';
import { openFailure } from './_open-failure.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const DIAL_MS = 2000;
const COMMAND_MS = 3000;

describe.skipIf(!haveEtcd())('etcd-live faults', () => {
  it('no etcd at the endpoint is a LiveUnreachableError naming it, within the dial timeout', async () => {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const { err, ms: elapsed } = await openFailure({ endpoints: [endpoint], dialTimeoutMs: DIAL_MS, commandTimeoutMs: COMMAND_MS });
    expect(err).toBeInstanceOf(LiveUnreachableError);
    const e = err as LiveUnreachableError;
    expect(e.code).toBe(ErrorCode.EtcdUnreachable);
    expect(e.endpoints).toEqual([endpoint]);
    expect(e.message).toContain(endpoint);
    expect(e.message).toMatch(/ECONNREFUSED/);
    expect(e.message).toMatch(/check --endpoints and that etcd is running/);
    expect(elapsed).toBeLessThan(DIAL_MS + 1000);
  });

  it('two endpoints with nothing listening are one error naming both', async () => {
    const endpoints = [`http://127.0.0.1:${await freePort()}`, `http://127.0.0.1:${await freePort()}`];
    const t0 = Date.now();
    const err = await openLiveEtcd({ endpoints, dialTimeoutMs: DIAL_MS, commandTimeoutMs: COMMAND_MS }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LiveUnreachableError);
    for (const ep of endpoints) expect((err as Error).message).toContain(ep);
    expect(Date.now() - t0).toBeLessThan(DIAL_MS + 1000);
  });

  describe('a three-member cluster with one member stopped', () => {
    let cluster: EtcdCluster;
    let live: LiveEtcd | undefined;
    const p = '/registry/secrets/cluster/';
    const written: { key: string; main: number; value: string }[] = [];
    beforeAll(async () => {
      cluster = await startEtcdCluster(3);
      const m1 = cluster.members[1] as EtcdServer;
      for (let i = 0; i < 6; i++) {
        const key = `${p}s${i}`;
        written.push({ key, main: m1.put(key, enc.encode(`v${i}`)), value: `v${i}` });
      }
      written.push({ key: `${p}s0`, main: m1.put(`${p}s0`, enc.encode('v0b')), value: 'v0b' });
    }, 120_000);
    afterAll(async () => {
      live?.close();
      await cluster?.stop();
    }, 60_000);

    it('latest() and history() complete through the others, with the first endpoint’s member stopped', async () => {
      // The first endpoint is the stopped one: every call that tries it first must move on.
      await (cluster.members[0] as EtcdServer).stop();
      const t0 = Date.now();
      live = await openLiveEtcd({ endpoints: [...cluster.endpoints], dialTimeoutMs: DIAL_MS, commandTimeoutMs: COMMAND_MS });
      const seen: KeyValue[] = [];
      const it = live.latest(enc.encode(p), { pageSize: 2 });
      for await (const b of it) seen.push(...b);
      expect(seen.map((kv) => `${dec.decode(kv.key)}=${dec.decode(kv.value)}`)).toEqual([
        `${p}s0=v0b`,
        ...[1, 2, 3, 4, 5].map((i) => `${p}s${i}=v${i}`),
      ]);
      const hist: LiveRevision[] = [];
      for await (const b of live.history(enc.encode(p))) hist.push(...b);
      expect(hist.map((r) => ({ key: dec.decode(r.kv.key), main: r.revision.main, value: dec.decode(r.kv.value) }))).toEqual(written);
      const facts = await live.facts();
      expect(facts.members).toHaveLength(3);
      expect(facts.revision).toBe(await it.revision);
      for (let i = 0; i < 5; i++) expect(dec.decode((await live.get(enc.encode(`${p}s${i}`)))?.value)).toBe(i === 0 ? 'v0b' : `v${i}`);
      expect(Date.now() - t0).toBeLessThan(20_000);
    }, 60_000);

    it('history() opens its watch again on another member when the stream first lands on the stopped one', async () => {
      // etcd3 sends a watch to a member picked at random: with the stopped member listed three
      // times, most fresh connections send their first watch there.
      await (cluster.members[0] as EtcdServer).stop();
      const dead = cluster.endpoints[0] as string;
      for (let run = 0; run < 4; run++) {
        const fresh = await openLiveEtcd({ endpoints: [dead, dead, dead, ...cluster.endpoints.slice(1)], dialTimeoutMs: DIAL_MS, commandTimeoutMs: COMMAND_MS });
        try {
          const hist: LiveRevision[] = [];
          for await (const b of fresh.history(enc.encode(p))) hist.push(...b);
          expect(hist.map((r) => ({ key: dec.decode(r.kv.key), main: r.revision.main, value: dec.decode(r.kv.value) }))).toEqual(written);
        } finally {
          fresh.close();
        }
      }
    }, 90_000);
  });

  describe('compaction', () => {
    let etcd: EtcdServer;
    let live: LiveEtcd | undefined;
    beforeAll(async () => {
      etcd = await startEtcd();
      live = await openLiveEtcd({ endpoints: [etcd.endpoint], dialTimeoutMs: DIAL_MS, commandTimeoutMs: COMMAND_MS });
    }, 60_000);
    afterAll(async () => {
      live?.close();
      await etcd?.stop();
    });

    it('history() up to a revision that was compacted away is a LiveCompactedError', async () => {
      const p = '/registry/configmaps/compact/';
      const first = etcd.put(`${p}a`, enc.encode('a1'));
      etcd.put(`${p}a`, enc.encode('a2'));
      const head = etcd.put(`${p}b`, enc.encode('b1'));
      etcd.ctl(['compaction', String(head)]);
      const err = await (async () => {
        for await (const b of (live as LiveEtcd).history(enc.encode(p), { revision: first })) void b;
      })().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LiveCompactedError);
      const e = err as LiveCompactedError;
      expect(e.code).toBe(ErrorCode.EtcdCompacted);
      expect(e.requestedRevision).toBe(first);
      expect(e.compactRevision).toBe(head);
      expect(e.context).toMatchObject({ requestedRevision: first, compactRevision: head, endpoints: etcd.endpoint });
      expect(e.message).toContain(etcd.endpoint);
      expect(e.message).toMatch(new RegExp(`compacted revision ${first} away \\(compaction revision ${head}\\); run again, reading at revision ${head} or later`));
    });
  });
});
