/**
 * etcd MVCC revision keys (`mvcc/revision.go`): the keys of the bbolt bucket `key` and the values
 * of `finishedCompactRev` / `scheduledCompactRev` in bucket `meta`.
 *
 * Layout: `main` as 8 bytes big-endian, the byte `_`, `sub` as 8 bytes big-endian (17 bytes); a
 * delete (tombstone) appends the byte `t` (18 bytes). Big-endian makes bbolt's byte order the
 * revision order.
 *
 * Revisions are signed 64-bit in etcd, but real ones count writes: they are returned as JS numbers
 * and anything above 2^53 - 1 (or negative) is refused as corrupt rather than rounded.
 *
 * @module
 */
import type { ErrorContext } from '@atrest/core';
import { invalidData, safeNumber } from './_errors.js';

/** An etcd revision: `main` is the store revision (one per transaction), `sub` the index within it. */
export interface Revision {
  readonly main: number;
  readonly sub: number;
}

/** Length of a revision key. */
export const REVISION_KEY_SIZE = 17;
/** Length of a tombstone revision key. */
export const TOMBSTONE_KEY_SIZE = 18;

const SEPARATOR = 0x5f; // '_'
const TOMBSTONE_MARK = 0x74; // 't'

/**
 * Decode a revision key of bucket `key`.
 *
 * @param bytes - 17 bytes, or 18 ending in `t`
 * @param context - where the key was found, for errors (page id, offset)
 * @returns the revision and whether it is a tombstone
 * @throws AtrestError `ERR_INVALID_DATA` for any other length or layout, or a revision that is not
 *   a safe integer
 * @example
 * ```ts
 * import { parseRevisionKey } from '@atrest/etcd-snapshot';
 * const k = new Uint8Array(17); k[7] = 5; k[8] = 0x5f;
 * parseRevisionKey(k); // { revision: { main: 5, sub: 0 }, tombstone: false }
 * ```
 */
export function parseRevisionKey(bytes: Uint8Array, context: ErrorContext = {}): { revision: Revision; tombstone: boolean } {
  const tombstone = bytes.length === TOMBSTONE_KEY_SIZE && bytes[REVISION_KEY_SIZE] === TOMBSTONE_MARK;
  if (!(bytes.length === REVISION_KEY_SIZE || tombstone) || bytes[8] !== SEPARATOR) {
    throw invalidData('malformed etcd revision key', { ...context, length: bytes.length });
  }
  return { revision: { main: uint64be(bytes, 0, 'main revision', context), sub: uint64be(bytes, 9, 'sub revision', context) }, tombstone };
}

const u32be = (b: Uint8Array, at: number): number =>
  (((b[at] as number) << 24) | ((b[at + 1] as number) << 16) | ((b[at + 2] as number) << 8) | (b[at + 3] as number)) >>> 0;

/** A big-endian u64 as a number; above 2^53 - 1, `safeNumber`'s error (bigint only then). */
function uint64be(b: Uint8Array, at: number, what: string, context: ErrorContext): number {
  const hi = u32be(b, at);
  const lo = u32be(b, at + 4);
  return hi < 0x200000 ? hi * 2 ** 32 + lo : safeNumber((BigInt(hi) << 32n) | BigInt(lo), what, context);
}

/**
 * Encode a revision key (the inverse of {@link parseRevisionKey}), e.g. to look one up.
 *
 * @param revision - the revision
 * @param tombstone - append the `t` marker
 * @returns 17 or 18 bytes
 * @throws AtrestError `ERR_INVALID_DATA` when a part is not a non-negative safe integer
 * @example
 * ```ts
 * import { revisionKey } from '@atrest/etcd-snapshot';
 * revisionKey({ main: 5, sub: 0 }).length; // 17
 * ```
 */
export function revisionKey(revision: Revision, tombstone = false): Uint8Array {
  for (const part of [revision.main, revision.sub]) {
    if (!Number.isSafeInteger(part) || part < 0) throw invalidData('revision parts must be non-negative safe integers', {});
  }
  const out = new Uint8Array(tombstone ? TOMBSTONE_KEY_SIZE : REVISION_KEY_SIZE);
  const v = new DataView(out.buffer);
  v.setBigUint64(0, BigInt(revision.main), false);
  out[8] = SEPARATOR;
  v.setBigUint64(9, BigInt(revision.sub), false);
  if (tombstone) out[REVISION_KEY_SIZE] = TOMBSTONE_MARK;
  return out;
}
