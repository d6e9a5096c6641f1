/**
 * The `node` crypto backend: OpenSSL through `node:crypto`.
 *
 * Traps handled here (see `docs/`): GCM decrypt is created with `authTagLength: 16` so a short tag
 * is never accepted, and the output of `update()` is released only after `final()` verified the
 * tag. Keys are held as `KeyObject`s, outside the JavaScript heap's enumerable state.
 *
 * @module
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  randomFillSync,
  type KeyObject,
} from 'node:crypto';
import type { AesCbcCipher, AesGcmCipher, CryptoBackend } from '../backend.js';

function aesName(key: Uint8Array, mode: 'gcm' | 'cbc'): string {
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
    throw new RangeError(`AES key must be 16, 24 or 32 bytes, got ${key.length}`);
  }
  return `aes-${key.length * 8}-${mode}`;
}

function gcm(key: Uint8Array): AesGcmCipher {
  const algorithm = aesName(key, 'gcm') as 'aes-256-gcm';
  const secret: KeyObject = createSecretKey(key);
  return {
    seal(nonce, plaintext, aad) {
      const c = createCipheriv(algorithm, secret, nonce, { authTagLength: 16 });
      c.setAAD(aad);
      const out = new Uint8Array(plaintext.length + 16);
      const body = c.update(plaintext);
      out.set(body, 0);
      const tail = c.final();
      if (tail.length !== 0) out.set(tail, body.length);
      out.set(c.getAuthTag(), plaintext.length);
      return out;
    },
    open(nonce, sealed, aad) {
      if (sealed.length < 16) return null;
      const n = sealed.length - 16;
      const d = createDecipheriv(algorithm, secret, nonce, { authTagLength: 16 });
      d.setAAD(aad);
      d.setAuthTag(sealed.subarray(n));
      const out = d.update(sealed.subarray(0, n));
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
  const run = (encrypt: boolean, iv: Uint8Array, data: Uint8Array): Uint8Array => {
    if (data.length === 0 || data.length % 16 !== 0) {
      throw new RangeError(`AES-CBC data must be a positive multiple of 16 bytes, got ${data.length}`);
    }
    const c = encrypt ? createCipheriv(algorithm, secret, iv) : createDecipheriv(algorithm, secret, iv);
    c.setAutoPadding(false);
    const body = c.update(data);
    const tail = c.final();
    return tail.length === 0 ? body : Buffer.concat([body, tail]);
  };
  return {
    encrypt: (iv, data) => run(true, iv, data),
    decrypt: (iv, data) => run(false, iv, data),
  };
}

// Randomness: small requests are served from a pool filled by the OS CSPRNG, because one
// randomFillSync call costs ~1.7 us while slicing costs ~50 ns. Served bytes are copied out and
// zeroed in the pool, so no byte is ever handed out twice.
const POOL_SIZE = 4096;
const pool = new Uint8Array(POOL_SIZE);
let poolOffset = POOL_SIZE;

function randomBytes(length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0) throw new RangeError(`invalid random length ${length}`);
  if (length > 256) return randomFillSync(new Uint8Array(length));
  if (poolOffset + length > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const out = pool.slice(poolOffset, poolOffset + length);
  pool.fill(0, poolOffset, poolOffset + length);
  poolOffset += length;
  return out;
}

/**
 * The OpenSSL backend (`node:crypto`). Default on Node.
 *
 * @example
 * ```ts
 * import { nodeBackend } from '@atrest/core';
 * const key = nodeBackend.randomBytes(32);
 * const sealed = nodeBackend.aesGcm(key).seal(nodeBackend.randomBytes(12), new Uint8Array([1]), new Uint8Array(0));
 * ```
 */
export const nodeBackend: CryptoBackend = Object.freeze({
  name: 'node',
  aesGcm: gcm,
  aesCbc: cbc,
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
    return createHmac('sha256', key).update(data).digest();
  },
  randomBytes,
});
