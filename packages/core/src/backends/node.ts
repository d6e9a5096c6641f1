/**
 * The `node` crypto backend: OpenSSL through `node:crypto`.
 *
 * Traps handled here (see `docs/backends.md`): GCM decrypt is created with `authTagLength: 16` so
 * a short tag is never accepted, and the output of `update()` is released only after `final()`
 * verified the tag. Keys are held as `KeyObject`s. `node:crypto` has no XSalsa20, so secretbox
 * is noble's, and no expand-only HKDF, so KMS v2's seeded GCM is composed from HMAC and GCM.
 *
 * @module
 */
import { createCipheriv, createDecipheriv, createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import type { AesCbcCipher, AesGcmCipher, CryptoBackend } from '../backend.js';
import { composeSeededAesGcm } from '../seeded-gcm.js';
import { checkAesKey, checkBlocks } from './_checks.js';
import { randomBytes, randomFill } from './_random-pool.js';
import { nobleBackend } from './noble.js';

const NONCE = 12;
const TAG = 16;
const BLOCK = 16;

function aesName(key: Uint8Array, mode: 'gcm' | 'cbc'): string {
  checkAesKey(key);
  return `aes-${key.length * 8}-${mode}`;
}

function gcm(key: Uint8Array): AesGcmCipher {
  const algorithm = aesName(key, 'gcm') as 'aes-256-gcm';
  const secret: KeyObject = createSecretKey(key);
  return {
    sealInto(out, at, plaintext, aad) {
      const c = createCipheriv(algorithm, secret, out.subarray(at, at + NONCE), { authTagLength: TAG });
      c.setAAD(aad);
      const body = c.update(plaintext);
      out.set(body, at + NONCE);
      const tail = c.final();
      if (tail.length !== 0) out.set(tail, at + NONCE + body.length);
      out.set(c.getAuthTag(), at + NONCE + plaintext.length);
    },
    openAt(data, at, aad) {
      const end = data.length;
      if (end - at < NONCE + TAG) return null;
      const d = createDecipheriv(algorithm, secret, data.subarray(at, at + NONCE), { authTagLength: TAG });
      d.setAAD(aad);
      d.setAuthTag(data.subarray(end - TAG));
      const out = d.update(data.subarray(at + NONCE, end - TAG));
      try {
        d.final();
      } catch {
        out.fill(0);
        return null;
      }
      return out;
    },
  };
}

function cbc(key: Uint8Array): AesCbcCipher {
  const algorithm = aesName(key, 'cbc');
  const secret: KeyObject = createSecretKey(key);
  const run = (encrypt: boolean, iv: Uint8Array, data: Uint8Array): Buffer => {
    const c = encrypt ? createCipheriv(algorithm, secret, iv) : createDecipheriv(algorithm, secret, iv);
    c.setAutoPadding(false);
    const body = c.update(data);
    const tail = c.final();
    return tail.length === 0 ? body : Buffer.concat([body, tail]);
  };
  return {
    encryptInPlace(buf, at, end) {
      checkBlocks(end - at - BLOCK);
      const ciphertext = run(true, buf.subarray(at, at + BLOCK), buf.subarray(at + BLOCK, end));
      buf.set(ciphertext, at + BLOCK);
    },
    decryptAt(data, at) {
      checkBlocks(data.length - at - BLOCK);
      return run(false, data.subarray(at, at + BLOCK), data.subarray(at + BLOCK));
    },
  };
}

/**
 * The OpenSSL backend (`node:crypto`). The default on Node when the native addon is not built.
 *
 * @example
 * ```ts
 * import { nodeBackend } from '@atrest/core';
 * const key = nodeBackend.randomBytes(32);
 * const out = new Uint8Array(12 + 1 + 16);
 * nodeBackend.randomFill(out, 0, 12);
 * nodeBackend.aesGcm(key).sealInto(out, 0, new Uint8Array([1]), new Uint8Array(0));
 * ```
 */
export const nodeBackend: CryptoBackend = Object.freeze({
  name: 'node',
  description: `OpenSSL ${process.versions.openssl} via node:crypto; secretbox: @noble/ciphers`,
  aesGcm: gcm,
  aesCbc: cbc,
  secretbox: nobleBackend.secretbox,
  hkdfAesGcm(seed: Uint8Array) {
    return composeSeededAesGcm(nodeBackend, seed);
  },
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
    return createHmac('sha256', key).update(data).digest();
  },
  randomBytes,
  randomFill,
});

