/**
 * The protobuf messages of stored Kubernetes objects, declared with protobufjs reflection, and a
 * strict one-level decoder.
 *
 * Field numbers (k8s.io/apimachinery `runtime/generated.proto`, `meta/v1/generated.proto`,
 * k8s.io/api `core/v1/generated.proto`):
 *
 * - `runtime.Unknown`: typeMeta=1 (TypeMeta), raw=2 bytes, contentEncoding=3, contentType=4
 * - `runtime.TypeMeta`: apiVersion=1, kind=2
 * - `meta.v1.ObjectMeta`: name=1, generateName=2, namespace=3, selfLink=4, uid=5,
 *   resourceVersion=6, generation=7 int64, creationTimestamp=8 (Time), deletionTimestamp=9 (Time),
 *   labels=11 map, annotations=12 map, finalizers=14 repeated; ownerReferences=13 and
 *   managedFields=17 are skipped
 * - `meta.v1.Time` (as `google.protobuf.Timestamp`): seconds=1 int64, nanos=2 int32
 * - `core.v1.Secret`: metadata=1, data=2 map<string,bytes>, type=3, immutable=5 (stringData=4 is
 *   write-only and never stored)
 * - `core.v1.ConfigMap`: metadata=1, data=2 map<string,string>, binaryData=3 map<string,bytes>,
 *   immutable=4
 *
 * Each message is decoded one level at a time: nested messages and map entries are declared as
 * `bytes` and decoded by the caller, and strings are declared as `bytes` and decoded here as UTF-8
 * with replacement characters (Go's generated Kubernetes decoders do not reject invalid UTF-8
 * either). Before protobufjs decodes a level, a scan checks every tag's wire type against the
 * schema: protobufjs would otherwise misread a field sent with the wrong wire type. Unknown fields
 * are skipped, as Go skips them.
 *
 * @module
 */
import { AtrestError } from '@atrest/core';
import protobuf from 'protobufjs';
import { invalidObject } from './_errors.js';

const bytes = (id: number) => ({ type: 'bytes', id });
const repeatedBytes = (id: number) => ({ type: 'bytes', id, rule: 'repeated' });

const root = protobuf.Root.fromJSON({
  nested: {
    k8s: {
      nested: {
        Unknown: { fields: { typeMeta: bytes(1), raw: bytes(2), contentEncoding: bytes(3), contentType: bytes(4) } },
        TypeMeta: { fields: { apiVersion: bytes(1), kind: bytes(2) } },
        ObjectMeta: {
          fields: {
            name: bytes(1),
            generateName: bytes(2),
            namespace: bytes(3),
            selfLink: bytes(4),
            uid: bytes(5),
            resourceVersion: bytes(6),
            generation: { type: 'int64', id: 7 },
            creationTimestamp: bytes(8),
            deletionTimestamp: bytes(9),
            labels: repeatedBytes(11),
            annotations: repeatedBytes(12),
            finalizers: repeatedBytes(14),
          },
        },
        Time: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
        MapEntry: { fields: { key: bytes(1), value: bytes(2) } },
        Secret: { fields: { metadata: bytes(1), data: repeatedBytes(2), type: bytes(3), immutable: { type: 'bool', id: 5 } } },
        ConfigMap: {
          fields: { metadata: bytes(1), data: repeatedBytes(2), binaryData: repeatedBytes(3), immutable: { type: 'bool', id: 4 } },
        },
        WithMetadata: { fields: { metadata: bytes(1) } },
      },
    },
  },
});

/** The message types, by name. @internal */
export const Messages = {
  Unknown: root.lookupType('k8s.Unknown'),
  TypeMeta: root.lookupType('k8s.TypeMeta'),
  ObjectMeta: root.lookupType('k8s.ObjectMeta'),
  Time: root.lookupType('k8s.Time'),
  MapEntry: root.lookupType('k8s.MapEntry'),
  Secret: root.lookupType('k8s.Secret'),
  ConfigMap: root.lookupType('k8s.ConfigMap'),
  WithMetadata: root.lookupType('k8s.WithMetadata'),
} as const;

const VARINT = 0;
const LENGTH_DELIMITED = 2;

function wireTypes(type: protobuf.Type): ReadonlyMap<number, number> {
  const map = new Map<number, number>();
  for (const f of type.fieldsArray) map.set(f.id, f.type === 'bytes' || f.type === 'string' ? LENGTH_DELIMITED : VARINT);
  return map;
}
const WIRE = new Map<protobuf.Type, ReadonlyMap<number, number>>(Object.values(Messages).map((t) => [t, wireTypes(t)]));

function scan(data: Uint8Array, expected: ReadonlyMap<number, number>, path: string): void {
  const r = protobuf.Reader.create(data);
  while (r.pos < r.len) {
    const at = r.pos;
    const tag = r.uint32();
    const field = tag >>> 3;
    const wireType = tag & 7;
    const want = expected.get(field);
    // Groups (3, 4) and wire types 6, 7 never occur in these messages.
    if (field === 0 || wireType === 3 || wireType === 4 || wireType > 5 || (want !== undefined && want !== wireType)) {
      throw invalidObject(`malformed protobuf in ${path}: bad field tag`, { field: path, offset: at, number: field, wireType });
    }
    r.skipType(wireType);
  }
}

/**
 * Decode one message level strictly.
 * @param type - one of {@link Messages}
 * @param data - the message bytes
 * @param path - field path for errors (`raw.metadata`)
 * @internal
 */
export function decodeLevel<T>(type: protobuf.Type, data: Uint8Array, path: string): T {
  try {
    scan(data, WIRE.get(type) ?? new Map(), path);
    return type.decode(data) as unknown as T;
  } catch (err) {
    if (err instanceof AtrestError) throw err;
    // protobufjs reports truncation as a RangeError ("index out of range").
    throw invalidObject(`malformed protobuf in ${path}: truncated`, { field: path, length: data.length });
  }
}

const lenientUtf8 = new TextDecoder('utf-8', { fatal: false });

/** Decode a string field declared as bytes. @internal */
export function text(b: Uint8Array | undefined): string {
  return b === undefined || b.length === 0 ? '' : lenientUtf8.decode(b);
}

/** Copy a bytes field out of the input buffer (protobufjs returns views). @internal */
export function copyBytes(b: Uint8Array | undefined): Uint8Array {
  return b === undefined ? new Uint8Array(0) : new Uint8Array(b);
}

/** An int64 as protobufjs returns it (Long or number) to bigint. @internal */
export function int64(value: unknown): bigint {
  if (value === undefined || value === null) return 0n;
  if (typeof value === 'number') return BigInt(value);
  const long = value as { low: number; high: number };
  return BigInt.asIntN(64, (BigInt(long.high >>> 0) << 32n) | BigInt(long.low >>> 0));
}
