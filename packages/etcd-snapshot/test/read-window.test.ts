/**
 * The read-ahead policy on access patterns of known shape (a fake file: reads are counted, bytes
 * are the offsets' low bits), so its costs are checked without timing anything.
 */
import { describe, expect, it } from 'vitest';
// Internal: the policy decides how many system calls a scan costs, so it is tested directly.
import { ReadWindow } from '../src/_read-window.js';

const PAGE = 4096;
const SIZE = 1 << 30; // the end of the (fake) data

function harness(capacity = 1 << 20) {
  const reads: number[] = [];
  const w = new ReadWindow(capacity, PAGE, (buf, n, pos) => {
    reads.push(n);
    for (let i = 0; i < n; i += PAGE) buf[i] = ((pos + i) / PAGE) & 0xff;
  });
  const page = (id: number, span = 1): void => {
    const v = w.view(id * PAGE, span * PAGE, SIZE) as Uint8Array;
    expect(v[0]).toBe(id & 0xff); // the right bytes
    expect(v.length).toBe(span * PAGE);
  };
  return { w, reads, page, bytes: () => reads.reduce((a, b) => a + b, 0) };
}

describe('read-ahead', () => {
  it('reads an ordered run of pages in window-sized reads, about once', () => {
    const h = harness();
    for (let id = 2; id < 8002; id += 2) h.page(id, 2);
    expect(h.bytes()).toBeLessThan(1.05 * 8000 * PAGE);
    expect(h.reads.length).toBeLessThan(50);
    expect(Math.max(...h.reads)).toBeLessThanOrEqual(1 << 20);
  });

  it('keeps the run through short excursions (a branch page ahead, leaves rewritten behind)', () => {
    const h = harness();
    for (let id = 10_000; id < 18_000; id += 2) {
      h.page(id, 2);
      if (id % 200 === 0) h.page(30_000 + id / 2); // a branch page far ahead
      if (id % 300 === 0) h.page(id - 5000, 2); // an old leaf behind
    }
    expect(h.bytes()).toBeLessThan(1.3 * 8000 * PAGE);
    expect(h.reads.length).toBeLessThan(200);
  });

  it('follows the walk when it moves for good', () => {
    const h = harness();
    for (let id = 100; id < 2100; id++) h.page(id);
    const before = h.reads.length;
    for (let id = 50_000; id < 54_000; id++) h.page(id);
    expect(h.reads.length - before).toBeLessThan(30);
  });

  it('reads little more than asked for at random', () => {
    const h = harness();
    let x = 7;
    for (let i = 0; i < 2000; i++) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      h.page(2 + (x % 15_000));
    }
    expect(h.bytes()).toBeLessThanOrEqual(2000 * 2 * PAGE);
  });

  it('answers requests larger than the window with undefined, and stays within its budget', () => {
    const h = harness(8 * PAGE);
    expect(h.w.view(0, 9 * PAGE, SIZE)).toBeUndefined();
    for (let id = 0; id < 100; id++) h.page(id);
    expect(Math.max(...h.reads)).toBeLessThanOrEqual(8 * PAGE);
    expect(new ReadWindow(0, PAGE, () => undefined).capacity).toBe(PAGE);
  });

  it('counts refills, so borrowed views can be known to be stale', () => {
    const h = harness(4 * PAGE);
    h.page(0);
    const g = h.w.generation;
    h.page(1);
    expect(h.w.generation).toBe(g); // a hit
    h.page(500);
    expect(h.w.generation).toBeGreaterThan(g);
  });
});
