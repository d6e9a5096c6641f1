/**
 * The AES-GCM payload shared by every GCM transformer here: `nonce(12) || ciphertext || tag(16)`,
 * optionally preceded by a header (KMS v2's 32-byte HKDF info). Reading and writing in one place
 * keeps the checks in upstream's order and the output in a single buffer.
 * @module
 */
import type { AesGcmCipher } from '@atrest/core';
import { authFailed, type Label, tooShort } from './_errors.js';

/** GCM nonce size; every stored value depends on it. */
export const NONCE_SIZE = 12;
/** GCM tag size. */
export const TAG_SIZE = 16;

/**
 * Open `data[offset..]` as `nonce || ciphertext || tag` with `aad`.
 * Upstream checks only that the nonce is present; a short tag is an authentication failure.
 * @throws AtrestError `ERR_TOO_SHORT`, `ERR_AUTHENTICATION`
 */
export function openPayload(cipher: AesGcmCipher, data: Uint8Array, offset: number, aad: Uint8Array, label: Label): Uint8Array {
  if (data.length - offset < NONCE_SIZE) throw tooShort(label, data.length, offset + NONCE_SIZE);
  const nonceEnd = offset + NONCE_SIZE;
  const plaintext = cipher.open(data.subarray(offset, nonceEnd), data.subarray(nonceEnd), aad);
  if (plaintext === null) throw authFailed(label, data.length);
  return plaintext;
}

/**
 * Allocate the whole output once: `header(headerLength) || nonce || ciphertext || tag`. The caller
 * fills the header and nonce bytes, then calls {@link sealInto}.
 */
export function allocPayload(headerLength: number, plaintextLength: number): Uint8Array {
  return new Uint8Array(headerLength + NONCE_SIZE + plaintextLength + TAG_SIZE);
}

/**
 * Seal `plaintext` under the nonce already written at `out[nonceOffset..+12]`, placing
 * `ciphertext || tag` right after it.
 * @returns `out`
 */
export function sealInto(cipher: AesGcmCipher, out: Uint8Array, nonceOffset: number, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  const nonceEnd = nonceOffset + NONCE_SIZE;
  out.set(cipher.seal(out.subarray(nonceOffset, nonceEnd), plaintext, aad), nonceEnd);
  return out;
}
