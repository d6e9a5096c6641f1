/**
 * Errors of this package: every malformed object is an `AtrestError` with code
 * `ERR_INVALID_DATA`; `context` names the field path and byte offsets, never field values (an
 * object may be a plaintext Secret).
 *
 * @module
 */
import { AtrestError, type ErrorContext, ErrorCode } from '@atrest/core';
import { ENCRYPTED_PREFIX, startsWith } from './_sniff.js';

/** @internal */
export function invalidObject(message: string, context: ErrorContext = {}): AtrestError {
  return new AtrestError(ErrorCode.InvalidData, message, context);
}

/**
 * Kubernetes refuses to decode a stored object without a kind or apiVersion (apimachinery's
 * missing-kind / missing-version errors; the upstream text goes on to quote the data, left out here).
 * @internal
 */
export function requireTypeMeta(apiVersion: string, kind: string, field: string): void {
  if (kind === '') throw invalidObject("Object 'Kind' is missing", { field: `${field}kind` });
  if (apiVersion === '') throw invalidObject("Object 'apiVersion' is missing", { field: `${field}apiVersion` });
}

/**
 * What a decoder's failure becomes: its AtrestError as it is; anything else becomes
 * `malformed object` (defence in depth: no other error may escape a decoder fed hostile bytes).
 * @internal
 */
export function decoderFailure(err: unknown, bytes: Uint8Array): AtrestError {
  return err instanceof AtrestError ? err : invalidObject('malformed object', { length: bytes.length });
}

/** The error for bytes of no encoding the decoders know; an encrypted value is named as such. @internal */
export function unknownEncoding(bytes: Uint8Array): AtrestError {
  if (startsWith(bytes, ENCRYPTED_PREFIX)) {
    return invalidObject('value is encrypted (k8s:enc: prefix): decrypt it before decoding', { length: bytes.length });
  }
  return invalidObject('not a Kubernetes object: unknown encoding', { length: bytes.length });
}
