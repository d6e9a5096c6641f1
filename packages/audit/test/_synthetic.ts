/**
 * Synthetic etcd snapshots for audit tests: a history of puts and deletes (any keys, any values,
 * several revisions per key, transactions, a compaction mark) written as etcd lays it out (bucket
 * `key`: revision keys in order, `mvccpb.KeyValue` values; bucket `meta`), through the test bbolt
 * writer of `@atrest/etcd-snapshot`. Fast enough to audit hundreds of histories in a test.
 *
 * @module
 */
import protobuf from 'protobufjs';
import { buildBolt, type LeafItem, leafSpan, type PageSpec } from '@atrest/test-support';

/** One write of the history. */
export interface Event {
  readonly key: Uint8Array;
  /** A put's stored value; absent for a delete. */
  readonly value?: Uint8Array;
}

/** Revision key: main (8 bytes BE), `_`, sub (8 bytes BE), and `t` for a delete. */
function revisionKey(main: number, sub: number, tombstone: boolean): Uint8Array {
  const b = Buffer.alloc(tombstone ? 18 : 17);
  b.writeBigUInt64BE(BigInt(main), 0);
  b[8] = 0x5f;
  b.writeBigUInt64BE(BigInt(sub), 9);
  if (tombstone) b[17] = 0x74;
  return b;
}

function keyValue(key: Uint8Array, create: number, mod: number, version: number, value: Uint8Array | undefined): Uint8Array {
  const w = protobuf.Writer.create();
  w.uint32((1 << 3) | 2).bytes(key);
  if (value !== undefined) {
    w.uint32((2 << 3) | 0).int64(create);
    w.uint32((3 << 3) | 0).int64(mod);
    w.uint32((4 << 3) | 0).int64(version);
    if (value.length > 0) w.uint32((5 << 3) | 2).bytes(value);
  }
  return w.finish();
}

/**
 * A bbolt file holding `transactions` (each one main revision; its writes get subs 0, 1, ...),
 * revisions starting at `first`, leaves of `perLeaf` entries under one branch page.
 */
export function syntheticSnapshot(transactions: readonly (readonly Event[])[], options: { first?: number; perLeaf?: number; compactAt?: number } = {}): Buffer {
  const PAGE = 4096;
  const entries: LeafItem[] = [];
  const created = new Map<string, { create: number; version: number }>();
  let main = options.first ?? 2;
  for (const txn of transactions) {
    txn.forEach((e, sub) => {
      const id = Buffer.from(e.key).toString('hex');
      if (e.value === undefined) {
        created.delete(id);
        entries.push({ key: revisionKey(main, sub, true), value: keyValue(e.key, 0, 0, 0, undefined) });
        return;
      }
      const c = created.get(id) ?? { create: main, version: 0 };
      c.version++;
      created.set(id, c);
      entries.push({ key: revisionKey(main, sub, false), value: keyValue(e.key, c.create, main, c.version, e.value) });
    });
    main++;
  }
  const perLeaf = options.perLeaf ?? 7;
  const leaves: LeafItem[][] = [];
  for (let i = 0; i < entries.length; i += perLeaf) leaves.push(entries.slice(i, i + perLeaf));
  if (leaves.length === 0) leaves.push([]);
  // Pages: 2 freelist, 3 root bucket leaf, 4 branch of bucket key, then the leaves.
  const children: { key: Uint8Array | string; pgid: number }[] = [];
  let pgid = 5;
  for (const items of leaves) {
    children.push({ key: items[0]?.key ?? '', pgid });
    pgid += Math.max(1, leafSpan(PAGE, items));
  }
  const meta: LeafItem[] = options.compactAt === undefined ? [] : [{ key: 'finishedCompactRev', value: revisionKey(options.compactAt, 0, false) }];
  const pages: PageSpec[] = [
    { type: 'freelist' },
    { type: 'leaf', items: [{ key: 'key', value: { root: 4 } }, { key: 'meta', value: { inline: meta } }] },
    { type: 'branch', children },
    ...leaves.map((items): PageSpec => ({ type: 'leaf', items })),
  ];
  return buildBolt(PAGE, 3, pages, { trailer: true });
}
