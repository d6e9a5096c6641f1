/**
 * Byte helpers of the audit's key tables and key spill: FNV-1a hashing and LEB128 varints of
 * non-negative integers up to 2^53 (written with `@atrest/core/wire`'s `putVarint`, read back
 * here without bounds checks: the tables and files hold only what the audit wrote).
 * @module
 */
export { putVarint, varintSize } from '@atrest/core/wire';

/** FNV-1a's 32-bit offset basis. @internal */
export const FNV_OFFSET = 0x811c9dc5;

/** FNV-1a of `b[from, to)`, from `seed` (FNV's offset basis, or one mixed with something else). @internal */
export function fnv1a32(b: Uint8Array, from: number, to: number, seed: number): number {
  let h = seed;
  for (let i = from; i < to; i++) h = Math.imul(h ^ (b[i] as number), 0x01000193);
  return h >>> 0;
}

/** The LEB128 varint at `at` (written by `putVarint`, so minimal: it is `varintSize` bytes long). @internal */
export function varintAt(bytes: Uint8Array, at: number): number {
  let n = 0;
  for (let scale = 1; ; scale *= 0x80) {
    const b = bytes[at++] as number;
    n += (b & 0x7f) * scale;
    if (b < 0x80) return n;
  }
}
