/**
 * Decoding of JSON-encoded stored objects: custom resources (always JSON, with a trailing
 * newline) and built-in objects of an apiserver configured for JSON storage. The document must be
 * a JSON object; `apiVersion`, `kind` and `metadata` are read with type checks, and v1 Secrets and
 * ConfigMaps have their base64 fields decoded to bytes, mirroring the protobuf path.
 *
 * `JSON.parse` keeps a `__proto__` key as an own property, and every record built here has a
 * null prototype, so hostile keys cannot reach any prototype.
 *
 * @module
 */
import { invalidObject, requireTypeMeta } from './_errors.js';
import type { ConfigMapPayload, DecodedObject, ObjectMeta, SecretPayload } from './types.js';

/** The JSON media type. */
export const JSON_MEDIA_TYPE = 'application/json';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function own(o: JsonObject, key: string): Json | undefined {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}

function str(o: JsonObject, key: string, path: string): string {
  const v = own(o, key);
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw invalidObject(`${path}.${key} is not a string`, { field: `${path}.${key}` });
  return v;
}

function stringMap<V>(o: JsonObject, key: string, path: string, value: (s: string, field: string) => V): Record<string, V> {
  const out = Object.create(null) as Record<string, V>;
  const v = own(o, key);
  if (v === undefined || v === null) return out;
  if (!isObject(v)) throw invalidObject(`${path}.${key} is not an object`, { field: `${path}.${key}` });
  for (const k of Object.keys(v)) {
    const item = v[k];
    if (typeof item !== 'string') throw invalidObject(`${path}.${key} has a value that is not a string`, { field: `${path}.${key}` });
    out[k] = value(item, `${path}.${key}`);
  }
  return out;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function base64(s: string, field: string): Uint8Array {
  if (!BASE64.test(s)) throw invalidObject(`${field} has a value that is not base64`, { field });
  return new Uint8Array(Buffer.from(s, 'base64'));
}

function timestamp(o: JsonObject, key: string, path: string): string | null {
  const s = str(o, key, path);
  return s === '' ? null : s;
}

/** The metadata object, after the checks that come before its fields are read. */
function metadataObject(doc: JsonObject): JsonObject {
  const raw = own(doc, 'metadata');
  const m: JsonObject = isObject(raw) ? raw : {};
  if (raw !== undefined && raw !== null && !isObject(raw)) throw invalidObject('metadata is not an object', { field: 'metadata' });
  const generation = own(m, 'generation');
  if (generation !== undefined && generation !== null && !Number.isSafeInteger(generation)) {
    throw invalidObject('metadata.generation is not an integer', { field: 'metadata.generation' });
  }
  const finalizers = own(m, 'finalizers');
  if (finalizers !== undefined && finalizers !== null && !(Array.isArray(finalizers) && finalizers.every((f) => typeof f === 'string'))) {
    throw invalidObject('metadata.finalizers is not a list of strings', { field: 'metadata.finalizers' });
  }
  return m;
}

function metadataOf(doc: JsonObject): ObjectMeta {
  const m = metadataObject(doc);
  const generation = own(m, 'generation');
  const finalizers = own(m, 'finalizers');
  const identity = (s: string): string => s;
  return Object.freeze({
    name: str(m, 'name', 'metadata'),
    generateName: str(m, 'generateName', 'metadata'),
    namespace: str(m, 'namespace', 'metadata'),
    selfLink: str(m, 'selfLink', 'metadata'),
    uid: str(m, 'uid', 'metadata'),
    resourceVersion: str(m, 'resourceVersion', 'metadata'),
    generation: typeof generation === 'number' ? generation : 0,
    creationTimestamp: timestamp(m, 'creationTimestamp', 'metadata'),
    deletionTimestamp: timestamp(m, 'deletionTimestamp', 'metadata'),
    labels: Object.freeze(stringMap(m, 'labels', 'metadata', identity)),
    annotations: Object.freeze(stringMap(m, 'annotations', 'metadata', identity)),
    finalizers: Object.freeze(Array.isArray(finalizers) ? (finalizers as string[]).slice() : []),
  });
}

function immutable(doc: JsonObject): boolean | null {
  const v = own(doc, 'immutable');
  if (v === undefined || v === null) return null;
  if (typeof v !== 'boolean') throw invalidObject('immutable is not a boolean', { field: 'immutable' });
  return v;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Parse the document and check its TypeMeta; the checks every JSON decode starts with. */
function parseDocument(bytes: Uint8Array): { doc: JsonObject; apiVersion: string; kind: string } {
  let doc: Json;
  try {
    doc = JSON.parse(strictUtf8.decode(bytes)) as Json;
  } catch {
    throw invalidObject('malformed JSON object', { length: bytes.length });
  }
  if (!isObject(doc)) throw invalidObject('JSON value is not an object', { length: bytes.length });
  const apiVersion = str(doc, 'apiVersion', '');
  const kind = str(doc, 'kind', '');
  requireTypeMeta(apiVersion, kind, '');
  return { doc, apiVersion, kind };
}

function checkStringMap(o: JsonObject, key: string, path: string): void {
  const v = own(o, key);
  if (v === undefined || v === null) return;
  if (!isObject(v)) throw invalidObject(`${path}.${key} is not an object`, { field: `${path}.${key}` });
  for (const k of Object.keys(v)) {
    if (typeof v[k] !== 'string') throw invalidObject(`${path}.${key} has a value that is not a string`, { field: `${path}.${key}` });
  }
}

/**
 * Check a JSON document as {@link decodeJsonObject} with `payloads: false` would, building
 * nothing: the same checks in the same order (those of `metadataOf` included), so the same
 * first error.
 * @internal
 */
export function checkJsonObject(bytes: Uint8Array): { readonly apiVersion: string; readonly kind: string } {
  const { doc, apiVersion, kind } = parseDocument(bytes);
  const m = metadataObject(doc);
  for (const key of ['name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp']) str(m, key, 'metadata');
  checkStringMap(m, 'labels', 'metadata');
  checkStringMap(m, 'annotations', 'metadata');
  return { apiVersion, kind };
}

/**
 * Decode a JSON document (already known to start with `{`).
 * @internal
 */
export function decodeJsonObject(bytes: Uint8Array, payloads = true): DecodedObject {
  const { doc, apiVersion, kind } = parseDocument(bytes);
  const base = { encoding: 'json' as const, mediaType: JSON_MEDIA_TYPE, apiVersion, kind, metadata: metadataOf(doc), json: doc, rawSize: bytes.length };
  if (!payloads) return Object.freeze(base);
  if (apiVersion === 'v1' && kind === 'Secret') {
    const secret: SecretPayload = Object.freeze({
      type: str(doc, 'type', ''),
      data: Object.freeze(stringMap(doc, 'data', '', base64)),
      immutable: immutable(doc),
    });
    return Object.freeze({ ...base, secret });
  }
  if (apiVersion === 'v1' && kind === 'ConfigMap') {
    const configMap: ConfigMapPayload = Object.freeze({
      data: Object.freeze(stringMap(doc, 'data', '', (s) => s)),
      binaryData: Object.freeze(stringMap(doc, 'binaryData', '', base64)),
      immutable: immutable(doc),
    });
    return Object.freeze({ ...base, configMap });
  }
  return Object.freeze(base);
}
