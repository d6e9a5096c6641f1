/**
 * etcd's `mvccpb.KeyValue` (`mvcc/mvccpb/kv.proto`), decoded with protobufjs reflection:
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
 * protobufjs trusts the schema over the wire: a field sent with the wrong wire type is misread
 * rather than refused. A scan first checks every tag's wire type, so corrupt values become typed
 * errors instead of plausible garbage. Unknown fields (a newer etcd) are skipped, as Go does.
 *
 * @module
 */
import { AtrestError, type ErrorContext } from '@atrest/core';
import protobuf from 'protobufjs';
import { invalidData, safeNumber } from './_errors.js';

const root = protobuf.Root.fromJSON({
  nested: {
    mvccpb: {
      nested: {
        KeyValue: {
          fields: {
            key: { type: 'bytes', id: 1 },
            createRevision: { type: 'int64', id: 2 },
            modRevision: { type: 'int64', id: 3 },
            version: { type: 'int64', id: 4 },
            value: { type: 'bytes', id: 5 },
            lease: { type: 'int64', id: 6 },
          },
        },
      },
    },
  },
});
const KeyValueType = root.lookupType('mvccpb.KeyValue');

/** Expected wire type per field: 0 varint, 2 length-delimited. */
const WIRE: Readonly<Record<number, number>> = { 1: 2, 2: 0, 3: 0, 4: 0, 5: 2, 6: 0 };

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

interface RawKeyValue {
  key?: Uint8Array;
  createRevision?: unknown;
  modRevision?: unknown;
  version?: unknown;
  value?: Uint8Array;
  lease?: unknown;
}

function scan(bytes: Uint8Array, context: ErrorContext): void {
  const r = protobuf.Reader.create(bytes);
  while (r.pos < r.len) {
    const at = r.pos;
    const tag = r.uint32();
    const field = tag >>> 3;
    const wireType = tag & 7;
    const expected = WIRE[field];
    if (field === 0 || wireType === 3 || wireType === 4 || wireType > 5 || (expected !== undefined && expected !== wireType)) {
      throw invalidData('malformed mvccpb.KeyValue: bad field tag', { ...context, at, field, wireType });
    }
    r.skipType(wireType);
  }
}

function int64(value: unknown): bigint {
  if (value === undefined || value === null) return 0n;
  if (typeof value === 'number') return BigInt(value);
  // protobufjs represents int64 as a Long {low, high} (signed 32-bit halves).
  const long = value as { low: number; high: number };
  return BigInt.asIntN(64, (BigInt(long.high >>> 0) << 32n) | BigInt(long.low >>> 0));
}

const EMPTY = new Uint8Array(0);

function bytesOf(b: Uint8Array | undefined): Uint8Array {
  // protobufjs returns Buffer views into the input; return plain Uint8Array copies.
  return b === undefined || b.length === 0 ? EMPTY : new Uint8Array(b);
}

/**
 * Decode a `mvccpb.KeyValue`.
 * @internal
 */
export function decodeKeyValue(bytes: Uint8Array, context: ErrorContext): KeyValue {
  let raw: RawKeyValue;
  try {
    scan(bytes, context);
    raw = KeyValueType.decode(bytes) as unknown as RawKeyValue;
  } catch (err) {
    if (err instanceof AtrestError) throw err;
    throw invalidData('malformed mvccpb.KeyValue: truncated', { ...context, length: bytes.length });
  }
  const revision = (v: unknown, what: string): number => safeNumber(int64(v), what, context);
  return {
    key: bytesOf(raw.key),
    createRevision: revision(raw.createRevision, 'create_revision'),
    modRevision: revision(raw.modRevision, 'mod_revision'),
    version: revision(raw.version, 'version'),
    value: bytesOf(raw.value),
    lease: int64(raw.lease),
  };
}
