/**
 * The etcd `mvccpb.KeyValue` decoder as it was before the varint fold (issue 15): a copy of
 * `packages/etcd-snapshot/src/_keyvalue.ts` at commit 007ea20, the last before 6da3ca0 moved its
 * varint reader to `@atrest/core/wire`. Kept only as the baseline of `keyvalue-decode.ts`; the
 * package's `_errors.js` helpers are inlined (same errors), the decoding is unchanged.
 *
 * @module
 */
import { AtrestError, type ErrorContext, ErrorCode } from '@atrest/core';
import { copyBytes } from '@atrest/core/internal';

function invalidData(message: string, context: ErrorContext = {}): AtrestError {
  return new AtrestError(ErrorCode.InvalidData, message, context);
}

function safeNumber(value: bigint, what: string, context: ErrorContext = {}): number {
  if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw invalidData(`${what} does not fit in a safe integer`, { ...context, value: value.toString() });
  }
  return Number(value);
}

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

// The halves of the last varint read by `varint` (module state: no allocation per call).
let lo = 0;
let hi = 0;

/** Read a varint at `pos`; sets `lo`/`hi` and returns the next position, or -1 when truncated or longer than 10 bytes. */
function varint(b: Uint8Array, pos: number, end: number): number {
  let l = 0;
  let h = 0;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) return -1;
    const byte = b[pos++] as number;
    if (i < 4) l |= (byte & 0x7f) << (7 * i);
    else if (i === 4) {
      l |= (byte & 0x0f) << 28;
      h = (byte & 0x7f) >>> 4;
    } else h |= (byte & 0x7f) << (7 * i - 32);
    if (byte < 0x80) {
      lo = l >>> 0;
      hi = h >>> 0;
      return pos;
    }
  }
  return -1;
}

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
    pos = varint(bytes, pos, end);
    if (pos < 0) throw truncated();
    const field = lo >>> 3;
    const wireType = lo & 7;
    const expected = field < WIRE.length ? WIRE[field] : undefined;
    if (field === 0 || wireType === 3 || wireType === 4 || wireType > 5 || (expected !== undefined && expected !== wireType)) {
      throw invalidData('malformed mvccpb.KeyValue: bad field tag', { ...context, at, field, wireType });
    }
    if (wireType === 0) {
      pos = varint(bytes, pos, end);
      if (pos < 0) throw truncated();
      if (field === 2) {
        cLo = lo;
        cHi = hi;
      } else if (field === 3) {
        mLo = lo;
        mHi = hi;
      } else if (field === 4) {
        vLo = lo;
        vHi = hi;
      } else if (field === 6) lease = lo === 0 && hi === 0 ? 0n : int64(lo, hi);
    } else if (wireType === 2) {
      pos = varint(bytes, pos, end);
      if (pos < 0 || hi !== 0 || pos + lo > end) throw truncated();
      if (field === 1) key = bytes.subarray(pos, pos + lo);
      else if (field === 5) value = bytes.subarray(pos, pos + lo);
      pos += lo;
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
