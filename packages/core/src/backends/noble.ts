/**
 * The `noble` crypto backend: `@noble/ciphers` and `@noble/hashes`, audited pure JavaScript.
 *
 * Portable (no `node:crypto`), slower for AES than OpenSSL, and the only secretbox
 * (XSalsa20-Poly1305) implementation atrest ships. noble works on 4-byte-aligned views, so inputs
 * at odd offsets (a value's payload after a 23-byte prefix) are copied first. noble instances are
 * single-use per nonce, so a fresh one is made per call.
 *
 * @module
 */
import { copyBytes } from '../bytes.js';
import { cbc, gcm } from '@noble/ciphers/aes.js';
import { xsalsa20poly1305 } from '@noble/ciphers/salsa.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { AesCbcCipher, AesGcmCipher, CryptoBackend, SecretboxCipher } from '../backend.js';

function aligned(b: Uint8Array): Uint8Array {
  return b.byteOffset % 4 === 0 ? b : copyBytes(b);
}

function checkAesKey(key: Uint8Array): Uint8Array {
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
    throw new RangeError(`AES key must be 16, 24 or 32 bytes, got ${key.length}`);
  }
  return copyBytes(key);
}

function aesGcm(keyIn: Uint8Array): AesGcmCipher {
  const key = checkAesKey(keyIn);
  return {
    seal: (nonce, plaintext, aad) => gcm(key, aligned(nonce), aad).encrypt(aligned(plaintext)),
    open(nonce, sealed, aad) {
      if (sealed.length < 16) return null;
      try {
        return gcm(key, aligned(nonce), aad).decrypt(aligned(sealed));
      } catch {
        return null;
      }
    },
  };
}

function aesCbc(keyIn: Uint8Array): AesCbcCipher {
  const key = checkAesKey(keyIn);
  const check = (data: Uint8Array): Uint8Array => {
    if (data.length === 0 || data.length % 16 !== 0) {
      throw new RangeError(`AES-CBC data must be a positive multiple of 16 bytes, got ${data.length}`);
    }
    return aligned(data);
  };
  return {
    encrypt: (iv, data) => cbc(key, aligned(iv), { disablePadding: true }).encrypt(check(data)),
    decrypt: (iv, data) => cbc(key, aligned(iv), { disablePadding: true }).decrypt(check(data)),
  };
}

function secretbox(keyIn: Uint8Array): SecretboxCipher {
  if (keyIn.length !== 32) throw new RangeError(`secretbox key must be 32 bytes, got ${keyIn.length}`);
  const key = copyBytes(keyIn);
  return {
    seal: (nonce, plaintext) => xsalsa20poly1305(key, aligned(nonce)).encrypt(aligned(plaintext)),
    open(nonce, boxed) {
      if (boxed.length < 16) return null;
      try {
        return xsalsa20poly1305(key, aligned(nonce)).decrypt(aligned(boxed));
      } catch {
        return null;
      }
    },
  };
}

function randomBytes(length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0) throw new RangeError(`invalid random length ${length}`);
  // Web Crypto's CSPRNG; getRandomValues is capped at 65,536 bytes per call, so fill in chunks.
  const out = new Uint8Array(length);
  for (let off = 0; off < length; off += 65536) {
    globalThis.crypto.getRandomValues(out.subarray(off, Math.min(length, off + 65536)));
  }
  return out;
}

/**
 * The pure-JavaScript backend (`@noble/ciphers`, `@noble/hashes`).
 *
 * @example
 * ```ts
 * import { nobleBackend } from '@atrest/core';
 * const box = nobleBackend.secretbox!(nobleBackend.randomBytes(32));
 * const sealed = box.seal(nobleBackend.randomBytes(24), new Uint8Array([1, 2, 3]));
 * ```
 */
export const nobleBackend: CryptoBackend = Object.freeze({
  name: 'noble',
  aesGcm,
  aesCbc,
  secretbox,
  hmacSha256: (key: Uint8Array, data: Uint8Array): Uint8Array => hmac(sha256, key, data),
  randomBytes,
});
