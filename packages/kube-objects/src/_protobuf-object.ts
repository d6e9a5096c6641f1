/**
 * Decoding of the Kubernetes protobuf storage encoding: the 4-byte magic `k8s\0`, then a
 * `runtime.Unknown` whose `typeMeta` names the object and whose `raw` is the object's own
 * protobuf message (field numbers in `_protobuf-schema.ts`).
 *
 * v1 Secrets and ConfigMaps are decoded in full; any other kind is reported by apiVersion/kind,
 * with its metadata read from field 1 (the `metadata` field of every Kubernetes object type). A
 * payload that cannot be read that way (a `contentEncoding` such as gzip, or field 1 not an
 * ObjectMeta) is reported as encoding `unknown` rather than refused: it is still a well-formed
 * envelope. Malformed envelopes, Secrets and ConfigMaps are errors.
 *
 * @module
 */
import { AtrestError } from '@atrest/core';
import { invalidObject, requireTypeMeta } from './_errors.js';
import { copyBytes, decodeLevel, int64, Messages, text } from './_protobuf-schema.js';
import { rfc3339 } from './_time.js';
import type { ConfigMapPayload, DecodedObject, ObjectMeta, SecretPayload } from './types.js';

/** The Kubernetes protobuf media type. */
export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

interface RawUnknown {
  typeMeta?: Uint8Array;
  raw?: Uint8Array;
  contentEncoding?: Uint8Array;
  contentType?: Uint8Array;
}
interface RawTypeMeta {
  apiVersion?: Uint8Array;
  kind?: Uint8Array;
}
interface RawObjectMeta {
  name?: Uint8Array;
  generateName?: Uint8Array;
  namespace?: Uint8Array;
  selfLink?: Uint8Array;
  uid?: Uint8Array;
  resourceVersion?: Uint8Array;
  generation?: unknown;
  creationTimestamp?: Uint8Array;
  deletionTimestamp?: Uint8Array;
  labels?: Uint8Array[];
  annotations?: Uint8Array[];
  finalizers?: Uint8Array[];
}
interface RawTime {
  seconds?: unknown;
  nanos?: number;
}
interface RawEntry {
  key?: Uint8Array;
  value?: Uint8Array;
}
interface RawSecret {
  metadata?: Uint8Array;
  data?: Uint8Array[];
  type?: Uint8Array;
  immutable?: boolean;
}
interface RawConfigMap {
  metadata?: Uint8Array;
  data?: Uint8Array[];
  binaryData?: Uint8Array[];
  immutable?: boolean;
}

function record<V>(): Record<string, V> {
  return Object.create(null) as Record<string, V>;
}

/** Decode map entries; a repeated key keeps the last value, as Go's map does. */
function entries<V>(list: Uint8Array[] | undefined, path: string, value: (b: Uint8Array | undefined) => V): Record<string, V> {
  const out = record<V>();
  for (const raw of list ?? []) {
    const e = decodeLevel<RawEntry>(Messages.MapEntry, raw, path);
    out[text(e.key)] = value(e.value);
  }
  return out;
}

function time(data: Uint8Array | undefined, path: string): string | null {
  // Kubernetes writes a zero time as an empty message and reads an empty message as zero (unset).
  if (data === undefined || data.length === 0) return null;
  const t = decodeLevel<RawTime>(Messages.Time, data, path);
  return rfc3339(int64(t.seconds), path);
}

/** Decode an ObjectMeta. @internal */
export function decodeObjectMeta(data: Uint8Array | undefined, path: string): ObjectMeta {
  const m = decodeLevel<RawObjectMeta>(Messages.ObjectMeta, data ?? new Uint8Array(0), path);
  const generation = int64(m.generation);
  if (generation > BigInt(Number.MAX_SAFE_INTEGER) || generation < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw invalidObject(`generation out of range in ${path}`, { field: `${path}.generation` });
  }
  return Object.freeze({
    name: text(m.name),
    generateName: text(m.generateName),
    namespace: text(m.namespace),
    selfLink: text(m.selfLink),
    uid: text(m.uid),
    resourceVersion: text(m.resourceVersion),
    generation: Number(generation),
    creationTimestamp: time(m.creationTimestamp, `${path}.creationTimestamp`),
    deletionTimestamp: time(m.deletionTimestamp, `${path}.deletionTimestamp`),
    labels: Object.freeze(entries(m.labels, `${path}.labels`, text)),
    annotations: Object.freeze(entries(m.annotations, `${path}.annotations`, text)),
    finalizers: Object.freeze((m.finalizers ?? []).map((f) => text(f))),
  });
}

function secret(raw: Uint8Array): { metadata: ObjectMeta; secret: SecretPayload } {
  const s = decodeLevel<RawSecret>(Messages.Secret, raw, 'raw');
  return {
    metadata: decodeObjectMeta(s.metadata, 'raw.metadata'),
    secret: Object.freeze({
      type: text(s.type),
      data: Object.freeze(entries(s.data, 'raw.data', copyBytes)),
      immutable: s.immutable ?? null,
    }),
  };
}

function configMap(raw: Uint8Array): { metadata: ObjectMeta; configMap: ConfigMapPayload } {
  const c = decodeLevel<RawConfigMap>(Messages.ConfigMap, raw, 'raw');
  return {
    metadata: decodeObjectMeta(c.metadata, 'raw.metadata'),
    configMap: Object.freeze({
      data: Object.freeze(entries(c.data, 'raw.data', text)),
      binaryData: Object.freeze(entries(c.binaryData, 'raw.binaryData', copyBytes)),
      immutable: c.immutable ?? null,
    }),
  };
}

/**
 * Decode the bytes after the `k8s\0` magic.
 * @internal
 */
export function decodeProtobufObject(envelope: Uint8Array): DecodedObject {
  const u = decodeLevel<RawUnknown>(Messages.Unknown, envelope, 'Unknown');
  const tm = decodeLevel<RawTypeMeta>(Messages.TypeMeta, u.typeMeta ?? new Uint8Array(0), 'Unknown.typeMeta');
  const apiVersion = text(tm.apiVersion);
  const kind = text(tm.kind);
  requireTypeMeta(apiVersion, kind, 'Unknown.typeMeta.');
  const raw = u.raw ?? new Uint8Array(0);
  const base = { mediaType: PROTOBUF_MEDIA_TYPE, apiVersion, kind, rawSize: raw.length };
  if (text(u.contentEncoding) !== '') {
    // A compressed or otherwise encoded payload: report what the envelope says.
    return Object.freeze({ ...base, encoding: 'unknown', metadata: null });
  }
  if (apiVersion === 'v1' && kind === 'Secret') return Object.freeze({ ...base, encoding: 'protobuf', ...secret(raw) });
  if (apiVersion === 'v1' && kind === 'ConfigMap') return Object.freeze({ ...base, encoding: 'protobuf', ...configMap(raw) });
  try {
    const o = decodeLevel<{ metadata?: Uint8Array }>(Messages.WithMetadata, raw, 'raw');
    return Object.freeze({ ...base, encoding: 'protobuf', metadata: decodeObjectMeta(o.metadata, 'raw.metadata') });
  } catch (err) {
    if (!(err instanceof AtrestError)) throw err;
    return Object.freeze({ ...base, encoding: 'unknown', metadata: null });
  }
}
