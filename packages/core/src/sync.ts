/**
 * Synchronous access for callers that know their chain holds only local providers.
 * @module
 */
import { AtrestError, ErrorCode } from './errors.js';
import { isPromise, type ReadResult, type Transformer } from './transformer.js';

function refuse(op: string, p: Promise<unknown>): never {
  // The provider already started; make sure its eventual rejection is not reported as unhandled.
  p.catch(() => undefined);
  throw new AtrestError(
    ErrorCode.AsyncProvider,
    `${op} reached a provider that answers asynchronously (such as kms); use await instead`,
  );
}

/**
 * Read without a promise. Throws `ERR_ASYNC_PROVIDER` if the chain reaches an asynchronous
 * provider (KMS); use `await transformer.read(...)` for those.
 *
 * @example
 * ```ts
 * import { readSync, utf8 } from '@atrest/core';
 * import { identity } from '@atrest/identity';
 * readSync(identity(), utf8('x'), utf8('/registry/secrets/a/b')).stale; // false
 * ```
 */
export function readSync(t: Transformer, data: Uint8Array, context: Uint8Array): ReadResult {
  const r = t.read(data, context);
  if (isPromise(r)) refuse('readSync', r);
  return r;
}

/**
 * Write without a promise. Throws `ERR_ASYNC_PROVIDER` if the writer is asynchronous.
 *
 * @example
 * ```ts
 * import { writeSync, utf8 } from '@atrest/core';
 * import { identity } from '@atrest/identity';
 * writeSync(identity(), utf8('x'), utf8('/registry/secrets/a/b')); // Uint8Array [120]
 * ```
 */
export function writeSync(t: Transformer, plaintext: Uint8Array, context: Uint8Array): Uint8Array {
  const r = t.write(plaintext, context);
  if (isPromise(r)) refuse('writeSync', r);
  return r;
}
