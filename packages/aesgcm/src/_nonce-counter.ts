/**
 * A 64-bit write counter for `aesGcmCounterNonceTransformer`, kept as two 32-bit halves so
 * the hot path does no BigInt arithmetic.
 *
 * Like upstream's generator it starts at one billion and hands out 1,000,000,001 first, and it
 * refuses (rather than wraps) once it would pass 2^64 - 1: a wrapped counter would repeat a nonce.
 * A refusal does not advance the counter, so every later write is refused too.
 * @module
 */

const TWO_32 = 0x1_0000_0000;

/** Upstream's starting value: the first counter written is this plus one. */
export const COUNTER_START = 1_000_000_000n;

/** A monotonically increasing unsigned 64-bit counter. */
export class NonceCounter {
  #hi: number;
  #lo: number;

  /** @param start - the value before the first {@link NonceCounter.next}; 0 <= start < 2^64 */
  constructor(start: bigint = COUNTER_START) {
    if (start < 0n || start >= 1n << 64n) throw new RangeError('counter start must be an unsigned 64-bit value');
    this.#hi = Number(start >> 32n);
    this.#lo = Number(start & 0xffff_ffffn);
  }

  /**
   * Advance and write the new value little-endian into `out[offset..offset+8]`.
   * @returns false (writing nothing, not advancing) when the counter is exhausted
   */
  next(out: Uint8Array, offset: number): boolean {
    let lo = this.#lo + 1;
    let hi = this.#hi;
    if (lo === TWO_32) {
      lo = 0;
      hi += 1;
      if (hi === TWO_32) return false;
    }
    this.#lo = lo;
    this.#hi = hi;
    out[offset] = lo & 0xff;
    out[offset + 1] = (lo >>> 8) & 0xff;
    out[offset + 2] = (lo >>> 16) & 0xff;
    out[offset + 3] = lo >>> 24;
    out[offset + 4] = hi & 0xff;
    out[offset + 5] = (hi >>> 8) & 0xff;
    out[offset + 6] = (hi >>> 16) & 0xff;
    out[offset + 7] = hi >>> 24;
    return true;
  }
}
