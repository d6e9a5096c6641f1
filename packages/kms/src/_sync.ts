/**
 * Calling the local AES transformers from inside a KMS provider.
 *
 * The aesgcm/aescbc transformers answer synchronously (their type says `MaybePromise` only
 * because every transformer shares one interface). Unwrapping their results here keeps cache
 * hits free of promises; a promise from them would be a contract break, reported as such.
 *
 * @module
 */
import { AtrestError, ErrorCode, isPromise, type MaybePromise, toAtrestError } from '@atrest/core';

/**
 * @param value - a local transformer's answer
 * @returns the answer, known to be synchronous
 * @throws AtrestError `ERR_INTERNAL` when a local transformer answered with a promise
 */
export function local<T>(value: MaybePromise<T>): T {
  if (isPromise(value)) {
    value.catch(() => undefined);
    throw new AtrestError(ErrorCode.Internal, 'a local transformer answered asynchronously');
  }
  return value;
}

/**
 * Run `fn`, turning anything it throws into an AtrestError (for aggregation).
 * @returns `[result]` or `[undefined, error]`
 */
export function attempt<T>(fn: () => T): [T, undefined] | [undefined, AtrestError] {
  try {
    return [fn(), undefined];
  } catch (err) {
    return [undefined, toAtrestError(err)];
  }
}
