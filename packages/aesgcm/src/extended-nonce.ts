/**
 * AES-GCM with an extended nonce: KMS v2's `HKDF_SHA256_XNONCE_AES_GCM_SEED` data format.
 *
 * Payload layout:
 *
 * ```
 * | info (32, random) | nonce (12, random) | ciphertext | tag (16) |
 * ```
 *
 * Each value's key is `HKDF-Expand(SHA-256, PRK = seed, info, 32)` (RFC 5869 section 2.3, no
 * extract step: the seed is already uniformly random), so every write uses a fresh key and a
 * random nonce; the per-key nonce-collision bound of plain aesgcm does not apply and the seed
 * needs no rotation for wear-out reasons.
 *
 * **Authenticated:** the ciphertext and the additional data (the etcd key). The info is not
 * authenticated directly, but changing it derives another key and the open fails.
 *
 * **Weaknesses:** one HMAC and one cipher set-up per read and write. Upstream additionally caches
 * derived read keys per etcd key; this transformer derives every time and keeps no derived key.
 *
 * @module
 */
import { AtrestError, type CryptoBackend, defaultBackend, ErrorCode, hkdfSha256Expand, type ReadResult, type Transformer, wipe, copyBytes } from '@atrest/core';
import { type Label, tooShort } from './_errors.js';
import { allocPayload, NONCE_SIZE, openPayload, sealInto } from './_gcm.js';
import type { ProviderOptions } from './types.js';

/** Size of the HKDF info, the derived key and the minimum seed. */
const INFO_SIZE = 32;
const DERIVED_KEY_SIZE = 32;
const MIN_SEED_SIZE = 32;

class AesGcmExtendedNonceTransformer implements Transformer {
  readonly #seed: Uint8Array;
  readonly #backend: CryptoBackend;
  readonly #label: Label = { provider: 'aesgcm-extended-nonce' };

  constructor(seed: Uint8Array, backend: CryptoBackend) {
    if (!(seed instanceof Uint8Array) || seed.length < MIN_SEED_SIZE) {
      const length = seed instanceof Uint8Array ? seed.length : 0;
      throw new AtrestError(ErrorCode.InvalidKey, `invalid seed length ${length} used for key generation`, {
        ...this.#label,
        length,
      });
    }
    this.#seed = copyBytes(seed);
    this.#backend = backend;
  }

  read(data: Uint8Array, context: Uint8Array): ReadResult {
    if (data.length < INFO_SIZE) throw tooShort(this.#label, data.length, INFO_SIZE);
    const key = hkdfSha256Expand(this.#backend, this.#seed, data.subarray(0, INFO_SIZE), DERIVED_KEY_SIZE);
    try {
      const cipher = this.#backend.aesGcm(key);
      return { plaintext: openPayload(cipher, data, INFO_SIZE, context, this.#label), stale: false };
    } finally {
      wipe(key);
    }
  }

  write(plaintext: Uint8Array, context: Uint8Array): Uint8Array {
    const out = allocPayload(INFO_SIZE, plaintext.length);
    // Info and nonce are drawn together: 44 fresh random bytes at the start of the output.
    out.set(this.#backend.randomBytes(INFO_SIZE + NONCE_SIZE), 0);
    const key = hkdfSha256Expand(this.#backend, this.#seed, out.subarray(0, INFO_SIZE), DERIVED_KEY_SIZE);
    try {
      return sealInto(this.#backend.aesGcm(key), out, INFO_SIZE, plaintext, context);
    } finally {
      wipe(key);
    }
  }
}

/**
 * The KMS v2 extended-nonce AES-GCM transformer over `info(32) || nonce(12) || ciphertext || tag`,
 * keyed by a seed through HKDF-Expand-SHA256 (see the module notes). Every write draws a fresh
 * random info and nonce.
 *
 * @param seed - at least 32 bytes (KMS v2 uses exactly 32); copied
 * @param options - `backend` (default `defaultBackend()`)
 * @returns a synchronous transformer; reads are never stale
 * @throws AtrestError `ERR_INVALID_KEY` (`invalid seed length N used for key generation`) for a
 *   seed under 32 bytes. `read` throws `ERR_TOO_SHORT`
 *   (`the stored data was shorter than the required size`, under 32 bytes, or under 12 after the
 *   info) or `ERR_AUTHENTICATION` (`cipher: message authentication failed`).
 * @example
 * ```ts
 * import { aesGcmExtendedNonceTransformer } from '@atrest/aesgcm';
 * import { nodeBackend, readSync, utf8, writeSync } from '@atrest/core';
 * const t = aesGcmExtendedNonceTransformer(nodeBackend.randomBytes(32));
 * const ctx = utf8('/registry/secrets/default/db');
 * readSync(t, writeSync(t, utf8('hello'), ctx), ctx).plaintext; // 'hello' as bytes
 * ```
 */
export function aesGcmExtendedNonceTransformer(seed: Uint8Array, options: ProviderOptions = {}): Transformer {
  return new AesGcmExtendedNonceTransformer(seed, options.backend ?? defaultBackend());
}
