/**
 * The `aescbc` provider (`k8s:enc:aescbc:v1:<key>:`), byte-compatible with kube-apiserver.
 *
 * Payload layout after the prefix:
 *
 * ```
 * | IV (16, random) | AES-CBC( plaintext || PKCS#7 padding (1..16 bytes, always present) ) |
 * ```
 *
 * so a payload is at least 32 bytes and a multiple of 16.
 *
 * **Authenticated: nothing.** The etcd key is not bound: a value copied to another etcd key still
 * decrypts there. A modified value is not detected as such; it either fails the padding check or
 * decrypts to garbage.
 *
 * **Weaknesses (upstream's, kept for compatibility):**
 * - Reads report three distinct failures (`the stored data is not a multiple of the block size`,
 *   `invalid PKCS7 data (empty or not padded)`, `invalid padding on input`). If an attacker can
 *   submit stored values and observe which error (or how long the read took), that is a classic
 *   **padding oracle** that decrypts values without the key. Never expose these errors to
 *   untrusted parties; prefer aesgcm, secretbox or KMS v2. Upstream recommends against aescbc.
 * - Upstream accepts a padding length above 16 when the bytes agree; so does this reader.
 *
 * Read checks, in upstream's order: payload under 16 bytes (`ERR_TOO_SHORT`), body after the IV
 * not a multiple of 16 (`ERR_BLOCK_SIZE`), body empty (upstream panics here; we raise
 * `ERR_TOO_SHORT` with `minimum: 32` in the context), then the padding. A rejected decryption is
 * wiped before the error is thrown.
 *
 * @module
 */
import { type AesCbcCipher, AtrestError, type ChainEntry, type CryptoBackend, ErrorCode, type ReadResult, type Transformer, wipe } from '@atrest/core';
import { allocOutput, checkAesKey, checkBytes, checkOut, checkReadArguments, checkWriteArguments, LocalTransformer, localProvider, localTransformer, type ProviderLabel } from '@atrest/core/internal';

import { BLOCK_SIZE, checkPadding, PaddingCheck, padLength } from './_pkcs7.js';
import type { ProviderKey, ProviderOptions } from './types.js';

/** The aescbc provider prefix; each key adds `<name>:`. */
export const AESCBC_PREFIX = 'k8s:enc:aescbc:v1:';

/** Upstream's text when the value's key name is not configured (shared with aesgcm). */
const AES_NO_MATCHING_KEY = 'no matching key was found for the provided AES transformer';

const TOO_SHORT = 'the stored data was shorter than the required size';
const BLOCK_SIZE_TEXT = 'the stored data is not a multiple of the block size';
const PKCS7_DATA = 'invalid PKCS7 data (empty or not padded)';
const PKCS7_PADDING = 'invalid padding on input';

/** The smallest valid payload: an IV and one block. */
const MIN_PAYLOAD = 2 * BLOCK_SIZE;

const SPEC = { provider: 'aescbc', prefix: AESCBC_PREFIX, noMatchingKey: AES_NO_MATCHING_KEY, noKeys: 'aes provider has no valid keys' };

class AesCbcTransformer extends LocalTransformer {
  readonly #cipher: AesCbcCipher;

  constructor(key: Uint8Array, backend: CryptoBackend, label: ProviderLabel) {
    super(backend, label);
    checkAesKey(key, label);
    this.#cipher = backend.aesCbc(key);
  }

  readAt(data: Uint8Array, offset: number, context: Uint8Array): ReadResult {
    checkReadArguments(data, offset, context);
    this.#checkPayload(data.length - offset);
    return this.#unpad(this.#cipher.decryptAt(data, offset), data.length - offset);
  }

  override readAtInto(data: Uint8Array, offset: number, context: Uint8Array, out: Uint8Array): ReadResult {
    checkReadArguments(data, offset, context);
    checkBytes(out, 'out');
    const length = data.length - offset;
    this.#checkPayload(length);
    const bodyLength = length - BLOCK_SIZE;
    checkOut(out, bodyLength, data, 'data');
    const view = out.subarray(0, bodyLength);
    const cipher = this.#cipher;
    if (cipher.decryptInto !== undefined) {
      cipher.decryptInto(data, offset, view);
    } else {
      const decrypted = cipher.decryptAt(data, offset);
      view.set(decrypted, 0);
      wipe(decrypted);
    }
    const r = this.#unpad(view, length);
    // The padding bytes were decrypted into out too: zero them, so out holds only the plaintext.
    view.fill(0, r.plaintext.length);
    return r;
  }

  /** Upstream's checks on the payload length, in its order. */
  #checkPayload(length: number): void {
    if (length < BLOCK_SIZE) throw this.#error(ErrorCode.TooShort, TOO_SHORT, length);
    const bodyLength = length - BLOCK_SIZE;
    if (bodyLength % BLOCK_SIZE !== 0) throw this.#error(ErrorCode.BlockSize, BLOCK_SIZE_TEXT, length);
    if (bodyLength === 0) throw this.#error(ErrorCode.TooShort, TOO_SHORT, length);
  }

  /** The plaintext inside `decrypted` (wiped and rejected when the padding is wrong). */
  #unpad(decrypted: Uint8Array, length: number): ReadResult {
    const check = checkPadding(decrypted);
    if (check !== PaddingCheck.Ok) {
      wipe(decrypted);
      throw check === PaddingCheck.BadLength
        ? this.#error(ErrorCode.Pkcs7Data, PKCS7_DATA, length)
        : this.#error(ErrorCode.Pkcs7Padding, PKCS7_PADDING, length);
    }
    return { plaintext: decrypted.subarray(0, decrypted.length - (decrypted[decrypted.length - 1] as number)), stale: false };
  }

  writeAfter(header: Uint8Array, plaintext: Uint8Array, context: Uint8Array): Uint8Array {
    checkWriteArguments(header, plaintext, context);
    return this.#seal(allocOutput('stored', header.length + BLOCK_SIZE + plaintext.length + padLength(plaintext.length)), header, plaintext);
  }

  override writeAfterInto(header: Uint8Array, plaintext: Uint8Array, context: Uint8Array, out: Uint8Array): Uint8Array {
    checkWriteArguments(header, plaintext, context);
    const needed = header.length + BLOCK_SIZE + plaintext.length + padLength(plaintext.length);
    checkOut(out, needed, plaintext, 'plaintext');
    return this.#seal(out.subarray(0, needed), header, plaintext);
  }

  /** Fill `out` (exactly the stored value's room): header, IV, the padded plaintext, encrypted in place. */
  #seal(out: Uint8Array, header: Uint8Array, plaintext: Uint8Array): Uint8Array {
    const n = plaintext.length;
    const pad = padLength(n);
    const at = header.length;
    out.set(header, 0);
    this.backend.randomFill(out, at, BLOCK_SIZE);
    out.set(plaintext, at + BLOCK_SIZE);
    out.fill(pad, at + BLOCK_SIZE + n);
    try {
      this.#cipher.encryptInPlace(out, at, out.length);
    } catch (err) {
      wipe(out); // never leave the plaintext copy behind
      throw err;
    }
    return out;
  }

  #error(code: ErrorCode, message: string, length: number): AtrestError {
    const minimum = code === ErrorCode.TooShort ? { minimum: MIN_PAYLOAD } : {};
    return new AtrestError(code, message, { ...this.label, length, ...minimum });
  }
}

/**
 * A bare AES-CBC transformer over un-prefixed payloads (`IV || blocks`), as used per key inside
 * {@link aescbcProvider} and by KMS v1 for values written before Kubernetes 1.25. The context
 * (etcd key) is ignored: nothing is authenticated (see the module notes on padding oracles).
 *
 * @param key - 16, 24 or 32 bytes (AES-128/192/256); copied
 * @param options - `backend` (default `defaultBackend()`)
 * @returns a synchronous transformer; reads are never stale
 * @throws AtrestError `ERR_INVALID_KEY` for a key of another size. `read` throws `ERR_TOO_SHORT`,
 *   `ERR_BLOCK_SIZE`, `ERR_PKCS7_DATA` or `ERR_PKCS7_PADDING` with upstream's texts.
 * @example
 * ```ts
 * import { aesCbcTransformer } from '@atrest/aescbc';
 * import { nodeBackend, readSync, utf8, writeSync } from '@atrest/core';
 * const t = aesCbcTransformer(nodeBackend.randomBytes(32));
 * const ctx = utf8('/registry/secrets/default/db');
 * readSync(t, writeSync(t, utf8('hello'), ctx), ctx).plaintext; // 'hello' as bytes
 * ```
 */
export function aesCbcTransformer(key: Uint8Array, options: ProviderOptions = {}): Transformer {
  return localTransformer(AesCbcTransformer, SPEC.provider, key, options);
}

/**
 * The aescbc provider as a chain entry: prefix `k8s:enc:aescbc:v1:`, then one `<name>:` entry per
 * key in order (entry names `aescbc:<name>`). Writes use the first key; a value read by a later
 * key is stale.
 *
 * @param keys - named keys, each 16, 24 or 32 bytes; the first one writes
 * @param options - `backend` (default `defaultBackend()`)
 * @returns the chain entry
 * @throws AtrestError `ERR_INVALID_KEY` (`crypto/aes: invalid key size N`, context names the key),
 *   `ERR_INVALID_ARGUMENT` for no keys or a nameless key. Reads of a value whose key name is not
 *   configured throw `ERR_NO_MATCHING_KEY` (`no matching key was found for the provided AES transformer`).
 * @example
 * ```ts
 * import { aescbcProvider } from '@atrest/aescbc';
 * import { AtrestError, ErrorCode, nodeBackend, PrefixChain, utf8 } from '@atrest/core';
 * const entry = aescbcProvider([{ name: 'key1', secret: nodeBackend.randomBytes(32) }]);
 * const chain = new PrefixChain([entry], () => new AtrestError(ErrorCode.NoMatchingPrefix, 'no matching prefix found'));
 * const stored = await chain.write(utf8('hello'), utf8('/registry/secrets/default/db')); // 'k8s:enc:aescbc:v1:key1:...'
 * ```
 */
export function aescbcProvider(keys: readonly ProviderKey[], options: ProviderOptions = {}): ChainEntry {
  return localProvider(SPEC, AesCbcTransformer, keys, options);
}
