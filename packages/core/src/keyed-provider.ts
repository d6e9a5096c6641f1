/**
 * Turning a provider's named keys into one chain entry, as upstream does for aescbc, aesgcm and
 * secretbox: the entry's prefix is the provider's (`k8s:enc:aesgcm:v1:`) and its transformer is an
 * inner {@link PrefixChain} of `<name>:` entries, one per key, in config order. The first key
 * writes; a value read by a later key is stale.
 * @module
 */
import type { CryptoBackend } from './backend.js';
import { utf8 } from './bytes.js';
import { AtrestError, ErrorCode } from './errors.js';
import { type ChainEntry, PrefixChain } from './prefix-chain.js';
import type { Transformer } from './transformer.js';

/** One named key of a provider, as in an `EncryptionConfiguration` (`name`, decoded `secret`). */
export interface ProviderKey {
  /** The key name written into every value's prefix (`k8s:enc:aesgcm:v1:<name>:`). */
  readonly name: string;
  /** The raw key bytes (16, 24 or 32 for AES, 32 for secretbox). Copied; the caller may wipe its own copy. */
  readonly secret: Uint8Array;
}

/** Options shared by the providers' transformer and provider factories. */
export interface ProviderOptions {
  /** Crypto backend; defaults to `defaultBackend()` at construction time. */
  readonly backend?: CryptoBackend;
}

/** What distinguishes one keyed provider from another. */
export interface KeyedProviderSpec {
  /** `aesgcm`, `aescbc`, `secretbox`: used in entry names (`aesgcm:key1`) and error context. */
  readonly provider: string;
  /** The provider prefix, `k8s:enc:aesgcm:v1:`. */
  readonly prefix: string;
  /** Upstream's text when no key name matches. */
  readonly noMatchingKey: string;
  /** Upstream's text for an empty key list. */
  readonly noKeys: string;
}

/**
 * Build a keyed provider's chain entry.
 *
 * @param spec - provider name, prefix and upstream's error texts
 * @param keys - the provider's keys, in config order
 * @param build - makes the transformer of one key
 * @returns the provider's chain entry
 * @throws AtrestError `ERR_INVALID_ARGUMENT` for an empty key list or a key without a name, or
 *   what `build` throws (`ERR_INVALID_KEY`)
 * @example
 * ```ts
 * import { keyedProvider } from '@atrest/core';
 * import { aesGcmTransformer } from '@atrest/aesgcm';
 * const entry = keyedProvider(
 *   { provider: 'aesgcm', prefix: 'k8s:enc:aesgcm:v1:', noMatchingKey: 'no matching key was found for the provided AES transformer', noKeys: 'aes provider has no valid keys' },
 *   [{ name: 'key1', secret: new Uint8Array(32) }],
 *   (k) => aesGcmTransformer(k.secret),
 * );
 * ```
 */
export function keyedProvider(
  spec: KeyedProviderSpec,
  keys: readonly ProviderKey[],
  build: (key: ProviderKey) => Transformer,
): ChainEntry {
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new AtrestError(ErrorCode.InvalidArgument, spec.noKeys, { provider: spec.provider });
  }
  const entries: ChainEntry[] = keys.map((key) => {
    if (typeof key?.name !== 'string' || key.name === '') {
      throw new AtrestError(ErrorCode.InvalidArgument, 'key with invalid name provided', { provider: spec.provider });
    }
    return { prefix: utf8(`${key.name}:`), transformer: build(key), name: `${spec.provider}:${key.name}` };
  });
  const provider = spec.provider;
  const text = spec.noMatchingKey;
  const inner = new PrefixChain(entries, () => new AtrestError(ErrorCode.NoMatchingKey, text, { provider }));
  return { prefix: utf8(spec.prefix), transformer: inner, name: provider };
}
