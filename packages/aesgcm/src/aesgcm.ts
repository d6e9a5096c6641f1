/**
 * The `aesgcm` provider (`k8s:enc:aesgcm:v1:<key>:`), byte-compatible with kube-apiserver.
 *
 * Payload layout after the prefix:
 *
 * ```
 * | nonce (12, random) | ciphertext (= plaintext length) | tag (16) |
 * ```
 *
 * **Authenticated:** the ciphertext and the additional data, which is the read/write context (the
 * etcd key, `/registry/secrets/default/db`). A value copied to another etcd key, a flipped bit or
 * a truncation fails with `cipher: message authentication failed`. The prefix (provider and key
 * name) is not authenticated, but changing it selects a different key and fails the same way.
 *
 * **Weaknesses (upstream's, kept for compatibility):** nonces are 96 random bits per write under
 * one long-lived key, so NIST SP 800-38D's bound of about 2^32 writes per key applies: rotate keys
 * well before that. Nothing hides the plaintext length. Keys come from the configuration file;
 * anyone who reads the file reads every value. Prefer KMS v2 for new clusters.
 *
 * @module
 */
import { type AesGcmCipher, AtrestError, type ChainEntry, type CryptoBackend, ErrorCode, type ReadResult, type Transformer } from '@atrest/core';
import { checkAesKey, checkBytes, checkReadArguments, checkWriteArguments, LocalTransformer, localProvider, localTransformer, type ProviderLabel } from '@atrest/core/internal';
import { allocPayload, NONCE_SIZE, openPayload, openPayloadInto, payloadIn } from './_gcm.js';
import type { NonceCounter } from './_nonce-counter.js';

import type { ProviderKey, ProviderOptions } from './types.js';

/** The aesgcm provider prefix; each key adds `<name>:`. */
export const AESGCM_PREFIX = 'k8s:enc:aesgcm:v1:';

/** Upstream's text when the value's key name is not configured (shared with aescbc). */
export const AES_NO_MATCHING_KEY = 'no matching key was found for the provided AES transformer';

const SPEC = { provider: 'aesgcm', prefix: AESGCM_PREFIX, noMatchingKey: AES_NO_MATCHING_KEY, noKeys: 'aes provider has no valid keys' };

/** The random part of a counter nonce: `random (4) || counter (8)`. */
const RANDOM_PART = NONCE_SIZE - 8;

/** Upstream's text when the counter is exhausted. */
const NONCE_OVERFLOW = 'aes-gcm detected nonce overflow - cryptographic wear out has occurred';

/**
 * AES-GCM over `nonce(12) || ciphertext || tag(16)`; the cipher is prepared once per key. The nonce
 * is random, or, given a counter (KMS v2's `AES_GCM_KEY` writer, `counter-nonce.ts`), 4 random
 * bytes and the next counter value. Reads are the same either way.
 */
export class AesGcmTransformer extends LocalTransformer {
  readonly #cipher: AesGcmCipher;
  readonly #counter: NonceCounter | undefined;

  constructor(key: Uint8Array, backend: CryptoBackend, label: ProviderLabel, counter?: NonceCounter) {
    super(backend, label);
    checkAesKey(key, label);
    this.#cipher = backend.aesGcm(key);
    this.#counter = counter;
  }

  readAt(data: Uint8Array, offset: number, context: Uint8Array): ReadResult {
    checkReadArguments(data, offset, context);
    return { plaintext: openPayload(this.#cipher, data, offset, 0, context, this.label), stale: false };
  }

  override readAtInto(data: Uint8Array, offset: number, context: Uint8Array, out: Uint8Array): ReadResult {
    checkReadArguments(data, offset, context);
    checkBytes(out, 'out');
    return { plaintext: openPayloadInto(this.#cipher, data, offset, 0, context, this.label, out), stale: false };
  }

  writeAfter(header: Uint8Array, plaintext: Uint8Array, context: Uint8Array): Uint8Array {
    checkWriteArguments(header, plaintext, context);
    return this.#seal(allocPayload(header, 0, plaintext.length), header.length, plaintext, context);
  }

  override writeAfterInto(header: Uint8Array, plaintext: Uint8Array, context: Uint8Array, out: Uint8Array): Uint8Array {
    checkWriteArguments(header, plaintext, context);
    return this.#seal(payloadIn(out, header, 0, plaintext), header.length, plaintext, context);
  }

  /** Nonce at `out[at]`, then ciphertext and tag: `out` is exactly the stored value's room. */
  #seal(out: Uint8Array, at: number, plaintext: Uint8Array, context: Uint8Array): Uint8Array {
    const counter = this.#counter;
    if (counter === undefined) {
      this.backend.randomFill(out, at, NONCE_SIZE);
    } else {
      if (!counter.next(out, at + RANDOM_PART)) {
        throw new AtrestError(ErrorCode.NonceExhausted, NONCE_OVERFLOW, { ...this.label });
      }
      this.backend.randomFill(out, at, RANDOM_PART);
    }
    this.#cipher.sealInto(out, at, plaintext, context);
    return out;
  }
}

/**
 * A bare AES-GCM transformer over un-prefixed payloads (`nonce || ciphertext || tag`), as used
 * per key inside {@link aesgcmProvider} and by KMS v1 for its DEKs.
 *
 * @param key - 16, 24 or 32 bytes (AES-128/192/256); copied
 * @param options - `backend` (default `defaultBackend()`)
 * @returns a synchronous transformer; reads are never stale
 * @throws AtrestError `ERR_INVALID_KEY` for a key of another size. `read` throws `ERR_TOO_SHORT`
 *   (`the stored data was shorter than the required size`, payload under 12 bytes) or
 *   `ERR_AUTHENTICATION` (`cipher: message authentication failed`).
 * @example
 * ```ts
 * import { aesGcmTransformer } from '@atrest/aesgcm';
 * import { nodeBackend, readSync, utf8, writeSync } from '@atrest/core';
 * const t = aesGcmTransformer(nodeBackend.randomBytes(32));
 * const ctx = utf8('/registry/secrets/default/db');
 * const payload = writeSync(t, utf8('hello'), ctx);
 * readSync(t, payload, ctx).plaintext; // 'hello' as bytes
 * ```
 */
export function aesGcmTransformer(key: Uint8Array, options: ProviderOptions = {}): Transformer {
  return localTransformer(AesGcmTransformer, SPEC.provider, key, options);
}

/**
 * The aesgcm provider as a chain entry: prefix `k8s:enc:aesgcm:v1:`, then one `<name>:` entry per
 * key in order (entry names `aesgcm:<name>`). Writes use the first key; a value read by a later
 * key is stale. Duplicate names are allowed, as upstream: each is tried in turn.
 *
 * @param keys - named keys, each 16, 24 or 32 bytes; the first one writes
 * @param options - `backend` (default `defaultBackend()`)
 * @returns the chain entry
 * @throws AtrestError `ERR_INVALID_KEY` (`crypto/aes: invalid key size N`, context names the key),
 *   `ERR_INVALID_ARGUMENT` for no keys or a nameless key. Reads of a value whose key name is not
 *   configured throw `ERR_NO_MATCHING_KEY` (`no matching key was found for the provided AES transformer`).
 * @example
 * ```ts
 * import { aesgcmProvider } from '@atrest/aesgcm';
 * import { AtrestError, ErrorCode, nodeBackend, PrefixChain, utf8 } from '@atrest/core';
 * const entry = aesgcmProvider([{ name: 'key1', secret: nodeBackend.randomBytes(32) }]);
 * const chain = new PrefixChain([entry], () => new AtrestError(ErrorCode.NoMatchingPrefix, 'no matching prefix found'));
 * const stored = await chain.write(utf8('hello'), utf8('/registry/secrets/default/db')); // 'k8s:enc:aesgcm:v1:key1:...'
 * ```
 */
export function aesgcmProvider(keys: readonly ProviderKey[], options: ProviderOptions = {}): ChainEntry {
  return localProvider(SPEC, AesGcmTransformer, keys, options);
}
