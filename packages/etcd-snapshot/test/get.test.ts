/**
 * `BoltReader.get()` and bucket lookup descend the tree by key: every key of the sample's buckets
 * is found with its value, keys between them and around them are not, and nested buckets are
 * buckets, not values.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BoltReader } from '@atrest/etcd-snapshot';

const db = BoltReader.open(join(import.meta.dirname, '..', '..', '..', 'test-vectors', 'etcd', 'sample.db'));
afterAll(() => db.close());

describe('get() by key', () => {
  it.each([['key'], ['meta']])('finds every key of bucket %s with its value, and nothing between keys', (bucket) => {
    const entries = [...db.iterate([bucket])];
    expect(entries.length).toBeGreaterThan(0);
    // The key bucket spans many leaf pages under branch pages: get() must descend, not just scan one leaf.
    if (bucket === 'key') expect(new Set(entries.map((e) => e.pageId)).size).toBeGreaterThan(10);
    for (const e of entries) {
      expect(Buffer.from(db.get([bucket], e.key) ?? [])).toEqual(Buffer.from(e.value ?? []));
      expect(db.get([bucket], Uint8Array.from([...e.key, 0]))).toBeUndefined(); // just after
      if (e.key.length > 0) expect(db.get([bucket], e.key.subarray(0, e.key.length - 1))).toBeUndefined(); // a prefix
    }
    expect(db.get([bucket], new Uint8Array(0))).toBeUndefined();
    expect(db.get([bucket], new Uint8Array(40).fill(0xff))).toBeUndefined();
  });

  it('a nested bucket is not a value, and an absent bucket is an error', () => {
    expect(db.get([], 'key')).toBeUndefined();
    expect(db.hasBucket(['key'])).toBe(true);
    expect(db.hasBucket(['nosuch'])).toBe(false);
    expect(() => db.get(['nosuch'], 'x')).toThrow(/bucket not found/);
  });
});
