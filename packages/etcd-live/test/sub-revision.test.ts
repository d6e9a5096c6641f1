/**
 * Sub revisions: a transaction writes several keys in one revision, and history() numbers them
 * 0, 1, 2… in the transaction's order, exactly as etcd's own store (read back from
 * `etcdctl snapshot save`) does.
 * @module
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveEtcd, startEtcd, type EtcdServer } from '@atrest/test-support';
import { openSnapshot } from '@atrest/etcd-snapshot';
import { openLiveEtcd, type LiveEtcd, type LiveRevision } from '../src/index.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

interface Row {
  readonly key: string;
  readonly main: number;
  readonly sub: number;
  readonly tombstone: boolean;
  readonly value: string;
}
const row = (r: { revision: { main: number; sub: number }; tombstone: boolean; kv: { key: Uint8Array; value: Uint8Array } }): Row => ({
  key: dec.decode(r.kv.key),
  main: r.revision.main,
  sub: r.revision.sub,
  tombstone: r.tombstone,
  value: dec.decode(r.kv.value),
});

describe.skipIf(!haveEtcd())('etcd-live sub revisions of a transaction', () => {
  let etcd: EtcdServer;
  let live: LiveEtcd;
  /** `etcdctl txn` with no compares and these success operations; returns the revision. */
  const txn = (ops: string[]): number => JSON.parse(etcd.ctl(['txn', '-w', 'json'], enc.encode(`\n${ops.join('\n')}\n\n\n`))).header.revision as number;
  const history = async (prefix: string): Promise<Row[]> => {
    const out: Row[] = [];
    for await (const b of live.history(enc.encode(prefix))) out.push(...b.map((r: LiveRevision) => row(r)));
    return out;
  };
  let snapshotRows: Row[];
  let txnRev: number;
  let mixedRev: number;

  beforeAll(async () => {
    etcd = await startEtcd();
    live = await openLiveEtcd({ endpoints: [etcd.endpoint], dialTimeoutMs: 2000, commandTimeoutMs: 5000 });
    etcd.put('/registry/secrets/tx/x', enc.encode('x0'));
    // Not in key order, with a delete in the middle: the sub revision follows the operations.
    txnRev = txn(['put /registry/secrets/tx/c "c1"', 'put /registry/secrets/tx/a "a1"', 'del /registry/secrets/tx/x', 'put /registry/secrets/tx/b "b1"']);
    // A transaction that also writes outside the prefix, first.
    mixedRev = txn(['put /other/o "o1"', 'put /registry/secrets/tx/a "a2"', 'put /registry/secrets/tx/d "d1"']);
    etcd.put('/registry/secrets/tx/a', enc.encode('a3'));
    const file = join(etcd.dir, 'sub.db');
    etcd.ctl(['snapshot', 'save', file]);
    const snap = openSnapshot(file);
    try {
      snapshotRows = [...snap.revisions()].map(row);
    } finally {
      snap.close();
    }
  }, 60_000);
  afterAll(async () => {
    live?.close();
    await etcd?.stop();
  });

  it('numbers the keys of one transaction 0, 1, 2, 3 in the order of its operations', async () => {
    const got = (await history('/registry/secrets/tx/')).filter((r) => r.main === txnRev);
    expect(got).toEqual([
      { key: '/registry/secrets/tx/c', main: txnRev, sub: 0, tombstone: false, value: 'c1' },
      { key: '/registry/secrets/tx/a', main: txnRev, sub: 1, tombstone: false, value: 'a1' },
      { key: '/registry/secrets/tx/x', main: txnRev, sub: 2, tombstone: true, value: '' },
      { key: '/registry/secrets/tx/b', main: txnRev, sub: 3, tombstone: false, value: 'b1' },
    ]);
  });

  it('history of every key is exactly the snapshot’s revisions, sub revisions included', async () => {
    const all = await history('');
    expect(all).toEqual(snapshotRows);
    expect(snapshotRows.filter((r) => r.main === mixedRev).map((r) => [r.key, r.sub])).toEqual([
      ['/other/o', 0],
      ['/registry/secrets/tx/a', 1],
      ['/registry/secrets/tx/d', 2],
    ]);
  });

  it("under a prefix, sub revisions are etcd's own, also in a transaction that writes outside the prefix", async () => {
    const got = await history('/registry/secrets/tx/');
    const inPrefix = snapshotRows.filter((r) => r.key.startsWith('/registry/secrets/tx/'));
    expect(got).toEqual(inPrefix);
    // the mixed transaction: /other/o took sub 1, so the prefix's writes are 0 and 2, as in the snapshot
    expect(got.filter((r) => r.main === mixedRev).map((r) => r.sub)).not.toEqual([0, 1]);
  });
});
