/**
 * The one mechanism behind the local keyed providers (aescbc, aesgcm and its KMS v2 formats,
 * secretbox): a base class that owns the backend, the error label and the `read`/`write` entry
 * points, the key checks made before a backend sees a key, and the two factories every provider
 * package exports (a bare transformer for one key, a chain entry for named keys).
 *
 * Per-value cost: the chain calls each subclass's own `readAt`/`writeAfter` directly, exactly as
 * before. A bare `read`/`write` adds one `this.readAt`/`this.writeAfter` lookup, polymorphic over
 * at most the four subclasses that exist (aescbc, aesgcm, aesgcm extended nonce, secretbox), so
 * never megamorphic. Nothing is allocated per call here; `EMPTY` is shared.
 * @module
 */
import { checkBytes, checkOut, checkReadArguments, checkWriteArguments, copyInto } from './arguments.js';
import type { CryptoBackend } from './backend.js';
import { defaultBackend } from './backends/registry.js';
import { AtrestError, ErrorCode } from './errors.js';
import { type KeyedProviderSpec, keyedProvider, type ProviderKey, type ProviderOptions } from './keyed-provider.js';
import type { ChainEntry } from './prefix-chain.js';
import type { ReadResult, Transformer } from './transformer.js';

const EMPTY = new Uint8Array(0);

/** Which provider (and, inside a provider, which key) an error comes from: never key bytes. */
export interface ProviderLabel {
  readonly provider: string;
  readonly key?: string;
}

/**
 * Base of the local (synchronous, keyed) transformers. A subclass prepares its cipher from the
 * key in its constructor (kept in an ES private field, so no key material reaches `toString`,
 * JSON or `util.inspect`) and implements the positional `readAt` and `writeAfter`, which must
 * check their arguments first (`checkReadArguments`, `checkWriteArguments`); `read` and `write`
 * are those at offset 0 and with an empty header.
 */
export abstract class LocalTransformer implements Transformer {
  /** Where randomness (and, in the subclass, the cipher) comes from. */
  protected readonly backend: CryptoBackend;
  /** Context of every error this transformer raises. */
  protected readonly label: ProviderLabel;

  constructor(backend: CryptoBackend, label: ProviderLabel) {
    this.backend = backend;
    this.label = label;
  }

  /** {@inheritDoc Transformer.read} */
  read(data: Uint8Array, context: Uint8Array): ReadResult {
    return this.readAt(data, 0, context);
  }

  /** {@inheritDoc Transformer.write} */
  write(plaintext: Uint8Array, context: Uint8Array): Uint8Array {
    return this.writeAfter(EMPTY, plaintext, context);
  }

  /** {@inheritDoc Transformer.readInto} */
  readInto(data: Uint8Array, context: Uint8Array, out: Uint8Array): ReadResult {
    return this.readAtInto(data, 0, context, out);
  }

  /** {@inheritDoc Transformer.writeInto} */
  writeInto(plaintext: Uint8Array, context: Uint8Array, out: Uint8Array): Uint8Array {
    return this.writeAfterInto(EMPTY, plaintext, context, out);
  }

  /**
   * `readAt` into caller memory (see {@link Transformer.readInto}). This default reads into new
   * memory, copies into `out` and wipes the copy; subclasses whose cipher can write into `out`
   * directly override it.
   */
  readAtInto(data: Uint8Array, offset: number, context: Uint8Array, out: Uint8Array): ReadResult {
    checkReadArguments(data, offset, context);
    checkOut(out, 0, data, 'data');
    return copyInto(this.readAt(data, offset, context), out, data);
  }

  /**
   * `writeAfter` into caller memory (see {@link Transformer.writeInto}): `header`, then the
   * payload, in `out`. This default writes into new memory and copies; subclasses override it.
   */
  writeAfterInto(header: Uint8Array, plaintext: Uint8Array, context: Uint8Array, out: Uint8Array): Uint8Array {
    checkWriteArguments(header, plaintext, context);
    checkBytes(out, 'out');
    checkOut(out, 0, plaintext, 'plaintext');
    const stored = this.writeAfter(header, plaintext, context);
    checkOut(out, stored.length, plaintext, 'plaintext');
    out.set(stored, 0);
    return out.subarray(0, stored.length);
  }

  /** {@inheritDoc Transformer.readAt} */
  abstract readAt(data: Uint8Array, offset: number, context: Uint8Array): ReadResult;

  /** {@inheritDoc Transformer.writeAfter} */
  abstract writeAfter(header: Uint8Array, plaintext: Uint8Array, context: Uint8Array): Uint8Array;
}

/** A local transformer's constructor: key (unchecked), backend, label. */
export type LocalTransformerClass = new (key: Uint8Array, backend: CryptoBackend, label: ProviderLabel) => LocalTransformer;

/**
 * Check a key before a backend sees it, so that a failure is a typed error naming the provider
 * and key, never the key bytes.
 * @param key - the key as received
 * @param label - provider and key name, for the error
 * @param sizeOk - whether a key of this many bytes is valid
 * @param sizeText - upstream's text for a key of the wrong size
 * @throws AtrestError `ERR_INVALID_KEY` (`key secret must be a Uint8Array`, or `sizeText(n)` with
 *   `length` in the context)
 */
export function checkKey(key: unknown, label: ProviderLabel, sizeOk: (n: number) => boolean, sizeText: (n: number) => string): asserts key is Uint8Array {
  if (!(key instanceof Uint8Array)) {
    throw new AtrestError(ErrorCode.InvalidKey, 'key secret must be a Uint8Array', { ...label });
  }
  const n = key.length;
  if (!sizeOk(n)) throw new AtrestError(ErrorCode.InvalidKey, sizeText(n), { ...label, length: n });
}

const isAesKeySize = (n: number): boolean => n === 16 || n === 24 || n === 32;
const aesKeySizeText = (n: number): string => `crypto/aes: invalid key size ${n}`;

/**
 * {@link checkKey} for AES (aescbc, aesgcm): 16, 24 or 32 bytes.
 * @throws AtrestError `ERR_INVALID_KEY` (`crypto/aes: invalid key size N`, Go's text)
 */
export function checkAesKey(key: unknown, label: ProviderLabel): asserts key is Uint8Array {
  checkKey(key, label, isAesKeySize, aesKeySizeText);
}

/**
 * A provider's bare transformer for one key (`aesGcmTransformer(key, options)`).
 * @param make - the provider's transformer class
 * @param provider - the provider's name, for error context
 * @param key - the key; the class checks and copies it
 * @param options - `backend` (default `defaultBackend()`)
 */
export function localTransformer(make: LocalTransformerClass, provider: string, key: Uint8Array, options: ProviderOptions): Transformer {
  return new make(key, options.backend ?? defaultBackend(), { provider });
}

/**
 * A provider's chain entry for named keys (`aesgcmProvider(keys, options)`): {@link keyedProvider}
 * with one `make` transformer per key, each labelled with its key name.
 * @param spec - provider name, prefix and upstream's error texts
 * @param make - the provider's transformer class
 * @param keys - the provider's keys, in config order
 * @param options - `backend` (default `defaultBackend()`)
 */
export function localProvider(spec: KeyedProviderSpec, make: LocalTransformerClass, keys: readonly ProviderKey[], options: ProviderOptions): ChainEntry {
  const backend = options.backend ?? defaultBackend();
  const provider = spec.provider;
  return keyedProvider(spec, keys, (key) => new make(key.secret, backend, { provider, key: key.name }));
}
