/**
 * The value-transformer contract, mirroring kube-apiserver's `storage/value` package.
 *
 * A {@link Transformer} turns the bytes kube-apiserver would store in etcd back into plaintext
 * (`read`) and plaintext into stored bytes (`write`). Both take the *authenticated-data context*:
 * the full etcd key of the value (`/registry/secrets/default/db`). Providers that authenticate it
 * (aesgcm, kms) refuse a value moved to another key; providers that ignore it (aescbc, secretbox,
 * identity) do not.
 *
 * Results may be synchronous or asynchronous ({@link MaybePromise}): local providers (identity,
 * aescbc, aesgcm, secretbox) answer synchronously and never allocate a promise; KMS providers
 * return a promise only when they must call a plugin. `await` works on either.
 *
 * @module
 */

/** A value, or a promise of it. Local providers return values; KMS providers may return promises. */
export type MaybePromise<T> = T | Promise<T>;

/** The outcome of reading a stored value. */
export interface ReadResult {
  /** The decrypted value. */
  readonly plaintext: Uint8Array;
  /**
   * True when kube-apiserver would consider the value stale: it was not read by the first entry
   * of the chain (a later provider or a later key), kms v1 fell back to AES-CBC, or kms v2's key
   * ID / DEK source type differs from the current one. A stale value should be re-written.
   */
  readonly stale: boolean;
  /**
   * Which chain entry read the value, when known: `identity`, `aesgcm:key1`, `kms:v2:name`.
   * Purely informational; conformance is decided by `plaintext`, `stale` and errors.
   */
  readonly source?: string;
}

/**
 * A value transformer: the unit that providers implement and chains combine.
 *
 * `read` receives the stored bytes *after* any prefix its chain entry matched; `write` returns
 * the bytes to store *without* that prefix (the chain adds it). A bare provider used outside a
 * chain therefore reads and writes un-prefixed payloads.
 *
 * Implementations must not retain or mutate `data`, and must throw (or reject with)
 * an {@link AtrestError} on failure.
 *
 * @example
 * ```ts
 * import { type Transformer, utf8 } from '@atrest/core';
 * declare const t: Transformer;
 * const ctx = utf8('/registry/secrets/default/db');
 * const stored = await t.write(utf8('hello'), ctx);
 * const { plaintext, stale } = await t.read(stored, ctx);
 * ```
 */
export interface Transformer {
  /**
   * Decrypt a stored value.
   * @param data - stored bytes (after the chain entry's prefix)
   * @param context - authenticated data: the etcd key's bytes
   * @returns the plaintext and whether it is stale
   * @throws AtrestError when the value cannot be read
   */
  read(data: Uint8Array, context: Uint8Array): MaybePromise<ReadResult>;
  /**
   * Encrypt a value for storage.
   * @param plaintext - the value to protect
   * @param context - authenticated data: the etcd key's bytes
   * @returns the bytes to store (without the chain entry's prefix)
   * @throws AtrestError when the value cannot be written
   */
  write(plaintext: Uint8Array, context: Uint8Array): MaybePromise<Uint8Array>;
  /**
   * Optional positional read, used by chains so that no view is created per prefix:
   * `readAt(data, offset, context)` must behave exactly as `read(data.subarray(offset), context)`.
   */
  readAt?(data: Uint8Array, offset: number, context: Uint8Array): MaybePromise<ReadResult>;
  /**
   * Optional positional hot-loop read, used by chains' `readInto` so that no view is created per
   * prefix: `readAtInto(data, offset, context, out)` must behave exactly as
   * `readInto(data.subarray(offset), context, out)`.
   */
  readAtInto?(data: Uint8Array, offset: number, context: Uint8Array, out: Uint8Array): MaybePromise<ReadResult>;
  /**
   * Optional write into one allocation, used by chains so that prefixes are not concatenated per
   * level: `writeAfter(header, plaintext, context)` must return exactly `header` followed by
   * what `write(plaintext, context)` returns, and must neither keep nor modify `header`.
   */
  writeAfter?(header: Uint8Array, plaintext: Uint8Array, context: Uint8Array): MaybePromise<Uint8Array>;
  /**
   * Optional hot-loop read into caller memory: as `read`, but the plaintext is written to
   * `out[0, n)` and returned as `out.subarray(0, n)`, so a loop that reuses one `out` allocates no
   * result memory per value (fresh memory for large values costs page faults). An `out` of
   * `data.length` bytes is always large enough. The result is only valid until `out` is reused.
   * On failure the part of `out` the read wrote is zeroed before the error is thrown; bytes of
   * `out` past the plaintext are zero or left as they were, never another value's bytes.
   * Implemented by the local providers (aesgcm, aescbc, secretbox) and kms v2.
   * @param data - stored bytes, as for `read`
   * @param context - authenticated data: the etcd key's bytes
   * @param out - where the plaintext goes; must not overlap `data`
   * @throws AtrestError as `read`, and `ERR_INVALID_ARGUMENT` when `out` is not a Uint8Array,
   *   is too small (`needed` in the context) or overlaps `data`
   * @example
   * ```ts
   * import { aesGcmTransformer } from '@atrest/aesgcm';
   * import { nodeBackend, utf8 } from '@atrest/core';
   * const t = aesGcmTransformer(nodeBackend.randomBytes(32));
   * const ctx = utf8('/registry/secrets/default/db');
   * const stored = new Uint8Array(1024);
   * const plain = new Uint8Array(1024);
   * const value = await t.writeInto?.(utf8('hello'), ctx, stored); // a view of `stored`
   * const { plaintext } = await t.readInto!(value!, ctx, plain); // a view of `plain`: 'hello'
   * ```
   */
  readInto?(data: Uint8Array, context: Uint8Array, out: Uint8Array): MaybePromise<ReadResult>;
  /**
   * Optional hot-loop write into caller memory: as `write`, but the stored bytes are written to
   * `out[0, m)` and returned as `out.subarray(0, m)`. Every byte of the returned view is written
   * by this call. The local providers need at most `plaintext.length + 64` bytes (aescbc: padding
   * included); kms v2 also needs room for its envelope (the error's `needed` says how much).
   * @param plaintext - the value to protect
   * @param context - authenticated data: the etcd key's bytes
   * @param out - where the stored value goes; must not overlap `plaintext`
   * @throws AtrestError as `write`, and `ERR_INVALID_ARGUMENT` when `out` is not a Uint8Array,
   *   is too small or overlaps `plaintext`
   */
  writeInto?(plaintext: Uint8Array, context: Uint8Array, out: Uint8Array): MaybePromise<Uint8Array>;
}

/**
 * True when `value` is a promise (or any thenable). Used by chains to stay synchronous when every
 * provider they touch is synchronous.
 *
 * @example
 * ```ts
 * import { isPromise } from '@atrest/core';
 * isPromise(Promise.resolve(1)); // true
 * isPromise(1); // false
 * ```
 */
export function isPromise<T>(value: MaybePromise<T>): value is Promise<T> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
