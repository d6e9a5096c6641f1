/**
 * A stored object's identity (encoding, apiVersion, kind, name, namespace, uid), for audits that
 * look at every value of a snapshot and need no payload.
 *
 * The contract is {@link decodeObject} with `payloads: false`: the same inputs are accepted, the
 * same are refused with the same error, and the fields are the same (`''` where the metadata is
 * unknown). Only the work differs: a protobuf object is walked without building its messages or
 * copying its data (a Secret's values are still checked to be well-formed map entries, as the
 * full decoder checks them); a JSON object is parsed as by `decodeObject`.
 *
 * @module
 */
import { decoderFailure, unknownEncoding } from './_errors.js';
import { checkJsonObject, decodeJsonObject } from './_json-object.js';
import { checkProtobufObject, summarizeProtobufObject, typeMetaOfProtobufObject } from './_protobuf-summary.js';
import { CBOR_MAGIC, firstNonSpace, PROTOBUF_MAGIC, startsWith } from './_sniff.js';
import type { ObjectEncoding } from './types.js';

/** What {@link decodeObjectSummary} returns. */
export interface ObjectSummary {
  readonly encoding: ObjectEncoding;
  /** `apiVersion` (empty when unknown). */
  readonly apiVersion: string;
  /** `kind` (empty when unknown). */
  readonly kind: string;
  /** `metadata.name`, empty when absent or when the metadata is unknown. */
  readonly name: string;
  /** `metadata.namespace`, likewise. */
  readonly namespace: string;
  /** `metadata.uid`, likewise. */
  readonly uid: string;
}

/**
 * Decode only what identifies a stored object.
 *
 * @param bytes - the plaintext value (what `transformer.read` returned, or an identity value)
 * @returns encoding, apiVersion, kind, name, namespace, uid
 * @throws AtrestError `ERR_INVALID_DATA` exactly when `decodeObject(bytes, { payloads: false })`
 *   throws, with the same message and context
 * @example
 * ```ts
 * import { decodeObjectSummary } from '@atrest/kube-objects';
 * const s = decodeObjectSummary(new TextEncoder().encode('{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"shop"}}'));
 * s.kind; // 'Secret'
 * s.namespace; // 'shop'
 * ```
 */
export function decodeObjectSummary(bytes: Uint8Array): ObjectSummary {
  return dispatch(bytes, 'summary') as ObjectSummary;
}

/**
 * Only whether a stored object decodes: {@link decodeObjectSummary} without making any string
 * from a protobuf object (an audit that reports counts needs no names).
 *
 * @param bytes - the plaintext value
 * @returns the encoding `decodeObject` would report
 * @throws AtrestError `ERR_INVALID_DATA` exactly when `decodeObject(bytes, { payloads: false })`
 *   throws, with the same message and context
 * @example
 * ```ts
 * import { checkObject } from '@atrest/kube-objects';
 * checkObject(new TextEncoder().encode('{"apiVersion":"v1","kind":"Secret"}')); // 'json'
 * ```
 */
export function checkObject(bytes: Uint8Array): ObjectEncoding {
  return dispatch(bytes, 'check') as ObjectEncoding;
}

/** What {@link objectTypeMeta} returns. */
export interface ObjectTypeMeta {
  readonly encoding: ObjectEncoding;
  /** `apiVersion` (empty when unknown). */
  readonly apiVersion: string;
  /** `kind` (empty when unknown). */
  readonly kind: string;
}

/**
 * {@link checkObject}, and the object's own TypeMeta: what it says it is, whatever key it is
 * stored under (an audit compares the two).
 *
 * @param bytes - the plaintext value
 * @returns encoding, apiVersion, kind
 * @throws AtrestError `ERR_INVALID_DATA` exactly when {@link checkObject} throws
 * @example
 * ```ts
 * import { objectTypeMeta } from '@atrest/kube-objects';
 * objectTypeMeta(new TextEncoder().encode('{"apiVersion":"apps/v1","kind":"Deployment"}')).kind; // 'Deployment'
 * ```
 */
export function objectTypeMeta(bytes: Uint8Array): ObjectTypeMeta {
  return dispatch(bytes, 'type') as ObjectTypeMeta;
}

const UNKNOWN: ObjectSummary = Object.freeze({ encoding: 'unknown', apiVersion: '', kind: '', name: '', namespace: '', uid: '' });

function dispatch(bytes: Uint8Array, mode: 'check' | 'type' | 'summary'): ObjectSummary | ObjectTypeMeta | ObjectEncoding {
  try {
    if (startsWith(bytes, PROTOBUF_MAGIC)) {
      if (mode === 'check') return checkProtobufObject(bytes, PROTOBUF_MAGIC.length);
      return mode === 'type' ? typeMetaOfProtobufObject(bytes, PROTOBUF_MAGIC.length) : summarizeProtobufObject(bytes, PROTOBUF_MAGIC.length);
    }
    if (startsWith(bytes, CBOR_MAGIC)) return mode === 'check' ? 'unknown' : mode === 'type' ? { encoding: 'unknown', apiVersion: '', kind: '' } : { ...UNKNOWN };
    if (firstNonSpace(bytes) === 0x7b) {
      if (mode === 'check') {
        checkJsonObject(bytes);
        return 'json';
      }
      if (mode === 'type') return { encoding: 'json', ...checkJsonObject(bytes) };
      const o = decodeJsonObject(bytes, false);
      const m = o.metadata;
      return { encoding: o.encoding, apiVersion: o.apiVersion, kind: o.kind, name: m?.name ?? '', namespace: m?.namespace ?? '', uid: m?.uid ?? '' };
    }
  } catch (err) {
    throw decoderFailure(err, bytes);
  }
  throw unknownEncoding(bytes);
}
