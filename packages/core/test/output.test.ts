import { allocOutput, POOLED_MAX, setOutputPooling } from '@atrest/core/internal';
import { afterEach, describe, expect, it } from 'vitest';

describe('allocOutput', () => {
  afterEach(() => {
    setOutputPooling(true);
  });

  it('gives zeroed views of exactly the requested length, never overlapping', () => {
    const views = Array.from({ length: 200 }, (_, i) => allocOutput(i % 2 === 0 ? 'stored' : 'plaintext', (i * 37) % 1500));
    for (const v of views) expect(v.every((b) => b === 0)).toBe(true);
    const ranges = views.filter((v) => v.length > 0).map((v) => ({ buffer: v.buffer, start: v.byteOffset, end: v.byteOffset + v.length }));
    for (let i = 0; i < ranges.length; i++) {
      for (let j = i + 1; j < ranges.length; j++) {
        const a = ranges[i]!;
        const b = ranges[j]!;
        if (a.buffer === b.buffer) expect(a.end <= b.start || b.end <= a.start).toBe(true);
      }
    }
  });

  it('never puts stored bytes and plaintexts in the same slab', () => {
    const stored = new Set(Array.from({ length: 100 }, () => allocOutput('stored', 700).buffer));
    const plain = Array.from({ length: 100 }, () => allocOutput('plaintext', 700).buffer);
    for (const b of plain) expect(stored.has(b)).toBe(false);
  });

  it('gives large results, and every result when pooling is off, their own buffer', () => {
    const big = allocOutput('stored', POOLED_MAX + 1);
    expect(big.buffer.byteLength).toBe(POOLED_MAX + 1);
    expect(setOutputPooling(false)).toBe(true);
    const small = allocOutput('plaintext', 10);
    expect(small.byteOffset).toBe(0);
    expect(small.buffer.byteLength).toBe(10);
  });

  it('keeps pooled views 8-byte aligned', () => {
    for (let n = 1; n < 40; n++) expect(allocOutput('stored', n).byteOffset % 8).toBe(0);
  });

  it('a transfer of one result never detaches its neighbours', () => {
    const a = allocOutput('stored', 100);
    const b = allocOutput('stored', 100).fill(7);
    expect(a.buffer).toBe(b.buffer);
    try {
      structuredClone(a, { transfer: [a.buffer] });
    } catch {
      // Newer Node versions refuse to transfer an untransferable buffer; either way b survives.
    }
    expect(b.length).toBe(100);
    expect(b[99]).toBe(7);
  });
});
