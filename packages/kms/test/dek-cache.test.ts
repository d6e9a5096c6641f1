import { inspect } from 'node:util';
import { nodeBackend } from '@atrest/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DekCache } from '../src/_dek-cache.js';

describe('DekCache', () => {
  it('evicts the least recently used entry beyond capacity', () => {
    const c = new DekCache<string>({ capacity: 2, backend: nodeBackend });
    c.set('a', '1');
    c.set('b', '2');
    expect(c.get('a')).toBe('1');
    c.set('c', '3');
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe('1');
    expect(c.size).toBe(2);
  });

  it('does not store when disabled, but still coalesces', async () => {
    const c = new DekCache<number>({ capacity: -1, backend: nodeBackend });
    let calls = 0;
    const loader = () => Promise.resolve(++calls);
    const [x, y] = await Promise.all([c.load('k', loader), c.load('k', loader)]);
    expect([x, y, calls, c.size]).toEqual([1, 1, 1, 0]);
    await c.load('k', loader);
    expect(calls).toBe(2);
  });

  it('does not cache failures, including synchronous throws', async () => {
    const c = new DekCache<number>({ capacity: 5, backend: nodeBackend });
    await expect(
      c.load('k', () => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    await expect(c.load('k', () => Promise.reject(new Error('async')))).rejects.toThrow('async');
    expect(await c.load('k', () => Promise.resolve(7))).toBe(7);
    expect(c.get('k')).toBe(7);
  });

  it('keys short inputs by value and long inputs by a keyed hash, without collisions between the forms', () => {
    const c = new DekCache<number>({ capacity: 5, backend: nodeBackend });
    const long = new Uint8Array(1000).fill(7);
    expect(c.keyOf(new Uint8Array([1, 2]))).toBe('r\u0001\u0002');
    expect(c.keyOf(long)).toHaveLength(33);
    expect(c.keyOf(long)).toBe(c.keyOf(long.slice()));
    expect(c.keyOf(long)).not.toBe(c.keyOf(new Uint8Array(1000).fill(8)));
  });

  it('prints no values', () => {
    const c = new DekCache<Uint8Array>({ capacity: 5, backend: nodeBackend });
    c.set('k', new Uint8Array([0xde, 0xad, 0xbe, 0xef]));
    for (const shown of [String(c), JSON.stringify({ c }), inspect(c, { showHidden: true, depth: 9 })]) {
      expect(shown).toContain('redacted');
      expect(shown).not.toMatch(/222|0xde|deadbeef/i);
    }
  });
});

describe('DekCache LRU order (lazy promotion)', () => {
  /** Exact LRU reference: a Map in recency order. */
  function reference(capacity: number) {
    const m = new Map<string, number>();
    return {
      get(k: string) {
        const v = m.get(k);
        if (v !== undefined) {
          m.delete(k);
          m.set(k, v);
        }
        return v;
      },
      set(k: string, v: number) {
        m.delete(k);
        m.set(k, v);
        while (m.size > capacity) m.delete(m.keys().next().value as string);
      },
      recent: (n: number) => [...m.keys()].slice(-n),
      capacity,
    };
  }
  const ops = fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 15 })), { maxLength: 300 });
  type Step = (c: DekCache<number>, r: ReturnType<typeof reference>, isSet: boolean, key: string, i: number) => void;
  /** A property: for capacities in [min, max], each operation of a random sequence is `step`ped on a cache and the reference, and the cache never holds more than its capacity. */
  const replayed = (min: number, max: number, step: Step) =>
    fc.property(fc.integer({ min, max }), ops, (capacity, seq) => {
      const c = new DekCache<number>({ capacity, backend: nodeBackend });
      const r = reference(capacity);
      seq.forEach(([isSet, k], i) => {
        step(c, r, isSet, `k${k}`, i);
        expect(c.size).toBeLessThanOrEqual(capacity);
      });
    });

  it('is exact LRU for capacities up to 3', () => {
    fc.assert(
      replayed(1, 3, (c, r, isSet, key, i) => {
        if (isSet) {
          c.set(key, i);
          r.set(key, i);
        } else {
          expect(c.get(key)).toBe(r.get(key));
        }
      }),
    );
  });

  it('never evicts one of the most recently used quarter, and holds at most `capacity`', () => {
    fc.assert(
      replayed(4, 12, (c, r, isSet, key, i) => {
        // A miss is followed by a load, as in the providers; the reference sees the same uses.
        if (isSet || c.get(key) === undefined) c.set(key, i);
        if (isSet || r.get(key) === undefined) r.set(key, i);
        for (const recent of r.recent(Math.floor(r.capacity / 4))) expect(c.has(recent)).toBe(true);
      }),
    );
  });
});
