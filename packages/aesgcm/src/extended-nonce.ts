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
 * derived read keys per etcd key; this transformer derives every time and keeps no derived key
 * (the backend's {@link SeededAesGcmCipher} wipes it after each call).
 *
 * @module
 */
import { AtrestError, type CryptoBackend, ErrorCode, type ReadResult, type SeededAesGcmCipher, type Transformer } from '@atrest/core';
import { checkBytes, checkReadArguments, checkWriteArguments, LocalTransformer, localTransformer, type ProviderLabel } from '@atrest/core/internal';
import { tooShort } from './_errors.js';
import { allocPayload, NONCE_SIZE, openPayload, openPayloadInto, payloadIn } from './_gcm.js';
import type { ProviderOptions } from './types.js';

/** Size of the HKDF info, the derived key and the minimum seed. */
const INFO_SIZE = 32;
const MIN_SEED_SIZE = 32;

class AesGcmExtendedNonceTransformer extends LocalTransformer {
  readonly #cipher: SeededAesGcmCipher;

  constructor(seed: Uint8Array, backend: CryptoBackend, label: ProviderLabel) {
    super(backend, label);
    if (!(seed instanceof Uint8Array) || seed.length < MIN_SEED_SIZE) {
      // Unlike the other keys, a seed that is not bytes at all is reported as length 0 (upstream's text).
      const length = seed instanceof Uint8Array ? seed.length : 0;
      throw new AtrestError(ErrorCode.InvalidKey, `invalid seed length ${length} used for key generation`, { ...label, length });
    }
    this.#cipher = backend.hkdfAesGcm(seed);
  }

  readAt(data: Uint8Array, offset: number, context: Uint8Array): ReadResult {
    checkReadArguments(data, offset, context);
    const length = data.length - offset;
    if (length < INFO_SIZE) throw tooShort(this.label, length, INFO_SIZE);
    return { plaintext: openPayload(this.#cipher, data, offset, INFO_SIZE, context, this.label), stale: false };
  }

  override readAtInto(data: Uint8Array, offset: number, context: Uint8Array, out: Uint8Array): ReadResult {
    checkReadArguments(data, offset, context);
    checkBytes(out, 'out');
    const length = data.length - offset;
    if (length < INFO_SIZE) throw tooShort(this.label, length, INFO_SIZE);
    return { plaintext: openPayloadInto(this.#cipher, data, offset, INFO_SIZE, context, this.label, out), stale: false };
  }

  writeAfter(header: Uint8Array, plaintext: Uint8Array, context: Uint8Array): Uint8Array {
    checkWriteArguments(header, plaintext, context);
    return this.#seal(allocPayload(header, INFO_SIZE, plaintext.length), header.length, plaintext, context);
  }

  override writeAfterInto(header: Uint8Array, plaintext: Uint8Array, context: Uint8Array, out: Uint8Array): Uint8Array {
    checkWriteArguments(header, plaintext, context);
    return this.#seal(payloadIn(out, header, INFO_SIZE, plaintext), header.length, plaintext, context);
  }

  #seal(out: Uint8Array, at: number, plaintext: Uint8Array, context: Uint8Array): Uint8Array {
    // Info and nonce are drawn together: 44 fresh random bytes after the header.
    this.backend.randomFill(out, at, INFO_SIZE + NONCE_SIZE);
    this.#cipher.sealInto(out, at, plaintext, context);
    return out;
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
  return localTransformer(AesGcmExtendedNonceTransformer, 'aesgcm-extended-nonce', seed, options);
}
