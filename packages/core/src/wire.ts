/**
 * `@atrest/core/wire`: the protobuf varint reader and writer that atrest's own packages share
 * (the etcd `KeyValue` decoder, the KMS v2 `EncryptedObject` fast paths, the Kubernetes object
 * walker). Not part of atrest's public API: it may change in any release.
 *
 * Why one small module and not protobufjs: these callers are inner loops (the auditor decodes
 * every KeyValue of a snapshot) or must mirror a decoder's exact limits, so they read varints in
 * place. Why the result lives in {@link varint} and not a returned object or bigint: the reader
 * runs per field, and returning two numbers without allocating needs somewhere to put them.
 * A 64-bit value is kept as two unsigned 32-bit halves so no bigint is made unless a caller
 * needs one.
 *
 * @module
 */

/**
 * The value of the last varint {@link readVarint} read, as unsigned 32-bit halves
 * (`hi * 2**32 + lo`). Read it right after the call: the next read overwrites it.
 * For atrest's own packages.
 */
export const varint = { lo: 0.5, hi: 0.5 };
// The fields start as doubles: a field that first held small integers and then a half past 2**31
// (a lease) would change representation once code using it is optimized, and cost every reader.
varint.lo = 0;
varint.hi = 0;

/**
 * Read a varint at `pos` of at most `maxBytes` bytes (10 for a full 64-bit value; decoders that
 * mirror protobufjs's 32-bit reads pass 5). Bits past 64 are dropped, as Go and protobufjs drop
 * them. The value goes to {@link varint}. For atrest's own packages.
 *
 * @param b - the buffer
 * @param pos - where the varint starts
 * @param end - where the readable bytes end (exclusive)
 * @param maxBytes - the most bytes the varint may take, at most 10
 * @returns the position after the varint, or -1 when it runs past `end` or over `maxBytes`
 */
export function readVarint(b: Uint8Array, pos: number, end: number, maxBytes: number): number {
  let l = 0;
  let h = 0;
  for (let i = 0; i < maxBytes; i++) {
    if (pos >= end) return -1;
    const byte = b[pos++] as number;
    if (i < 4) l |= (byte & 0x7f) << (7 * i);
    else if (i === 4) {
      l |= (byte & 0x0f) << 28;
      h = (byte & 0x7f) >>> 4;
    } else h |= (byte & 0x7f) << (7 * i - 32);
    if (byte < 0x80) {
      varint.lo = l >>> 0;
      varint.hi = h >>> 0;
      return pos;
    }
  }
  return -1;
}

/**
 * Skip a varint of any length up to its last byte (protobufjs's `skip()`, which sets no limit).
 * For atrest's own packages.
 *
 * @returns the position after it, or -1 when it runs past `end`
 */
export function skipVarint(b: Uint8Array, pos: number, end: number): number {
  do {
    if (pos >= end) return -1;
  } while ((b[pos++] as number) & 0x80);
  return pos;
}

/**
 * Bytes `n` takes as a varint. For atrest's own packages.
 *
 * @param n - a non-negative safe integer (lengths; division, not bit operations, so values past
 *   2**31 are sized right)
 */
export function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    size++;
  }
  return size;
}

/**
 * Write `n` as a varint at `at`; the caller sized `out` with {@link varintSize}.
 * For atrest's own packages.
 *
 * @param n - a non-negative safe integer
 * @returns the position after the varint
 */
export function putVarint(out: Uint8Array, at: number, n: number): number {
  while (n >= 0x80) {
    out[at++] = (n % 0x80) | 0x80;
    n = Math.floor(n / 0x80);
  }
  out[at++] = n;
  return at;
}
