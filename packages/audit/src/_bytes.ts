/**
 * Byte helpers of the audit's key tables and key spill: FNV-1a hashing and LEB128 varints of
 * non-negative integers up to 2^53.
 * @module
 */

/** FNV-1a's 32-bit offset basis. @internal */
export const FNV_OFFSET = 0x811c9dc5;

/** FNV-1a of `b[from, to)`, from `seed` (FNV's offset basis, or one mixed with something else). @internal */
export function fnv1a32(b: Uint8Array, from: number, to: number, seed: number): number {
  let h = seed;
  for (let i = from; i < to; i++) h = Math.imul(h ^ (b[i] as number), 0x01000193);
  return h >>> 0;
}

/** Bytes of `n`'s LEB128 varint. @internal */
export function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    size++;
  }
  return size;
}

/** The LEB128 varint at `at` (written by {@link putVarint}, so minimal: it is `varintSize` bytes long). @internal */
export function varintAt(bytes: Uint8Array, at: number): number {
  let n = 0;
  for (let scale = 1; ; scale *= 0x80) {
    const b = bytes[at++] as number;
    n += (b & 0x7f) * scale;
    if (b < 0x80) return n;
  }
}

/** Write `n`'s LEB128 varint at `at`; returns the offset after it. @internal */
export function putVarint(bytes: Uint8Array, at: number, n: number): number {
  for (let rest = n; ; rest = Math.floor(rest / 0x80)) {
    if (rest < 0x80) {
      bytes[at++] = rest;
      return at;
    }
    bytes[at++] = (rest & 0x7f) | 0x80;
  }
}
