/**
 * `@atrest/core/wire`, the varint reader and writer shared by etcd-snapshot, kms and kube-objects:
 * round trips over the whole 64-bit range (as lo/hi halves), sizes, truncation, the byte limit,
 * bits past 64, and skipVarint against readVarint.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { putVarint, readVarint, skipVarint, varint, varintSize } from '@atrest/core/wire';

/** Reference encoder (bigint, any length). */
function encode(v: bigint): number[] {
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

function read(bytes: readonly number[], maxBytes = 10): { next: number; value: bigint } {
  const next = readVarint(Uint8Array.from(bytes), 0, bytes.length, maxBytes);
  return { next, value: (BigInt(varint.hi) << 32n) | BigInt(varint.lo) };
}

const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const safe = fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0, max: 0xffffffff }), fc.maxSafeInteger().map(Math.abs));

describe('@atrest/core/wire', () => {
  it('reads every 64-bit value back as its lo/hi halves', () => {
    fc.assert(
      fc.property(u64, (v) => {
        const bytes = encode(v);
        const { next, value } = read(bytes);
        expect(next).toBe(bytes.length);
        expect(varint.lo).toBe(Number(v & 0xffffffffn));
        expect(varint.hi).toBe(Number(v >> 32n));
        expect(value).toBe(v);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads at an offset and stops at end', () => {
    fc.assert(
      fc.property(u64, fc.uint8Array({ maxLength: 4 }), fc.uint8Array({ maxLength: 4 }), (v, pre, post) => {
        const bytes = Uint8Array.from([...pre, ...encode(v), ...post]);
        const end = bytes.length - post.length;
        expect(readVarint(bytes, pre.length, end, 10)).toBe(end);
        expect((BigInt(varint.hi) << 32n) | BigInt(varint.lo)).toBe(v);
      }),
    );
  });

  it('putVarint writes varintSize bytes that read back, as the reference encoder writes them', () => {
    fc.assert(
      fc.property(safe, (n) => {
        const size = varintSize(n);
        const out = new Uint8Array(size + 2).fill(0xee);
        expect(putVarint(out, 1, n)).toBe(1 + size);
        expect([...out.subarray(1, 1 + size)]).toEqual(encode(BigInt(n)));
        expect(out[0]).toBe(0xee);
        expect(out[1 + size]).toBe(0xee);
        expect(readVarint(out, 1, out.length, 10)).toBe(1 + size);
        expect(varint.hi * 2 ** 32 + varint.lo).toBe(n);
      }),
      { numRuns: 2000 },
    );
  });

  it('sizes at the 7-bit boundaries', () => {
    for (let k = 1; k <= 7; k++) {
      const edge = 2 ** (7 * k);
      expect(varintSize(edge - 1)).toBe(k);
      expect(varintSize(edge)).toBe(k + 1);
    }
    expect(varintSize(0)).toBe(1);
    expect(varintSize(Number.MAX_SAFE_INTEGER)).toBe(8);
  });

  it('returns -1 on truncated input, for both reader and skipper', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0x80n, max: 2n ** 64n - 1n }), (v) => {
        const bytes = encode(v);
        const whole = Uint8Array.from(bytes);
        for (let cut = 0; cut < bytes.length; cut++) {
          expect(readVarint(whole, 0, cut, 10)).toBe(-1);
          expect(skipVarint(whole, 0, cut)).toBe(-1);
        }
      }),
    );
    expect(readVarint(new Uint8Array(0), 0, 0, 10)).toBe(-1);
    expect(skipVarint(new Uint8Array(0), 0, 0)).toBe(-1);
    expect(readVarint(new Uint8Array([0x80, 0x80]), 0, 2, 10)).toBe(-1);
  });

  it('refuses a varint longer than maxBytes (5 for 32-bit reads, 10 for 64-bit)', () => {
    // Five bytes carry 35 bits: 0x07 last is 2**31 - 1, 0x7f last is 2**35 - 1.
    expect(read([0xff, 0xff, 0xff, 0xff, 0x07], 5)).toEqual({ next: 5, value: 2n ** 31n - 1n });
    expect(read([0xff, 0xff, 0xff, 0xff, 0x7f], 5)).toEqual({ next: 5, value: 2n ** 35n - 1n });
    expect(read([0x80, 0x80, 0x80, 0x80, 0x80, 0x01], 5).next).toBe(-1);
    expect(read([0x80, 0x80, 0x80, 0x80, 0x80, 0x01], 10)).toEqual({ next: 6, value: 2n ** 35n });
    const ten = encode(2n ** 64n - 1n);
    expect(ten).toHaveLength(10);
    expect(read(ten, 10)).toEqual({ next: 10, value: 2n ** 64n - 1n });
    expect(read(ten, 9).next).toBe(-1);
    expect(read([...Array<number>(10).fill(0x80), 0x00], 10).next).toBe(-1);
    // skipVarint sets no limit.
    expect(skipVarint(Uint8Array.from([...Array<number>(12).fill(0x80), 0x00]), 0, 13)).toBe(13);
  });

  it('drops bits past 64', () => {
    // Tenth byte 0x7f: only its lowest bit fits in 64 bits.
    expect(read([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])).toEqual({ next: 10, value: 2n ** 64n - 1n });
    expect(read([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7e])).toEqual({ next: 10, value: 0n });
    fc.assert(
      fc.property(fc.bigInt({ min: 2n ** 63n, max: 2n ** 70n - 1n }), (v) => {
        const bytes = encode(v);
        fc.pre(bytes.length === 10);
        expect(read(bytes).value).toBe(v & (2n ** 64n - 1n));
      }),
    );
  });

  it('skipVarint ends where readVarint ends, on any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 14 }), fc.nat(3), (bytes, start) => {
        const pos = Math.min(start, bytes.length);
        const next = readVarint(bytes, pos, bytes.length, 10);
        const skipped = skipVarint(bytes, pos, bytes.length);
        if (next >= 0) expect(skipped).toBe(next);
        else if (skipped >= 0) expect(skipped - pos).toBeGreaterThan(10);
      }),
      { numRuns: 5000 },
    );
  });
});
