/**
 * The crypto backend seam.
 *
 * Providers never call a cipher library directly; they ask a {@link CryptoBackend} for a cipher
 * bound to one key. Three backends ship with core, producing identical bytes:
 * - `native` ({@link nativeBackend}, when `@atrest/native` is installed and its addon built):
 *   AES over the OpenSSL inside Node through a small N-API addon with per-key contexts, and
 *   libsodium's secretbox through `sodium-native`. The default when it loads.
 * - `node` ({@link nodeBackend}): OpenSSL through `node:crypto`; the default otherwise. It has no
 *   XSalsa20, so its secretbox is noble's.
 * - `noble` ({@link nobleBackend}): `@noble/ciphers` / `@noble/hashes`, portable pure JavaScript.
 *
 * Key-bound objects let a backend prepare a key once (an OpenSSL context, a `KeyObject`, an
 * expanded key schedule) and reuse it across calls. The methods are positional (buffer plus
 * offset) so that a stored value is allocated once and written in place.
 *
 * @module
 */

/**
 * AES-GCM with a 12-byte nonce and a 16-byte tag, bound to one key.
 *
 * Positional: the caller owns the buffers and says where things are, so a provider can allocate a
 * stored value once (prefix, nonce, ciphertext, tag) and a backend can write straight into it.
 */
export interface AesGcmCipher {
  /**
   * Encrypt and authenticate. The nonce is `out[at, at+12)`, already filled by the caller (12
   * bytes never used before with this key); ciphertext and tag are written to
   * `out[at+12, at+12+n+16)`.
   * @param out - holds at least `at + 12 + plaintext.length + 16` bytes; must not overlap `plaintext`
   * @param at - offset of the nonce in `out`
   * @param plaintext - data to encrypt
   * @param aad - additional authenticated data (the etcd key)
   */
  sealInto(out: Uint8Array, at: number, plaintext: Uint8Array, aad: Uint8Array): void;
  /**
   * Authenticate and decrypt `data[at, end)` = `nonce(12) || ciphertext || tag(16)`. No plaintext is
   * released unless the tag verifies.
   * @returns the plaintext in new memory, or `null` when authentication fails (including data
   *   shorter than nonce and tag)
   */
  openAt(data: Uint8Array, at: number, aad: Uint8Array): Uint8Array | null;
  /**
   * Optional: {@link AesGcmCipher.openAt} into caller memory. Writes the `n` plaintext bytes to
   * `out[0, n)`; on failure `out[0, n)` is zeroed. Callers check that `out` holds `n` bytes and
   * does not overlap `data`. Providers fall back to `openAt` and a copy when it is absent.
   * @returns false when authentication fails
   */
  openInto?(data: Uint8Array, at: number, aad: Uint8Array, out: Uint8Array): boolean;
}

/** Raw AES-CBC without padding, bound to one key. Callers pad and unpad. */
export interface AesCbcCipher {
  /**
   * Encrypt in place: the IV is `buf[at, at+16)`, the blocks `buf[at+16, end)` (a positive multiple
   * of 16 bytes) are replaced by their ciphertext.
   * @throws RangeError for a length that is not a positive multiple of 16
   */
  encryptInPlace(buf: Uint8Array, at: number, end: number): void;
  /**
   * Decrypt `data[at+16, end)` with the IV `data[at, at+16)`.
   * @returns the decrypted blocks (padding included) in new memory
   * @throws RangeError for a length that is not a positive multiple of 16
   */
  decryptAt(data: Uint8Array, at: number): Uint8Array;
  /**
   * Optional: {@link AesCbcCipher.decryptAt} into `out[0, n)` (caller memory, checked by the
   * caller to hold `n` bytes and not to overlap `data`).
   */
  decryptInto?(data: Uint8Array, at: number, out: Uint8Array): void;
}

/** NaCl secretbox (XSalsa20-Poly1305) with a 24-byte nonce, bound to a 32-byte key. */
export interface SecretboxCipher {
  /**
   * Seal: the nonce is `out[at, at+24)`, already filled; `tag(16) || ciphertext` (NaCl's
   * `secretbox.Seal` layout) is written to `out[at+24, at+24+16+n)`.
   */
  sealInto(out: Uint8Array, at: number, plaintext: Uint8Array): void;
  /**
   * Open `data[at, end)` = `nonce(24) || tag(16) || ciphertext`.
   * @returns the plaintext in new memory, or `null` when authentication fails
   */
  openAt(data: Uint8Array, at: number): Uint8Array | null;
}

/**
 * KMS v2's seeded AES-256-GCM (`HKDF_SHA256_XNONCE_AES_GCM_SEED`): each value carries a random
 * 32-byte info, and its key is `HKDF-Expand-SHA256(seed, info, 32)`.
 */
export interface SeededAesGcmCipher {
  /**
   * Seal: `out[at, at+32)` is the info and `out[at+32, at+44)` the nonce, both already filled with
   * fresh random bytes; ciphertext and tag are written after them.
   */
  sealInto(out: Uint8Array, at: number, plaintext: Uint8Array, aad: Uint8Array): void;
  /**
   * Open `data[at, end)` = `info(32) || nonce(12) || ciphertext || tag(16)`.
   * @returns the plaintext in new memory, or `null` when authentication fails
   */
  openAt(data: Uint8Array, at: number, aad: Uint8Array): Uint8Array | null;
  /** Optional: {@link SeededAesGcmCipher.openAt} into caller memory, as {@link AesGcmCipher.openInto}. */
  openInto?(data: Uint8Array, at: number, aad: Uint8Array, out: Uint8Array): boolean;
}

/**
 * A source of ciphers, MACs and randomness. Implementations must use a CSPRNG for
 * `randomBytes`/`randomFill` and must not retain plaintext.
 */
export interface CryptoBackend {
  /** Short name: `native`, `node`, `noble`, ... */
  readonly name: string;
  /** What implements it, for `atrest version` and reports (`OpenSSL 3.0.19 via node:crypto`). */
  readonly description: string;
  /** AES-GCM bound to a 16-, 24- or 32-byte key. */
  aesGcm(key: Uint8Array): AesGcmCipher;
  /** AES-CBC (no padding) bound to a 16-, 24- or 32-byte key. */
  aesCbc(key: Uint8Array): AesCbcCipher;
  /** XSalsa20-Poly1305 bound to a 32-byte key; absent when the backend has none. */
  readonly secretbox?: (key: Uint8Array) => SecretboxCipher;
  /** KMS v2's HKDF-seeded AES-256-GCM bound to a seed of at least 32 bytes. */
  hkdfAesGcm(seed: Uint8Array): SeededAesGcmCipher;
  /** HMAC-SHA256 of `data` under `key`. */
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array;
  /** `length` bytes from a cryptographically secure generator. */
  randomBytes(length: number): Uint8Array;
  /** Fill `out[at, at+length)` from a cryptographically secure generator. */
  randomFill(out: Uint8Array, at: number, length: number): void;
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
