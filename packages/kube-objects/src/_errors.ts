/**
 * Errors of this package: every malformed object is an `AtrestError` with code
 * `ERR_INVALID_DATA`; `context` names the field path and byte offsets, never field values (an
 * object may be a plaintext Secret).
 *
 * @module
 */
import { AtrestError, type ErrorContext, ErrorCode } from '@atrest/core';

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
