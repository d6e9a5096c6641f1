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
import { type AesGcmCipher, AtrestError, type CryptoBackend, defaultBackend, ErrorCode, type ReadResult, type Transformer } from '@atrest/core';
import { checkReadArguments, checkWriteArguments } from '@atrest/core/internal';
import { checkAesKey, type Label } from './_errors.js';
import { allocPayload, NONCE_SIZE, openPayload } from './_gcm.js';
import { NonceCounter } from './_nonce-counter.js';
import type { ProviderOptions } from './types.js';

const RANDOM_PART = NONCE_SIZE - 8;

/** Upstream's text when the counter is exhausted. */
const NONCE_OVERFLOW = 'aes-gcm detected nonce overflow - cryptographic wear out has occurred';

class AesGcmCounterNonceTransformer implements Transformer {
  readonly #cipher: AesGcmCipher;
  readonly #backend: CryptoBackend;
  readonly #counter: NonceCounter;
  readonly #label: Label = { provider: 'aesgcm-counter-nonce' };

  constructor(key: Uint8Array, backend: CryptoBackend, counter: NonceCounter) {
    checkAesKey(key, this.#label);
    this.#cipher = backend.aesGcm(key);
    this.#backend = backend;
    this.#counter = counter;
  }

  read(data: Uint8Array, context: Uint8Array): ReadResult {
    return this.readAt(data, 0, context);
  }

  readAt(data: Uint8Array, offset: number, context: Uint8Array): ReadResult {
    checkReadArguments(data, offset, context);
    return { plaintext: openPayload(this.#cipher, data, offset, 0, context, this.#label), stale: false };
  }

  write(plaintext: Uint8Array, context: Uint8Array): Uint8Array {
    return this.writeAfter(EMPTY, plaintext, context);
  }

  writeAfter(header: Uint8Array, plaintext: Uint8Array, context: Uint8Array): Uint8Array {
    checkWriteArguments(header, plaintext, context);
    const out = allocPayload(header, 0, plaintext.length);
    const at = header.length;
    if (!this.#counter.next(out, at + RANDOM_PART)) {
      throw new AtrestError(ErrorCode.NonceExhausted, NONCE_OVERFLOW, { ...this.#label });
    }
    this.#backend.randomFill(out, at, RANDOM_PART);
    this.#cipher.sealInto(out, at, plaintext, context);
    return out;
  }
}

const EMPTY = new Uint8Array(0);

/**
 * Internal: the transformer with a caller-chosen counter, so tests can reach exhaustion.
 * Not exported from the package: choosing a counter start is how nonces get reused.
 */
export function counterNonceTransformerWith(key: Uint8Array, backend: CryptoBackend, counter: NonceCounter): Transformer {
  return new AesGcmCounterNonceTransformer(key, backend, counter);
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
  return new AesGcmCounterNonceTransformer(key, options.backend ?? defaultBackend(), new NonceCounter());
}
