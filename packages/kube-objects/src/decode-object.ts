/**
 * Decode a Kubernetes object as kube-apiserver stores it in etcd (after decryption, or as found
 * when stored in plaintext), for offline audits.
 *
 * The encoding is recognised by its first bytes, as the apiserver's storage codec does:
 *
 * - `k8s\0` (0x6b 0x38 0x73 0x00): protobuf, a `runtime.Unknown` envelope;
 * - `{` (after optional whitespace): JSON;
 * - `0xd9 0xd9 0xf7` (CBOR self-described tag): CBOR, reported as encoding `unknown`;
 * - anything else (including an encrypted `k8s:enc:` value) is refused.
 *
 * The decoder never executes or evaluates input, allocates only in proportion to the input, and
 * every malformed input is an `AtrestError` `ERR_INVALID_DATA` (tested with random bytes).
 *
 * @module
 */
import { decoderFailure, unknownEncoding } from './_errors.js';
import { decodeJsonObject } from './_json-object.js';
import { decodeProtobufObject } from './_protobuf-object.js';
import { CBOR_MAGIC, firstNonSpace, PROTOBUF_MAGIC, startsWith } from './_sniff.js';
import type { DecodedObject } from './types.js';

export { PROTOBUF_MAGIC } from './_sniff.js';

/** Options of {@link decodeObject}. */
export interface DecodeOptions {
  /**
   * Decode Secret and ConfigMap payloads of JSON objects (`secret`, `configMap`); default true.
   * An auditor that needs only type and metadata sets it false and skips the base64 work.
   */
  readonly payloads?: boolean;
}

/**
 * Decode a stored Kubernetes object.
 *
 * @param bytes - the plaintext value (what `transformer.read` returned, or an identity value)
 * @param options - `payloads: false` skips JSON Secret/ConfigMap payload decoding
 * @returns encoding, apiVersion, kind, metadata; `secret` for v1 Secrets, `configMap` for v1
 *   ConfigMaps, `json` for JSON documents (custom resources keep `spec` there); `rawSize`
 * @throws AtrestError `ERR_INVALID_DATA` for anything that is not a well-formed stored object
 *   (unknown leading bytes, an encrypted value, truncated or mistyped protobuf, invalid JSON);
 *   `context` has the field path and offset, never values
 * @example
 * ```ts
 * import { decodeObject } from '@atrest/kube-objects';
 * const o = decodeObject(new TextEncoder().encode('{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"}}\n'));
 * o.encoding; // 'json'
 * o.metadata?.name; // 'w'
 * ```
 */
export function decodeObject(bytes: Uint8Array, options: DecodeOptions = {}): DecodedObject {
  try {
    if (startsWith(bytes, PROTOBUF_MAGIC)) return decodeProtobufObject(bytes.subarray(PROTOBUF_MAGIC.length));
    if (startsWith(bytes, CBOR_MAGIC)) {
      return Object.freeze({
        encoding: 'unknown',
        mediaType: 'application/cbor',
        apiVersion: '',
        kind: '',
        metadata: null,
        rawSize: bytes.length,
      });
    }
    if (firstNonSpace(bytes) === 0x7b) return decodeJsonObject(bytes, options.payloads !== false);
  } catch (err) {
    throw decoderFailure(err, bytes);
  }
  throw unknownEncoding(bytes);
}
