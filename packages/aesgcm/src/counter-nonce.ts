/**
 * AES-GCM with a counter nonce: KMS v2's `AES_GCM_KEY` writer, kept for compatibility.
 *
 * Payload layout (identical to aesgcm, and read exactly like it):
 *
 * ```
 * | random (4) | counter (8, little-endian) | ciphertext | tag (16) |
 *  \------------ nonce (12) -------------/
 * ```
 *
 * The counter starts at 1,000,000,001 and increases by one per write; the 4 random bytes guard
 * against a counter that rewinds (a restored VM snapshot). **Authenticated:** ciphertext and the
 * additional data (the etcd key).
 *
 * **Weaknesses:** safety rests on the key being fresh and used by this one transformer only,
 * within one process lifetime (upstream generates the key at startup for exactly that reason).
 * Two writers sharing a key both start at the same counter, and their nonces then collide with
 * probability 2^-32 per write pair, which breaks GCM. Use it only with a key generated for it;
 * current KMS v2 writers use `aesGcmExtendedNonceTransformer` instead. Upstream treats an
 * exhausted counter as fatal; this writer refuses every write from then on.
 *
 * @module
 */
import { type CryptoBackend, defaultBackend, type Transformer } from '@atrest/core';
import { AesGcmTransformer } from './aesgcm.js';
import { NonceCounter } from './_nonce-counter.js';
import type { ProviderOptions } from './types.js';

/** Every counter-nonce transformer's error context. */
const LABEL = { provider: 'aesgcm-counter-nonce' };

/**
 * Internal: the transformer with a caller-chosen counter, so tests can reach exhaustion.
 * Not exported from the package: choosing a counter start is how nonces get reused.
 */
export function counterNonceTransformerWith(key: Uint8Array, backend: CryptoBackend, counter: NonceCounter): Transformer {
  return new AesGcmTransformer(key, backend, LABEL, counter);
}

/**
 * An AES-GCM transformer whose writer uses `4 random bytes || 64-bit little-endian counter` as the
 * nonce (counter from 1,000,000,001), as upstream's KMS v2 `AES_GCM_KEY` writer. Reads are plain
 * aesgcm reads. The key must be fresh and used by no other writer (see the module notes).
 *
 * @param key - 16, 24 or 32 bytes; copied. Upstream uses a fresh random 32-byte key.
 * @param options - `backend` (default `defaultBackend()`)
 * @returns a synchronous transformer; reads are never stale
 * @throws AtrestError `ERR_INVALID_KEY` for a key of another size. `read` throws as
 *   `aesGcmTransformer`'s. `write` throws `ERR_INTERNAL`
 *   (`aes-gcm detected nonce overflow - cryptographic wear out has occurred`) once 2^64 - 10^9 - 1
 *   values have been written.
 * @example
 * ```ts
 * import { aesGcmCounterNonceTransformer } from '@atrest/aesgcm';
 * import { nodeBackend, utf8, writeSync } from '@atrest/core';
 * const t = aesGcmCounterNonceTransformer(nodeBackend.randomBytes(32));
 * const payload = writeSync(t, utf8('hello'), utf8('/registry/secrets/default/db'));
 * ```
 */
export function aesGcmCounterNonceTransformer(key: Uint8Array, options: ProviderOptions = {}): Transformer {
  return counterNonceTransformerWith(key, options.backend ?? defaultBackend(), new NonceCounter());
}
