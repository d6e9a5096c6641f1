/**
 * `BoltReader.get()` on a built three-level bucket tree (a branch over branches over 32 leaves,
 * 1,600 keys): every key is found with its value, keys between, before and after them are not,
 * and one lookup reads one page per level, not the bucket.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { BoltReader } from '@atrest/etcd-snapshot';
import { buildBolt, type LeafItem, type PageSpec } from '@atrest/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { scratch, writeCopy } from './_fixtures.js';

const MIDS = 4;
const LEAVES_PER_MID = 8;
const KEYS_PER_LEAF = 50;
const LEAVES = MIDS * LEAVES_PER_MID;
const key = (i: number): string => `k${String(i * 2).padStart(5, '0')}`; // even numbers: odd ones fall between keys
const value = (i: number): string => `value-${i}`;

// Page ids: 2 freelist, 3 the root leaf (bucket "b"), 4.. the leaves, then the middle branches, then the top branch.
const firstLeaf = 4;
const firstMid = firstLeaf + LEAVES;
const top = firstMid + MIDS;
const leaves: PageSpec[] = Array.from({ length: LEAVES }, (_, l) => ({
  type: 'leaf',
  items: Array.from({ length: KEYS_PER_LEAF }, (_, j): LeafItem => ({ key: key(l * KEYS_PER_LEAF + j), value: value(l * KEYS_PER_LEAF + j) })),
}));
const mids: PageSpec[] = Array.from({ length: MIDS }, (_, m) => ({
  type: 'branch',
  children: Array.from({ length: LEAVES_PER_MID }, (_, j) => {
    const l = m * LEAVES_PER_MID + j;
    return { key: key(l * KEYS_PER_LEAF), pgid: firstLeaf + l };
  }),
}));
const topBranch: PageSpec = { type: 'branch', children: Array.from({ length: MIDS }, (_, m) => ({ key: key(m * LEAVES_PER_MID * KEYS_PER_LEAF), pgid: firstMid + m })) };
const pages: PageSpec[] = [{ type: 'freelist' }, { type: 'leaf', items: [{ key: 'b', value: { root: top } }] }, ...leaves, ...mids, topBranch];

const tmp = scratch();
afterAll(() => tmp.cleanup());
const path = writeCopy(tmp.dir, 'deep.db', buildBolt(4096, 3, pages));
const total = LEAVES * KEYS_PER_LEAF;

/** How many positional reads `fn` makes (node:fs readSync, counted through the builtin's live bindings). */
function readsOf(fn: () => void): number {
  const original = fs.readSync;
  let n = 0;
  fs.readSync = ((...args: Parameters<typeof fs.readSync>) => {
    n++;
    return (original as (...a: Parameters<typeof fs.readSync>) => number)(...args);
  }) as typeof fs.readSync;
  syncBuiltinESMExports();
  try {
    fn();
  } finally {
    fs.readSync = original;
    syncBuiltinESMExports();
  }
  return n;
}

describe('get() on a three-level tree', () => {
  const db = BoltReader.open(path);
  afterAll(() => db.close());

  it('the tree is three levels under the root bucket', () => {
    const entries = [...db.iterate(['b'])];
    expect(entries).toHaveLength(total);
    expect(new Set(entries.map((e) => e.pageId)).size).toBe(LEAVES);
  });

  it('finds every key with its value, and nothing between, before or after them', () => {
    for (let i = 0; i < total; i++) {
      expect(Buffer.from(db.get(['b'], key(i)) ?? []).toString()).toBe(value(i));
      expect(db.get(['b'], `k${String(i * 2 + 1).padStart(5, '0')}`)).toBeUndefined();
    }
    expect(db.get(['b'], 'a')).toBeUndefined();
    expect(db.get(['b'], 'k')).toBeUndefined();
    expect(db.get(['b'], 'z')).toBeUndefined();
    expect(db.get(['b'], new Uint8Array(0))).toBeUndefined();
  });

  it('one lookup reads one page per level, where reading the bucket reads every leaf', () => {
    const cold = (): BoltReader => BoltReader.open(path, { readAhead: 0 });
    const a = cold();
    const b = cold();
    try {
      const lookup = readsOf(() => expect(Buffer.from(a.get(['b'], key(total - 7)) ?? []).toString()).toBe(value(total - 7)));
      const scan = readsOf(() => expect([...b.iterate(['b'])]).toHaveLength(total));
      expect(lookup).toBeGreaterThan(0); // the hook sees reads
      expect(lookup).toBeLessThanOrEqual(4); // the root leaf, the top branch, a middle branch, a leaf
      expect(scan).toBeGreaterThanOrEqual(LEAVES);
    } finally {
      a.close();
      b.close();
    }
  });
});
