/**
 * etcd's `mvccpb.KeyValue` (`mvcc/mvccpb/kv.proto`), decoded by hand from the protobuf wire format:
 *
 * | # | field | type |
 * |---|---|---|
 * | 1 | key | bytes |
 * | 2 | create_revision | int64 |
 * | 3 | mod_revision | int64 |
 * | 4 | version | int64 |
 * | 5 | value | bytes |
 * | 6 | lease | int64 |
 *
 * Why by hand: this runs once per revision of a snapshot, and a reflection decoder allocates an
 * object, `Long`s and buffer views per call. Here `key` and `value` are views into the input (the
 * copying {@link decodeKeyValue} copies them), varints are read as two 32-bit halves, and a bigint
 * is made only for a non-zero lease or an error report.
 *
 * Strict where protobuf decoders usually trust the schema: every tag's wire type is checked
 * against the field's (a field sent with the wrong wire type is refused, not misread), groups and
 * reserved wire types are refused, and a length or varint running past the end is "truncated".
 * Unknown fields (a newer etcd) are skipped, as Go does; a repeated field keeps its last value,
 * as proto3 says. Revisions that do not fit a safe integer are refused (after the whole message
 * has been scanned, so a bad tag anywhere is reported first).
 *
 * @module
 */
import type { ErrorContext } from '@atrest/core';
import { copyBytes } from '@atrest/core/internal';
import { readVarint, varint } from '@atrest/core/wire';
import { invalidData, safeNumber } from './_errors.js';

/** Expected wire type per field: 0 varint, 2 length-delimited. */
const WIRE: readonly (number | undefined)[] = [undefined, 2, 0, 0, 0, 2, 0];

/** A decoded `mvccpb.KeyValue`. */
export interface KeyValue {
  /** The etcd key, e.g. `/registry/secrets/default/db` (bytes). */
  readonly key: Uint8Array;
  /** Revision of the key's creation (of its current generation). */
  readonly createRevision: number;
  /** Revision of this write. */
  readonly modRevision: number;
  /** Number of writes to the key since its creation. */
  readonly version: number;
  /** The stored value (what kube-apiserver wrote: ciphertext or a plaintext object). */
  readonly value: Uint8Array;
  /** Lease id, 0 for none. Lease ids are random 64-bit numbers, hence a bigint. */
  readonly lease: bigint;
}

const EMPTY = new Uint8Array(0);

function int64(l: number, h: number): bigint {
  return BigInt.asIntN(64, (BigInt(h) << 32n) | BigInt(l));
}

/** A non-negative int64 as a JS number, or the same error as `safeNumber`. */
function revision(l: number, h: number, what: string, context: ErrorContext): number {
  return h < 0x200000 ? h * 2 ** 32 + l : safeNumber(int64(l, h), what, context);
}

/**
 * Decode a `mvccpb.KeyValue`; `key` and `value` are views into `bytes`.
 * @internal
 */
export function decodeKeyValueView(bytes: Uint8Array, context: ErrorContext): KeyValue {
  const end = bytes.length;
  const truncated = () => invalidData('malformed mvccpb.KeyValue: truncated', { ...context, length: end });
  let key: Uint8Array = EMPTY;
  let value: Uint8Array = EMPTY;
  let lease = 0n;
  let cLo = 0;
  let cHi = 0;
  let mLo = 0;
  let mHi = 0;
  let vLo = 0;
  let vHi = 0;
  let pos = 0;
  while (pos < end) {
    const at = pos;
    // A one-byte tag (every KeyValue field's) or length (keys under 128 bytes) is read in place;
    // longer ones go through readVarint. Measured against protobufjs in
    // benchmarks/src/keyvalue-decode.ts.
    let tag = bytes[pos] as number;
    if (tag < 0x80) pos++;
    else {
      pos = readVarint(bytes, pos, end, 10);
      if (pos < 0) throw truncated();
      tag = varint.lo;
    }
    const field = tag >>> 3;
    const wireType = tag & 7;
    const expected = field < WIRE.length ? WIRE[field] : undefined;
    if (field === 0 || wireType === 3 || wireType === 4 || wireType > 5 || (expected !== undefined && expected !== wireType)) {
      throw invalidData('malformed mvccpb.KeyValue: bad field tag', { ...context, at, field, wireType });
    }
    if (wireType === 0) {
      pos = readVarint(bytes, pos, end, 10);
      if (pos < 0) throw truncated();
      if (field === 2) {
        cLo = varint.lo;
        cHi = varint.hi;
      } else if (field === 3) {
        mLo = varint.lo;
        mHi = varint.hi;
      } else if (field === 4) {
        vLo = varint.lo;
        vHi = varint.hi;
      } else if (field === 6) lease = varint.lo === 0 && varint.hi === 0 ? 0n : int64(varint.lo, varint.hi);
    } else if (wireType === 2) {
      let n = pos < end ? (bytes[pos] as number) : 0x80;
      if (n < 0x80) pos++;
      else {
        pos = readVarint(bytes, pos, end, 10);
        if (pos < 0 || varint.hi !== 0) throw truncated();
        n = varint.lo;
      }
      if (pos + n > end) throw truncated();
      if (field === 1) key = bytes.subarray(pos, pos + n);
      else if (field === 5) value = bytes.subarray(pos, pos + n);
      pos += n;
    } else {
      pos += wireType === 1 ? 8 : 4;
      if (pos > end) throw truncated();
    }
  }
  return {
    key,
    createRevision: revision(cLo, cHi, 'create_revision', context),
    modRevision: revision(mLo, mHi, 'mod_revision', context),
    version: revision(vLo, vHi, 'version', context),
    value,
    lease,
  };
}

/**
 * Decode a `mvccpb.KeyValue`; `key` and `value` are copies (plain `Uint8Array`s).
 * @internal
 */
export function decodeKeyValue(bytes: Uint8Array, context: ErrorContext): KeyValue {
  const kv = decodeKeyValueView(bytes, context);
  const copy = (b: Uint8Array): Uint8Array => (b.length === 0 ? EMPTY : copyBytes(b));
  return { ...kv, key: copy(kv.key), value: copy(kv.value) };
}
