/**
 * FNV-1a 64-bit, the checksum bbolt stores in each meta page (Go's `hash/fnv` `New64a`): offset
 * basis 0xcbf29ce484222325, prime 0x100000001b3, byte-wise xor-then-multiply modulo 2^64. It is an
 * integrity check against torn writes, not a security mechanism. Inputs are 56 bytes, so bigint
 * arithmetic costs nothing that matters.
 *
 * @module
 */

const OFFSET_BASIS = 0xcbf29ce484222325n;
const PRIME = 0x100000001b3n;
const MASK64 = 0xffffffffffffffffn;

/**
 * FNV-1a 64 of `bytes`.
 * @internal
 */
export function fnv1a64(bytes: Uint8Array): bigint {
  let hash = OFFSET_BASIS;
  for (const b of bytes) {
    hash ^= BigInt(b);
    hash = (hash * PRIME) & MASK64;
  }
  return hash;
}
