/**
 * The `noble` crypto backend: `@noble/ciphers` and `@noble/hashes`, audited pure JavaScript.
 *
 * Portable (no `node:crypto` in the ciphers), slower for AES than OpenSSL. noble works on
 * 4-byte-aligned views, so inputs at odd offsets (a value's payload after a 23-byte prefix) are
 * copied first. noble instances are single-use per nonce, so a fresh one is made per call.
 * Randomness comes from Web Crypto's `getRandomValues`.
 *
 * @module
 */
import { cbc, gcm } from '@noble/ciphers/aes.js';
import { xsalsa20poly1305 } from '@noble/ciphers/salsa.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { AesCbcCipher, AesGcmCipher, CryptoBackend, SecretboxCipher } from '../backend.js';
import { copyBytes } from '../bytes.js';
import { composeSeededAesGcm } from '../seeded-gcm.js';
import { checkAesKey, checkBlocks } from './_checks.js';

const GCM_NONCE = 12;
const TAG = 16;
const BLOCK = 16;
const SECRETBOX_NONCE = 24;

function aligned(b: Uint8Array): Uint8Array {
  return b.byteOffset % 4 === 0 ? b : copyBytes(b);
}

/** A checked copy of an AES key. */
function aesKey(key: Uint8Array): Uint8Array {
  checkAesKey(key);
  return copyBytes(key);
}

function aesGcm(keyIn: Uint8Array): AesGcmCipher {
  const key = aesKey(keyIn);
  return {
    sealInto(out, at, plaintext, aad) {
      const nonce = aligned(out.subarray(at, at + GCM_NONCE));
      out.set(gcm(key, nonce, aad).encrypt(aligned(plaintext)), at + GCM_NONCE);
    },
    openAt(data, at, aad) {
      if (data.length - at < GCM_NONCE + TAG) return null;
      try {
        return gcm(key, aligned(data.subarray(at, at + GCM_NONCE)), aad).decrypt(aligned(data.subarray(at + GCM_NONCE)));
      } catch {
        return null;
      }
    },
  };
}

function aesCbc(keyIn: Uint8Array): AesCbcCipher {
  const key = aesKey(keyIn);
  return {
    encryptInPlace(buf, at, end) {
      checkBlocks(end - at - BLOCK);
      const iv = aligned(buf.subarray(at, at + BLOCK));
      buf.set(cbc(key, iv, { disablePadding: true }).encrypt(aligned(buf.subarray(at + BLOCK, end))), at + BLOCK);
    },
    decryptAt(data, at) {
      checkBlocks(data.length - at - BLOCK);
      const iv = aligned(data.subarray(at, at + BLOCK));
      return cbc(key, iv, { disablePadding: true }).decrypt(aligned(data.subarray(at + BLOCK)));
    },
  };
}

function secretbox(keyIn: Uint8Array): SecretboxCipher {
  if (keyIn.length !== 32) throw new RangeError(`secretbox key must be 32 bytes, got ${keyIn.length}`);
  const key = copyBytes(keyIn);
  return {
    sealInto(out, at, plaintext) {
      const nonce = aligned(out.subarray(at, at + SECRETBOX_NONCE));
      out.set(xsalsa20poly1305(key, nonce).encrypt(aligned(plaintext)), at + SECRETBOX_NONCE);
    },
    openAt(data, at) {
      if (data.length - at < SECRETBOX_NONCE + TAG) return null;
      try {
        return xsalsa20poly1305(key, aligned(data.subarray(at, at + SECRETBOX_NONCE))).decrypt(aligned(data.subarray(at + SECRETBOX_NONCE)));
      } catch {
        return null;
      }
    },
  };
}

function randomFill(out: Uint8Array, at: number, length: number): void {
  if (!Number.isInteger(length) || length < 0) throw new RangeError(`invalid random length ${length}`);
  if (!Number.isInteger(at) || at < 0 || at + length > out.length) throw new RangeError('random fill outside the buffer');
  // Web Crypto's CSPRNG; getRandomValues is capped at 65,536 bytes per call, so fill in chunks.
  for (let off = at; off < at + length; off += 65536) {
    globalThis.crypto.getRandomValues(out.subarray(off, Math.min(at + length, off + 65536)));
  }
}

function randomBytes(length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0) throw new RangeError(`invalid random length ${length}`);
  const out = new Uint8Array(length);
  randomFill(out, 0, length);
  return out;
}

/**
 * The pure-JavaScript backend (`@noble/ciphers`, `@noble/hashes`).
 *
 * @example
 * ```ts
 * import { nobleBackend } from '@atrest/core';
 * const box = nobleBackend.secretbox!(nobleBackend.randomBytes(32));
 * const out = new Uint8Array(24 + 16 + 3);
 * nobleBackend.randomFill(out, 0, 24);
 * box.sealInto(out, 0, new Uint8Array([1, 2, 3]));
 * ```
 */
export const nobleBackend: CryptoBackend = Object.freeze({
  name: 'noble',
  description: '@noble/ciphers and @noble/hashes (pure JavaScript)',
  aesGcm,
  aesCbc,
  secretbox,
  hkdfAesGcm(seed: Uint8Array) {
    return composeSeededAesGcm(nobleBackend, seed);
  },
  hmacSha256: (key: Uint8Array, data: Uint8Array): Uint8Array => hmac(sha256, key, data),
  randomBytes,
  randomFill,
});
