import { AtrestError } from '@atrest/core';
import { BoltReader, openSnapshot } from '@atrest/etcd-snapshot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBolt, type PageSpec } from '@atrest/test-support';
import { scratch, writeCopy } from './_fixtures.js';

const PAGE = 512;
const big = new Uint8Array(1500).map((_, i) => (i * 31 + 7) & 0xff);
const ks = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `k${String(from + i).padStart(2, '0')}`);

// Page ids: 2 freelist, 3 root bucket, 4 branch of bucket b, 5 leaf (with overflow: 5..8), 9 leaf, 10 leaf of b/z.
const pages: PageSpec[] = [
  { type: 'freelist' },
  {
    type: 'leaf',
    items: [
      { key: 'a', value: { inline: [{ key: 'sub', value: { inline: [{ key: 'deep', value: 'v' }] } }, { key: 'x', value: '1' }] } },
      { key: 'b', value: { root: 4 } },
      { key: 'c', value: { inline: [] } },
    ],
  },
  { type: 'branch', children: [{ key: 'k00', pgid: 5 }, { key: 'k05', pgid: 9 }] },
  { type: 'leaf', items: ks(0, 5).map((key) => ({ key, value: key === 'k02' ? big : `value of ${key}` })) },
  { type: 'leaf', items: [...ks(5, 10).map((key) => ({ key, value: `value of ${key}` })), { key: 'z', value: { root: 10 } }] },
  { type: 'leaf', items: [{ key: 'deep1', value: 'v1' }] },
];

let dir: string;
let cleanup: () => void;
let path: string;
beforeAll(() => {
  ({ dir, cleanup } = scratch());
  path = writeCopy(dir, 'nested.db', buildBolt(PAGE, 3, pages));
});
afterAll(() => cleanup());

const names = (it: Iterable<{ key: Uint8Array }>) => [...it].map((e) => Buffer.from(e.key).toString());

describe('a crafted bbolt file with nested, inline and overflow pages', () => {
  it('opens with its own page size and no trailer', () => {
    const db = BoltReader.open(path);
    try {
      expect(db.pageSize).toBe(PAGE);
      expect(db.meta.txid).toBe(2n);
      expect(db.trailerPresent).toBe(false);
      expect(db.unusedTrailingBytes).toBe(0);
      expect(db.buckets()).toEqual(['a', 'b', 'c']);
    } finally {
      db.close();
    }
  });

  it('reads inline buckets, nested inline buckets, and an empty one', () => {
    const db = BoltReader.open(path);
    try {
      const a = [...db.iterate(['a'])];
      expect(a.map((e) => [Buffer.from(e.key).toString(), e.bucket, e.value && Buffer.from(e.value).toString()])).toEqual([
        ['sub', true, null],
        ['x', false, '1'],
      ]);
      expect(names(db.iterate(['a', 'sub']))).toEqual(['deep']);
      expect(Buffer.from(db.get(['a', 'sub'], 'deep') ?? []).toString()).toBe('v');
      expect([...db.iterate(['c'])]).toEqual([]);
      expect(db.hasBucket(['a', 'x'])).toBe(false);
      expect(db.hasBucket(['a', 'sub'])).toBe(true);
    } finally {
      db.close();
    }
  });

  it('reads a branched bucket with an overflow leaf and a nested bucket with its own root page', () => {
    const db = BoltReader.open(path, { pageCacheSize: 1 });
    try {
      const b = [...db.iterate(['b'])];
      expect(names(b)).toEqual([...ks(0, 10), 'z']);
      expect(b.find((e) => Buffer.from(e.key).toString() === 'k02')?.value).toEqual(big);
      expect(b.find((e) => Buffer.from(e.key).toString() === 'k02')?.pageId).toBe(5);
      expect(b.find((e) => Buffer.from(e.key).toString() === 'z')?.bucket).toBe(true);
      expect(names(db.iterate(['b', 'z']))).toEqual(['deep1']);
      expect(db.get(['b'], 'k07')).toEqual(new Uint8Array(Buffer.from('value of k07')));
    } finally {
      db.close();
    }
  });

  it('as a snapshot: no key bucket is a clear error, the meta values are absent', () => {
    const snap = openSnapshot(writeCopy(dir, 'nested-trailer.db', buildBolt(PAGE, 3, pages, { trailer: true })));
    try {
      expect(snap.info().trailer.valid).toBe(true);
      expect(snap.info().meta).toEqual({ consistentIndex: null, finishedCompactRev: null, scheduledCompactRev: null });
      expect(() => [...snap.revisions()]).toThrow(AtrestError);
    } finally {
      snap.close();
    }
  });

  it('a nested bucket that points back at its parent is a cycle', () => {
    const cyclic = pages.map((p, i) => (i === 5 ? { type: 'leaf' as const, items: [{ key: 'deep1', value: { root: 4 } }] } : p));
    const db = BoltReader.open(writeCopy(dir, 'cyclic.db', buildBolt(PAGE, 3, cyclic)));
    try {
      // Walking b/z/deep1 re-enters page 4 in a new traversal: allowed, and finite.
      expect(names(db.iterate(['b', 'z', 'deep1']))).toEqual([...ks(0, 10), 'z']);
      // A branch whose child is itself is not.
      const self = pages.map((p, i) => (i === 2 ? { type: 'branch' as const, children: [{ key: 'k00', pgid: 4 }] } : p));
      const db2 = BoltReader.open(writeCopy(dir, 'self.db', buildBolt(PAGE, 3, self)));
      try {
        expect(() => [...db2.iterate(['b'])]).toThrow(/page cycle/);
      } finally {
        db2.close();
      }
    } finally {
      db.close();
    }
  });

  it('a deep chain of nested buckets is walked without recursion', () => {
    // 2000 nested buckets, each with its own root page pointing at the next.
    const depth = 2000;
    const chain: PageSpec[] = [{ type: 'freelist' }];
    for (let i = 0; i < depth; i++) chain.push({ type: 'leaf', items: [{ key: 'n', value: i + 1 < depth ? { root: 3 + i + 1 } : 'end' }] });
    const db = BoltReader.open(writeCopy(dir, 'deep.db', buildBolt(PAGE, 3, chain)));
    try {
      const path = Array.from({ length: depth - 1 }, () => 'n');
      expect(Buffer.from(db.get(path, 'n') ?? []).toString()).toBe('end');
    } finally {
      db.close();
    }
  });
});
