import { describe, expect, it } from 'vitest';
// The cache is internal; its bound is what keeps a reader's memory flat, so it is tested directly.
import { WeightedLru } from '../src/_lru.js';

describe('page cache', () => {
  it('never holds more than its budget and evicts the least recently used', () => {
    const lru = new WeightedLru<number, string>(4);
    for (let i = 0; i < 100; i++) {
      lru.set(i, `p${i}`, 1 + (i % 3));
      expect(lru.weight).toBeLessThanOrEqual(4);
    }
    lru.set(1, 'a', 1);
    lru.set(2, 'b', 1);
    lru.set(3, 'c', 1);
    lru.set(4, 'd', 1);
    expect(lru.get(1)).toBe('a'); // 1 is now the most recent
    lru.set(5, 'e', 1);
    expect(lru.get(2)).toBeUndefined();
    expect(lru.get(1)).toBe('a');
  });

  it('does not cache an item heavier than the budget', () => {
    const lru = new WeightedLru<number, string>(2);
    lru.set(1, 'small', 1);
    lru.set(2, 'huge', 3);
    expect(lru.get(2)).toBeUndefined();
    expect(lru.get(1)).toBe('small');
    expect(new WeightedLru<number, string>(0).weight).toBe(0);
  });
});
