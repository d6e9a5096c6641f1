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
import { AtrestError } from '@atrest/core';
import { invalidObject } from './_errors.js';
import { checkJsonObject, decodeJsonObject } from './_json-object.js';
import { checkProtobufObject, summarizeProtobufObject } from './_protobuf-summary.js';
import { CBOR_MAGIC, ENCRYPTED_PREFIX, firstNonSpace, PROTOBUF_MAGIC, startsWith } from './_sniff.js';
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
  return dispatch(bytes, true) as ObjectSummary;
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
  return dispatch(bytes, false) as ObjectEncoding;
}

const UNKNOWN: ObjectSummary = Object.freeze({ encoding: 'unknown', apiVersion: '', kind: '', name: '', namespace: '', uid: '' });

function dispatch(bytes: Uint8Array, summary: boolean): ObjectSummary | ObjectEncoding {
  try {
    if (startsWith(bytes, PROTOBUF_MAGIC)) {
      return summary ? summarizeProtobufObject(bytes, PROTOBUF_MAGIC.length) : checkProtobufObject(bytes, PROTOBUF_MAGIC.length);
    }
    if (startsWith(bytes, CBOR_MAGIC)) return summary ? { ...UNKNOWN } : 'unknown';
    if (firstNonSpace(bytes) === 0x7b) {
      if (!summary) {
        checkJsonObject(bytes);
        return 'json';
      }
      const o = decodeJsonObject(bytes, false);
      const m = o.metadata;
      return { encoding: o.encoding, apiVersion: o.apiVersion, kind: o.kind, name: m?.name ?? '', namespace: m?.namespace ?? '', uid: m?.uid ?? '' };
    }
  } catch (err) {
    if (err instanceof AtrestError) throw err;
    // Defence in depth, as in decodeObject: no other error may escape a decoder fed hostile bytes.
    throw invalidObject('malformed object', { length: bytes.length });
  }
  if (startsWith(bytes, ENCRYPTED_PREFIX)) {
    throw invalidObject('value is encrypted (k8s:enc: prefix): decrypt it before decoding', { length: bytes.length });
  }
  throw invalidObject('not a Kubernetes object: unknown encoding', { length: bytes.length });
}
