/**
 * The prefix chain: upstream's `PrefixTransformers`, the one mechanism every provider plugs into.
 *
 * Read: entries are tried in order, and only those whose prefix the stored value starts with. The
 * first success wins, and is **stale** when it was not entry 0 (or the entry itself said stale).
 * An entry with an empty prefix (identity) that fails is skipped silently: that is how identity
 * refuses `k8s:enc:` data without masking the real error. When every matching entry fails, the
 * errors are combined in chain order ({@link reduceErrors}); when none matched, the chain's own
 * "no match" error is thrown. An entry that is itself a chain none of whose prefixes the value
 * has (two `aesgcm` providers, the value under the second's key) would throw its "no match":
 * that error is made only if the read fails as a whole, as the rest of the chain often reads
 * the value (an error's stack trace costs more than an AES-GCM open of a small value).
 *
 * Write: always entry 0, its prefix followed by its output.
 *
 * Hot-loop reads (`readInto`): the same entries in the same order, each reading into the caller's
 * `out` (through its own `readAtInto`/`readInto` when it has one, else its `read`, copied). The
 * chain asks for an `out` of at least the bytes after the offset, enough for every provider.
 *
 * The chain stays synchronous as long as the entries it calls are; it returns a promise only once
 * an entry does.
 *
 * @module
 */
import { checkOut, checkReadArguments, checkWriteArguments, copyInto } from './arguments.js';
import { concatBytes, hasPrefixAt } from './bytes.js';
import { allocOutput } from './output.js';
import { type AtrestError, reduceErrors, toAtrestError } from './errors.js';
import { isPromise, type MaybePromise, type ReadResult, type Transformer } from './transformer.js';

const EMPTY = new Uint8Array(0);
/** What a chain's private read answers when no entry's prefix matched (see `#tryFrom`). */
const NO_MATCH: unique symbol = Symbol('no matching prefix');

/** One entry of a {@link PrefixChain}. */
export interface ChainEntry {
  /** Bytes a stored value must start with for this entry to be tried; empty matches everything. */
  readonly prefix: Uint8Array;
  /** The transformer that reads what follows the prefix and writes what the prefix precedes. */
  readonly transformer: Transformer;
  /** A label for reports (`aesgcm:key1`); reported as {@link ReadResult.source} when the transformer gives none. */
  readonly name?: string;
}

/**
 * Upstream's prefix-transformer chain.
 *
 * @example
 * ```ts
 * import { AtrestError, ErrorCode, PrefixChain, utf8 } from '@atrest/core';
 * import { identity } from '@atrest/identity';
 * const chain = new PrefixChain(
 *   [{ prefix: new Uint8Array(0), transformer: identity(), name: 'identity' }],
 *   () => new AtrestError(ErrorCode.NoMatchingPrefix, 'no matching prefix found'),
 * );
 * const r = chain.read(utf8('hello'), utf8('/registry/secrets/a/b'));
 * ```
 */
export class PrefixChain implements Transformer {
  /** The entries, in read order. */
  readonly entries: readonly ChainEntry[];
  readonly #noMatch: () => AtrestError;
  /** Per entry: its transformer when that is a chain of this class (not a subclass), else undefined. */
  readonly #inner: readonly (PrefixChain | undefined)[];
  #lastHeader: Uint8Array | undefined;
  #lastCombined: Uint8Array = EMPTY;

  /**
   * @param entries - at least one entry; entry 0 is the writer
   * @param noMatch - builds the error thrown when no entry's prefix matches
   * @throws TypeError when `entries` is empty
   */
  constructor(entries: readonly ChainEntry[], noMatch: () => AtrestError) {
    if (entries.length === 0) throw new TypeError('PrefixChain needs at least one entry');
    this.entries = Object.freeze([...entries]);
    this.#noMatch = noMatch;
    this.#inner = this.entries.map((e) => (e.prefix.length > 0 && Object.getPrototypeOf(e.transformer) === PrefixChain.prototype ? (e.transformer as PrefixChain) : undefined));
  }

  /** {@inheritDoc Transformer.read} */
  read(data: Uint8Array, context: Uint8Array): MaybePromise<ReadResult> {
    checkReadArguments(data, 0, context);
    return this.#readFrom(0, data, 0, context, undefined);
  }

  /** {@inheritDoc Transformer.readAt} */
  readAt(data: Uint8Array, offset: number, context: Uint8Array): MaybePromise<ReadResult> {
    checkReadArguments(data, offset, context);
    return this.#readFrom(0, data, offset, context, undefined);
  }

  /**
   * {@inheritDoc Transformer.readInto}
   * @example
   * ```ts
   * import { loadEncryptionConfiguration } from '@atrest/config';
   * import { utf8 } from '@atrest/core';
   * declare const configYaml: string;
   * declare const stored: Uint8Array[];
   * const t = loadEncryptionConfiguration(configYaml).transformerForResource('secrets');
   * const key = utf8('/registry/secrets/default/db');
   * const out = new Uint8Array(1 << 20); // reused: no result memory per value
   * for (const value of stored) {
   *   const { plaintext } = await t.readInto!(value, key, out); // a view of `out`, valid until the next read
   * }
   * ```
   */
  readInto(data: Uint8Array, context: Uint8Array, out: Uint8Array): MaybePromise<ReadResult> {
    return this.readAtInto(data, 0, context, out);
  }

  /** {@inheritDoc Transformer.readAtInto} */
  readAtInto(data: Uint8Array, offset: number, context: Uint8Array, out: Uint8Array): MaybePromise<ReadResult> {
    checkReadArguments(data, offset, context);
    // No provider's plaintext is longer than its stored form.
    checkOut(out, data.length - offset, data, 'data');
    return this.#readFrom(0, data, offset, context, undefined, out);
  }

  /** Read from entry `start` on; throws the chain's "no match" when no entry's prefix matched. */
  #readFrom(
    start: number,
    data: Uint8Array,
    offset: number,
    context: Uint8Array,
    errors: (AtrestError | PrefixChain)[] | undefined,
    out?: Uint8Array,
  ): MaybePromise<ReadResult> {
    const r = this.#tryFrom(start, data, offset, context, errors, out);
    if (r === NO_MATCH) throw this.#noMatch();
    return r;
  }

  /**
   * {@link PrefixChain.#readFrom}, answering {@link NO_MATCH} instead of making and throwing the
   * "no match" error: an outer chain makes it only if its whole read fails. Inner chains are
   * called here directly, their arguments being the outer read's, already checked.
   */
  #tryFrom(
    start: number,
    data: Uint8Array,
    offset: number,
    context: Uint8Array,
    errors: (AtrestError | PrefixChain)[] | undefined,
    out: Uint8Array | undefined,
  ): MaybePromise<ReadResult> | typeof NO_MATCH {
    const entries = this.entries;
    for (let i = start; i < entries.length; i++) {
      const entry = entries[i] as ChainEntry;
      const plen = entry.prefix.length;
      if (!hasPrefixAt(data, offset, entry.prefix)) continue;
      const t = entry.transformer;
      const at = offset + plen;
      const inner = this.#inner[i];
      let result: MaybePromise<ReadResult>;
      try {
        if (inner !== undefined) {
          const r = inner.#tryFrom(0, data, at, context, undefined, out);
          if (r === NO_MATCH) {
            (errors ??= []).push(inner); // its "no match", made if needed (below)
            continue;
          }
          result = r;
        } else if (out !== undefined) result = readEntryInto(t, data, at, context, out);
        else result = t.readAt !== undefined ? t.readAt(data, at, context) : t.read(at === 0 ? data : data.subarray(at), context);
      } catch (err) {
        if (plen !== 0) (errors ??= []).push(toAtrestError(err));
        continue;
      }
      if (isPromise(result)) {
        return result.then(
          (r) => settle(r, i, entry),
          (err: unknown) => {
            if (plen !== 0) (errors ??= []).push(toAtrestError(err));
            return this.#readFrom(i + 1, data, offset, context, errors, out);
          },
        );
      }
      return settle(result, i, entry);
    }
    if (errors === undefined) return NO_MATCH;
    throw reduceErrors(errors.map((e) => (e instanceof PrefixChain ? e.#noMatch() : e))) as AtrestError;
  }

  /** {@inheritDoc Transformer.write} */
  write(plaintext: Uint8Array, context: Uint8Array): MaybePromise<Uint8Array> {
    return this.writeAfter(EMPTY, plaintext, context);
  }

  /** {@inheritDoc Transformer.writeAfter} */
  writeAfter(header: Uint8Array, plaintext: Uint8Array, context: Uint8Array): MaybePromise<Uint8Array> {
    checkWriteArguments(header, plaintext, context);
    const first = this.entries[0] as ChainEntry;
    const head = this.#headerFor(header);
    const t = first.transformer;
    if (t.writeAfter !== undefined) return t.writeAfter(head, plaintext, context);
    const out = t.write(plaintext, context);
    if (head.length === 0) return out;
    if (isPromise(out)) return out.then((b) => prefixed(head, b));
    return prefixed(head, out);
  }

  /**
   * `header || entry 0's prefix`, remembered for the header last seen (a parent chain passes the
   * same one every time). The bytes are compared too, so a caller reusing one buffer with other
   * contents still gets its own header.
   */
  #headerFor(header: Uint8Array): Uint8Array {
    const prefix = (this.entries[0] as ChainEntry).prefix;
    if (header.length === 0) return prefix;
    const combined = this.#lastCombined;
    if (header !== this.#lastHeader || combined.length !== header.length + prefix.length || !hasPrefixAt(combined, 0, header)) {
      this.#lastCombined = concatBytes(header, prefix);
      this.#lastHeader = header;
    }
    return this.#lastCombined;
  }
}

/** One entry's read of `data` from `at` into `out`: in place when the entry can, else read and copied. */
function readEntryInto(t: Transformer, data: Uint8Array, at: number, context: Uint8Array, out: Uint8Array): MaybePromise<ReadResult> {
  if (t.readAtInto !== undefined) return t.readAtInto(data, at, context, out);
  const input = at === 0 ? data : data.subarray(at);
  if (t.readInto !== undefined) return t.readInto(input, context, out);
  const r = t.read(input, context);
  return isPromise(r) ? r.then((x) => copyInto(x, out, input)) : copyInto(r, out, input);
}

function prefixed(head: Uint8Array, payload: Uint8Array): Uint8Array {
  const out = allocOutput('stored', head.length + payload.length);
  out.set(head, 0);
  out.set(payload, head.length);
  return out;
}

/** The entry's result as the chain reports it: stale unless entry 0 read it, named by the entry when it named nothing. */
function settle(r: ReadResult, index: number, entry: ChainEntry): ReadResult {
  const stale = r.stale || index !== 0;
  const source = r.source ?? entry.name;
  if (source === r.source && stale === r.stale) return r;
  // One object literal per shape (no spread): this runs on every read.
  return source === undefined ? { plaintext: r.plaintext, stale } : { plaintext: r.plaintext, stale, source };
}
