/**
 * The one error constructor of this package: every malformed, truncated or hostile input becomes
 * an `AtrestError` with code `ERR_INVALID_DATA`, and its `context` says where (file path, byte
 * offset, page id, bucket, etcd revision). Contexts hold names and numbers only, never values:
 * snapshot values may be plaintext Secrets.
 *
 * @module
 */
import { AtrestError, type ErrorContext, ErrorCode } from '@atrest/core';

/**
 * An `ERR_INVALID_DATA` error.
 * @internal
 */
export function invalidData(message: string, context: ErrorContext = {}): AtrestError {
  return new AtrestError(ErrorCode.InvalidData, message, context);
}

/**
 * Convert an unsigned 64-bit value to a JS number, refusing values above 2^53 - 1 (never expected
 * in a valid file: page ids and offsets are bounded by the file size, revisions by etcd's history).
 * @internal
 */
export function safeNumber(value: bigint, what: string, context: ErrorContext = {}): number {
  if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw invalidData(`${what} does not fit in a safe integer`, { ...context, value: value.toString() });
  }
  return Number(value);
}
