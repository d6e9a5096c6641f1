/**
 * KMS v2's seeded AES-GCM built from any backend's HMAC and AES-GCM, for backends without a
 * dedicated implementation: per value, `key = HKDF-Expand-SHA256(seed, info, 32)`, then AES-256-GCM
 * with that key. The derived key is wiped after each call.
 * @module
 */
import { type CryptoBackend, hkdfSha256Expand, type SeededAesGcmCipher } from './backend.js';
import { copyBytes } from './bytes.js';

const INFO_SIZE = 32;
const KEY_SIZE = 32;
const MIN_SEED_SIZE = 32;

/**
 * A {@link SeededAesGcmCipher} from `backend`'s `hmacSha256` and `aesGcm`.
 *
 * @param backend - supplies HMAC-SHA256 and AES-GCM
 * @param seed - at least 32 bytes; copied
 * @returns the cipher
 * @throws RangeError for a seed under 32 bytes
 * @example
 * ```ts
 * import { nodeBackend } from '@atrest/core';
 * import { composeSeededAesGcm } from '@atrest/core/internal';
 * const cipher = composeSeededAesGcm(nodeBackend, nodeBackend.randomBytes(32));
 * ```
 */
export function composeSeededAesGcm(
  backend: Pick<CryptoBackend, 'hmacSha256' | 'aesGcm'>,
  seed: Uint8Array,
): SeededAesGcmCipher {
  if (seed.length < MIN_SEED_SIZE) throw new RangeError(`the seed must be at least ${MIN_SEED_SIZE} bytes, got ${seed.length}`);
  const prk = copyBytes(seed);
  const derive = (data: Uint8Array, at: number) => hkdfSha256Expand(backend, prk, data.subarray(at, at + INFO_SIZE), KEY_SIZE);
  return {
    sealInto(out, at, plaintext, aad) {
      const key = derive(out, at);
      try {
        backend.aesGcm(key).sealInto(out, at + INFO_SIZE, plaintext, aad);
      } finally {
        key.fill(0);
      }
    },
    openAt(data, at, aad) {
      if (data.length - at < INFO_SIZE) return null;
      const key = derive(data, at);
      try {
        return backend.aesGcm(key).openAt(data, at + INFO_SIZE, aad);
      } finally {
        key.fill(0);
      }
    },
  };
}
