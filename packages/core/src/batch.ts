/**
 * Reading and writing many values at once: re-encryption jobs, auditors, anything that holds a
 * list of stored values.
 *
 * What a batch does that a loop of `await t.read(...)` does not:
 * - **Values that must wait for a KMS plugin wait together**: their plugin calls are in flight
 *   concurrently (at most `concurrency` at a time) instead of one after another, so a batch of
 *   values under many wrapped DEKs costs about one plugin round trip per `concurrency` DEKs.
 * - **One failure is one result**, not an exception that ends the loop: each item reports its own
 *   {@link AtrestError}, so a damaged value in a backup does not hide the others.
 * - The whole batch is answered without a promise when no value needed one.
 *
 * It is not a speed-up for local providers: `docs/benchmarks.md` measures `readMany` 10-25 %
 * slower than a plain loop over 1000 aesgcm values (the per-item outcome objects), and +5-25 %
 * for kms v2 values with a cold cache against a local plugin.
 *
 * Results keep the order of the input.
 *
 * @module
 */
import { AtrestError, ErrorCode, toAtrestError } from './errors.js';
import { isPromise, type MaybePromise, type ReadResult, type Transformer } from './transformer.js';

/** One value to read: the stored bytes and their etcd key (the authenticated data). */
export interface BatchReadItem {
  readonly data: Uint8Array;
  readonly context: Uint8Array;
}

/** One value to write. */
export interface BatchWriteItem {
  readonly plaintext: Uint8Array;
  readonly context: Uint8Array;
}

/** The outcome of one item: a value, or the error that item alone met. */
export type BatchOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: AtrestError };

/** Options of {@link readMany} and {@link writeMany}. */
export interface BatchOptions {
  /** Items waiting for a promise (KMS plugin calls) at once: a positive integer, default 64. */
  readonly concurrency?: number;
}

const DEFAULT_CONCURRENCY = 64;

function failed(err: unknown): BatchOutcome<never> {
  return { ok: false, error: toAtrestError(err) };
}

/**
 * Items are started in order. A synchronous answer is stored at once; a promise occupies one of
 * `concurrency` slots until it settles, and then the next items start. Without any promise the
 * results come back synchronously.
 */
function run<I, T>(items: readonly I[], op: (item: I) => MaybePromise<T>, options: BatchOptions): MaybePromise<BatchOutcome<T>[]> {
  const limit = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new AtrestError(ErrorCode.InvalidArgument, 'batch concurrency must be a positive integer', { concurrency: String(limit) });
  }
  const results = new Array<BatchOutcome<T>>(items.length);
  let next = 0;
  let inFlight = 0;
  let finish: ((r: BatchOutcome<T>[]) => void) | undefined;
  const pump = (): void => {
    while (next < items.length && inFlight < limit) {
      const i = next++;
      let r: MaybePromise<T>;
      try {
        r = op(items[i] as I);
      } catch (err) {
        results[i] = failed(err);
        continue;
      }
      if (!isPromise(r)) {
        results[i] = { ok: true, value: r };
        continue;
      }
      inFlight++;
      // Promise.resolve: a foreign thenable gets real promise semantics (asynchronous callbacks).
      void Promise.resolve(r).then(
        (value) => {
          results[i] = { ok: true, value };
        },
        (err: unknown) => {
          results[i] = failed(err);
        },
      ).then(() => {
        inFlight--;
        pump();
        if (inFlight === 0 && next >= items.length) finish?.(results);
      });
    }
  };
  pump();
  if (inFlight === 0) return results;
  // Settlements run as microtasks, after this promise (and `finish`) exists.
  return new Promise((resolve) => {
    finish = resolve;
  });
}

/**
 * Read many stored values with one transformer (a resource's chain).
 *
 * @param transformer - typically `config.transformerForResource('secrets')`
 * @param items - stored bytes and etcd keys
 * @param options - `concurrency` for values that wait on a KMS plugin
 * @returns one outcome per item, in order; synchronously when no item needed a promise
 * @throws AtrestError `ERR_INVALID_ARGUMENT` when `concurrency` is not a positive integer
 * @example
 * ```ts
 * import { readMany, utf8, type Transformer } from '@atrest/core';
 * declare const secrets: Transformer;
 * declare const stored: Uint8Array[];
 * const outcomes = await readMany(secrets, stored.map((data) => ({ data, context: utf8('/registry/secrets/default/db') })));
 * for (const o of outcomes) if (!o.ok) console.error(o.error.code);
 * ```
 */
export function readMany(transformer: Transformer, items: readonly BatchReadItem[], options: BatchOptions = {}): MaybePromise<BatchOutcome<ReadResult>[]> {
  return run(items, (item) => transformer.read(item.data, item.context), options);
}

/**
 * Write many values with one transformer: each gets its own fresh nonce, as with `write`.
 *
 * @param transformer - typically `config.transformerForResource('secrets')`
 * @param items - plaintexts and etcd keys
 * @param options - `concurrency` for values that wait on a KMS plugin
 * @returns one outcome per item (the bytes to store), in order
 * @example
 * ```ts
 * import { utf8, writeMany, type Transformer } from '@atrest/core';
 * declare const secrets: Transformer;
 * const outcomes = await writeMany(secrets, [{ plaintext: utf8('{}'), context: utf8('/registry/secrets/a/b') }]);
 * ```
 */
export function writeMany(transformer: Transformer, items: readonly BatchWriteItem[], options: BatchOptions = {}): MaybePromise<BatchOutcome<Uint8Array>[]> {
  return run(items, (item) => transformer.write(item.plaintext, item.context), options);
}
