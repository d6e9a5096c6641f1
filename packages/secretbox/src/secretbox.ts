/**
 * The `secretbox` provider (`k8s:enc:secretbox:v1:<key>:`), byte-compatible with kube-apiserver.
 *
 * Payload layout after the prefix:
 *
 * ```
 * | nonce (24, random) | Poly1305 tag (16) | XSalsa20 ciphertext (= plaintext length) |
 * ```
 *
 * (NaCl `crypto_secretbox`: the tag comes first.) The key is 32 bytes.
 *
 * **Authenticated:** the ciphertext only. **The etcd key is not bound**: a value copied to another
 * etcd key still decrypts there. A flipped bit or truncation fails with upstream's (misleading)
 * text `output array was not large enough for encryption`, code `ERR_AUTHENTICATION`.
 *
 * **Weaknesses:** no binding to the etcd key (above); keys live in the configuration file. Random
 * 192-bit nonces make collisions a non-issue.
 *
 * The cipher comes from the backend's `secretbox` when it has one; `node:crypto` has no XSalsa20,
 * so with the node backend the noble implementation is used (randomness still comes from the
 * chosen backend).
 *
 * @module
 */
import { AtrestError, type ChainEntry, type CryptoBackend, ErrorCode, nobleBackend, type ReadResult, type SecretboxCipher, type Transformer } from '@atrest/core';
import { allocOutput, checkKey, checkReadArguments, checkWriteArguments, LocalTransformer, localProvider, localTransformer, type ProviderLabel } from '@atrest/core/internal';

import type { ProviderKey, ProviderOptions } from './types.js';

/** The secretbox provider prefix; each key adds `<name>:`. */
export const SECRETBOX_PREFIX = 'k8s:enc:secretbox:v1:';

const NONCE_SIZE = 24;
const TAG_SIZE = 16;
const KEY_SIZE = 32;

const NO_MATCHING_KEY = 'no matching key was found for the provided Secretbox transformer';
const TOO_SHORT = 'the stored data was shorter than the required size';
/** Upstream's text for a failed open (it means: authentication failed). */
const OPEN_FAILED = 'output array was not large enough for encryption';

const SPEC = { provider: 'secretbox', prefix: SECRETBOX_PREFIX, noMatchingKey: NO_MATCHING_KEY, noKeys: 'secretbox provider has no valid keys' };

const isKeySize = (n: number): boolean => n === KEY_SIZE;
const keySizeText = (n: number): string => `expected key size 32 for secretbox provider, got ${n}`;

function secretboxOf(backend: CryptoBackend): (key: Uint8Array) => SecretboxCipher {
  return backend.secretbox ?? (nobleBackend.secretbox as (key: Uint8Array) => SecretboxCipher);
}

class SecretboxTransformer extends LocalTransformer {
  readonly #box: SecretboxCipher;

  constructor(key: Uint8Array, backend: CryptoBackend, label: ProviderLabel) {
    super(backend, label);
    checkKey(key, label, isKeySize, keySizeText);
    this.#box = secretboxOf(backend)(key);
  }

  readAt(data: Uint8Array, offset: number, context: Uint8Array): ReadResult {
    checkReadArguments(data, offset, context);
    const length = data.length - offset;
    if (length < NONCE_SIZE + TAG_SIZE) {
      throw new AtrestError(ErrorCode.TooShort, TOO_SHORT, { ...this.label, length, minimum: NONCE_SIZE + TAG_SIZE });
    }
    const plaintext = this.#box.openAt(data, offset);
    if (plaintext === null) {
      throw new AtrestError(ErrorCode.Authentication, OPEN_FAILED, { ...this.label, length });
    }
    return { plaintext, stale: false };
  }

  writeAfter(header: Uint8Array, plaintext: Uint8Array, context: Uint8Array): Uint8Array {
    checkWriteArguments(header, plaintext, context);
    const at = header.length;
    const out = allocOutput('stored', at + NONCE_SIZE + TAG_SIZE + plaintext.length);
    out.set(header, 0);
    this.backend.randomFill(out, at, NONCE_SIZE);
    this.#box.sealInto(out, at, plaintext);
    return out;
  }
}

/**
 * A bare secretbox transformer over un-prefixed payloads (`nonce || tag || ciphertext`). The
 * context (etcd key) is ignored: it is not authenticated.
 *
 * @param key - exactly 32 bytes; copied
 * @param options - `backend` (default `defaultBackend()`); its `secretbox` is used when present,
 *   otherwise the noble implementation
 * @returns a synchronous transformer; reads are never stale
 * @throws AtrestError `ERR_INVALID_KEY` (`expected key size 32 for secretbox provider, got N`).
 *   `read` throws `ERR_TOO_SHORT` (under 40 bytes) or `ERR_AUTHENTICATION`
 *   (`output array was not large enough for encryption`).
 * @example
 * ```ts
 * import { secretboxTransformer } from '@atrest/secretbox';
 * import { nodeBackend, readSync, utf8, writeSync } from '@atrest/core';
 * const t = secretboxTransformer(nodeBackend.randomBytes(32));
 * const ctx = utf8('/registry/secrets/default/db');
 * readSync(t, writeSync(t, utf8('hello'), ctx), ctx).plaintext; // 'hello' as bytes
 * ```
 */
export function secretboxTransformer(key: Uint8Array, options: ProviderOptions = {}): Transformer {
  return localTransformer(SecretboxTransformer, SPEC.provider, key, options);
}

/**
 * The secretbox provider as a chain entry: prefix `k8s:enc:secretbox:v1:`, then one `<name>:`
 * entry per key in order (entry names `secretbox:<name>`). Writes use the first key; a value read
 * by a later key is stale.
 *
 * @param keys - named 32-byte keys; the first one writes
 * @param options - `backend` (default `defaultBackend()`)
 * @returns the chain entry
 * @throws AtrestError `ERR_INVALID_KEY` (context names the key), `ERR_INVALID_ARGUMENT` for no keys
 *   or a nameless key. Reads of a value whose key name is not configured throw
 *   `ERR_NO_MATCHING_KEY` (`no matching key was found for the provided Secretbox transformer`).
 * @example
 * ```ts
 * import { secretboxProvider } from '@atrest/secretbox';
 * import { AtrestError, ErrorCode, nodeBackend, PrefixChain, utf8 } from '@atrest/core';
 * const entry = secretboxProvider([{ name: 'key1', secret: nodeBackend.randomBytes(32) }]);
 * const chain = new PrefixChain([entry], () => new AtrestError(ErrorCode.NoMatchingPrefix, 'no matching prefix found'));
 * const stored = await chain.write(utf8('hello'), utf8('/registry/secrets/default/db')); // 'k8s:enc:secretbox:v1:key1:...'
 * ```
 */
export function secretboxProvider(keys: readonly ProviderKey[], options: ProviderOptions = {}): ChainEntry {
  return localProvider(SPEC, SecretboxTransformer, keys, options);
}
