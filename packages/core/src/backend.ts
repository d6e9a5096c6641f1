/**
 * The crypto backend seam.
 *
 * Providers never call a cipher library directly; they ask a {@link CryptoBackend} for a cipher
 * bound to one key. Two backends ship with core, producing identical bytes:
 * - `node` ({@link nodeBackend}): OpenSSL through `node:crypto`; the default on Node (it is several
 *   times faster for AES, see `benchmarks/`). It has no XSalsa20, so it has no secretbox.
 * - `noble` ({@link nobleBackend}): `@noble/ciphers` / `@noble/hashes`, portable pure JavaScript,
 *   and the secretbox implementation.
 *
 * Key-bound objects let a backend prepare a key once (a `KeyObject`, an expanded key schedule) and
 * reuse it across calls.
 *
 * @module
 */

/** AES-GCM with a 12-byte nonce and a 16-byte tag, bound to one key. */
export interface AesGcmCipher {
  /**
   * Encrypt and authenticate.
   * @param nonce - 12 bytes, never reused with this key
   * @param plaintext - data to encrypt
   * @param aad - additional authenticated data (the etcd key)
   * @returns ciphertext followed by the 16-byte tag
   */
  seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array;
  /**
   * Authenticate and decrypt. No plaintext is released unless the tag verifies.
   * @param nonce - 12 bytes
   * @param sealed - ciphertext followed by the 16-byte tag
   * @param aad - additional authenticated data
   * @returns the plaintext, or `null` when authentication fails (including `sealed` shorter than a tag)
   */
  open(nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | null;
}

/** Raw AES-CBC without padding, bound to one key. Callers pad and unpad. */
export interface AesCbcCipher {
  /** Encrypt whole blocks. `data.length` must be a positive multiple of 16. */
  encrypt(iv: Uint8Array, data: Uint8Array): Uint8Array;
  /** Decrypt whole blocks. `data.length` must be a positive multiple of 16. */
  decrypt(iv: Uint8Array, data: Uint8Array): Uint8Array;
}

/** NaCl secretbox (XSalsa20-Poly1305) with a 24-byte nonce, bound to a 32-byte key. */
export interface SecretboxCipher {
  /** @returns tag(16) followed by ciphertext, as NaCl's `secretbox.Seal` */
  seal(nonce: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** @returns the plaintext, or `null` when authentication fails */
  open(nonce: Uint8Array, boxed: Uint8Array): Uint8Array | null;
}

/**
 * A source of ciphers, MACs and randomness. Implementations must use a CSPRNG for
 * `randomBytes` and must not retain plaintext.
 */
export interface CryptoBackend {
  /** Short name: `node`, `noble`, ... */
  readonly name: string;
  /** AES-GCM bound to a 16-, 24- or 32-byte key. */
  aesGcm(key: Uint8Array): AesGcmCipher;
  /** AES-CBC (no padding) bound to a 16-, 24- or 32-byte key. */
  aesCbc(key: Uint8Array): AesCbcCipher;
  /** XSalsa20-Poly1305 bound to a 32-byte key; absent when the backend has none. */
  readonly secretbox?: (key: Uint8Array) => SecretboxCipher;
  /** HMAC-SHA256 of `data` under `key`. */
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array;
  /** `length` bytes from a cryptographically secure generator. */
  randomBytes(length: number): Uint8Array;
}

/**
 * HKDF-Expand with SHA-256 (RFC 5869 section 2.3), without the extract step: KMS v2 derives its
 * per-write key as `HKDF-Expand(PRK = seed, info, 32)`. `node:crypto`'s `hkdfSync` always
 * extracts first and would give a different key, so this is built on HMAC.
 *
 * @param backend - supplies HMAC-SHA256
 * @param prk - pseudorandom key (the seed), at least 32 bytes
 * @param info - context bytes
 * @param length - output length, at most 255 * 32
 * @returns the output keying material
 * @example
 * ```ts
 * import { hkdfSha256Expand, nodeBackend } from '@atrest/core';
 * const key = hkdfSha256Expand(nodeBackend, new Uint8Array(32), new Uint8Array(32), 32);
 * ```
 */
export function hkdfSha256Expand(
  backend: Pick<CryptoBackend, 'hmacSha256'>,
  prk: Uint8Array,
  info: Uint8Array,
  length: number,
): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > 255 * 32) {
    throw new RangeError(`HKDF-Expand length must be 0..${255 * 32}, got ${length}`);
  }
  const out = new Uint8Array(length);
  // T(0) = empty; T(i) = HMAC(PRK, T(i-1) || info || i)   (RFC 5869, 2.3)
  let previous = new Uint8Array(0);
  const input = new Uint8Array(32 + info.length + 1);
  for (let i = 1, off = 0; off < length; i++) {
    input.set(previous, 0);
    input.set(info, previous.length);
    input[previous.length + info.length] = i;
    previous = backend.hmacSha256(prk, input.subarray(0, previous.length + info.length + 1)) as Uint8Array<ArrayBuffer>;
    out.set(previous.subarray(0, Math.min(32, length - off)), off);
    off += 32;
  }
  previous.fill(0);
  input.fill(0);
  return out;
}
