/**
 * The KMS v1 envelope provider (`k8s:enc:kms:v1:<name>:`), as kube-apiserver's
 * `envelope.envelopeTransformer` with the `unionTransformers{gcm, cbc}` base it is configured with.
 *
 * Stored layout after the prefix:
 *
 * ```
 * | N (2 bytes, big-endian) | wrapped DEK (N bytes) | payload |
 * ```
 *
 * The payload is AES-GCM under the DEK (nonce(12) || ciphertext || tag(16), additional data =
 * the etcd key) as written since Kubernetes 1.25, or AES-CBC (IV(16) || PKCS#7-padded blocks, no
 * authentication) as written before.
 *
 * - **Read**: parse the length, unwrap the DEK through the plugin (or the cache), try AES-GCM,
 *   then AES-CBC with the same DEK. A CBC success is **stale** (the value should be rewritten as
 *   GCM). When both fail, both errors are reported:
 *   `[cipher: message authentication failed, the stored data is not a multiple of the block size]`.
 * - **Write**: a fresh random 32-byte DEK for every write, wrapped by the plugin (one plugin call
 *   per write, as upstream), AES-GCM payload. The new DEK is cached for reads.
 * - **Cache**: LRU of unwrapped DEKs keyed by the wrapped bytes, `cacheSize` entries (upstream's
 *   default 1000); `cacheSize <= 0` disables it (upstream: `cachesize: -1`; 0 is refused by
 *   config validation). Concurrent misses on one wrapped DEK share one plugin call.
 *
 * Weaknesses (upstream's, kept for compatibility): the CBC fallback means a value can be
 * downgraded to unauthenticated CBC by anyone who can write etcd and knows a DEK's wrapped form;
 * and KMS v1 is deprecated upstream (feature gate `KMSv1`). Prefer {@link kmsV2Provider}.
 *
 * @module
 */
import { AtrestError, type ChainEntry, type CryptoBackend, defaultBackend, ErrorCode, type MaybePromise, type ReadResult, reduceErrors, type Transformer, utf8 } from '@atrest/core';
import { checkBytes, checkReadArguments, copyBytes } from '@atrest/core/internal';
import { aesCbcTransformer } from '@atrest/aescbc';
import { aesGcmTransformer } from '@atrest/aesgcm';
import { DekCache } from './_dek-cache.js';
import { isBytes, pluginAnswerError, pluginError } from './_plugin-error.js';
import { attempt, local } from './_sync.js';
import type { KmsServiceV1 } from './service.js';

/** `k8s:enc:kms:v1:`; a provider's prefix adds `<name>:`. */
export const KMS_V1_PREFIX = 'k8s:enc:kms:v1:';

/** Upstream's default `cachesize` for kms v1. */
export const KMS_V1_DEFAULT_CACHE_SIZE = 1000;

const DEK_SIZE = 32;
const MALFORMED = 'invalid data encountered by envelope transformer: failed to read uint16 length prefixed data';

/** Options of {@link kmsV1Provider}. */
export interface KmsV1Options {
  /** Unwrapped DEKs kept in memory; `<= 0` disables the cache. Default 1000. */
  readonly cacheSize?: number;
  /** Crypto backend; default `defaultBackend()`. */
  readonly backend?: CryptoBackend;
}

/**
 * GCM and CBC readers/writers bound to one DEK. The CBC one is only needed for values written
 * before Kubernetes 1.25, so it is made on first use from a copy of the DEK (held as the
 * transformers hold their keys); a DEK made for a write never needs it.
 */
class DekTransformers {
  readonly gcm: Transformer;
  #cbc: Transformer | undefined;
  #dek: Uint8Array | undefined;
  readonly #backend: CryptoBackend;

  constructor(dek: Uint8Array, backend: CryptoBackend) {
    this.gcm = aesGcmTransformer(dek, { backend });
    this.#dek = copyBytes(dek);
    this.#backend = backend;
  }

  get cbc(): Transformer {
    if (this.#cbc === undefined) {
      this.#cbc = aesCbcTransformer(this.#dek as Uint8Array, { backend: this.#backend });
      (this.#dek as Uint8Array).fill(0);
      this.#dek = undefined;
    }
    return this.#cbc;
  }
}

function checkAesKeySize(key: Uint8Array, provider: string): void {
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
    // Go's aes.NewCipher text: upstream returns it when the plugin unwraps to a wrong-size key.
    throw new AtrestError(ErrorCode.KmsInvalid, `crypto/aes: invalid key size ${key.length}`, {
      provider,
      length: key.length,
    });
  }
}

class KmsV1Transformer implements Transformer {
  readonly #name: string;
  readonly #service: KmsServiceV1;
  readonly #backend: CryptoBackend;
  readonly #cache: DekCache<DekTransformers>;

  constructor(name: string, service: KmsServiceV1, options: KmsV1Options) {
    this.#name = name;
    this.#service = service;
    this.#backend = options.backend ?? defaultBackend();
    const cacheSize = options.cacheSize ?? KMS_V1_DEFAULT_CACHE_SIZE;
    if (!Number.isInteger(cacheSize)) {
      throw new AtrestError(ErrorCode.InvalidArgument, 'kms v1 cacheSize must be an integer', { provider: name });
    }
    this.#cache = new DekCache({ capacity: cacheSize, backend: this.#backend });
  }

  #transformersFor(dek: Uint8Array): DekTransformers {
    checkAesKeySize(dek, this.#name);
    return new DekTransformers(dek, this.#backend);
  }

  read(data: Uint8Array, context: Uint8Array): MaybePromise<ReadResult> {
    // Arguments are checked before anything else, the plugin included.
    checkReadArguments(data, 0, context);
    if (data.length < 2) {
      throw new AtrestError(ErrorCode.KmsInvalid, MALFORMED, { provider: this.#name, length: data.length });
    }
    const n = ((data[0] as number) << 8) | (data[1] as number);
    if (2 + n > data.length) {
      throw new AtrestError(ErrorCode.KmsInvalid, MALFORMED, {
        provider: this.#name,
        length: data.length,
        wrappedDEKLength: n,
      });
    }
    const wrapped = data.subarray(2, 2 + n);
    const payload = data.subarray(2 + n);
    const key = this.#cache.keyOf(wrapped);
    const cached = this.#cache.get(key);
    if (cached !== undefined) return this.#open(cached, payload, context);
    // Across the await the caller may reuse its buffers: work on copies.
    const ownedWrapped = copyBytes(wrapped);
    const ownedPayload = copyBytes(payload);
    const ownedContext = copyBytes(context);
    return this.#cache
      .load(key, () => this.#unwrap(ownedWrapped))
      .then((t) => this.#open(t, ownedPayload, ownedContext));
  }

  async #unwrap(wrapped: Uint8Array): Promise<DekTransformers> {
    let dek: unknown;
    try {
      dek = await this.#service.decrypt(wrapped);
    } catch (err) {
      // Upstream returns the plugin's error unwrapped (its gRPC status matters to callers).
      throw pluginError(err, 'decrypt', this.#name);
    }
    if (!isBytes(dek)) throw pluginAnswerError('decrypt', this.#name, 'plaintext is not bytes');
    try {
      return this.#transformersFor(dek);
    } finally {
      // The AES transformers copy their key; the plugin's answer is wiped here.
      dek.fill(0);
    }
  }

  #open(t: DekTransformers, payload: Uint8Array, context: Uint8Array): ReadResult {
    const [gcm, gcmErr] = attempt(() => local(t.gcm.read(payload, context)));
    if (gcm !== undefined) return { plaintext: gcm.plaintext, stale: gcm.stale };
    const [cbc, cbcErr] = attempt(() => local(t.cbc.read(payload, context)));
    // A CBC success means a pre-1.25 writer: readable, but due for a rewrite.
    if (cbc !== undefined) return { plaintext: cbc.plaintext, stale: true };
    throw reduceErrors([gcmErr, cbcErr] as AtrestError[]) as AtrestError;
  }

  write(plaintext: Uint8Array, context: Uint8Array): Promise<Uint8Array> {
    // Checked synchronously, as the other transformers do, and before the plugin is called.
    checkBytes(plaintext, 'plaintext');
    checkBytes(context, 'context');
    return this.#write(plaintext, context);
  }

  async #write(plaintext: Uint8Array, context: Uint8Array): Promise<Uint8Array> {
    const dek = this.#backend.randomBytes(DEK_SIZE);
    let wrapped: unknown;
    try {
      wrapped = await this.#service.encrypt(copyBytes(dek));
    } catch (err) {
      throw pluginError(err, 'encrypt', this.#name);
    }
    if (!isBytes(wrapped)) throw pluginAnswerError('encrypt', this.#name, 'ciphertext is not bytes');
    if (wrapped.length > 0xffff) {
      throw new AtrestError(ErrorCode.KmsInvalid, 'wrapped DEK does not fit the 2-byte length prefix', {
        provider: this.#name,
        length: wrapped.length,
      });
    }
    const t = this.#transformersFor(dek);
    dek.fill(0);
    this.#cache.set(this.#cache.keyOf(wrapped), t);
    const payload = local(t.gcm.write(plaintext, context));
    const out = new Uint8Array(2 + wrapped.length + payload.length);
    out[0] = wrapped.length >>> 8;
    out[1] = wrapped.length & 0xff;
    out.set(wrapped, 2);
    out.set(payload, 2 + wrapped.length);
    return out;
  }

  toString(): string {
    return `KmsV1Transformer(${this.#name})`;
  }

  toJSON(): string {
    return this.toString();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/**
 * The kms v1 envelope transformer alone (reads and writes what follows the prefix).
 *
 * @param name - provider name (for errors)
 * @param service - the plugin
 * @param options - cache size, backend
 * @returns a transformer whose reads return a promise only on a cache miss; writes always call the plugin
 * @throws AtrestError `ERR_INVALID_ARGUMENT` for a non-integer cache size
 * @example
 * ```ts
 * import { Base64MockV1, kmsV1Transformer } from '@atrest/kms';
 * const t = kmsV1Transformer('kms1', new Base64MockV1());
 * ```
 */
export function kmsV1Transformer(name: string, service: KmsServiceV1, options: KmsV1Options = {}): Transformer {
  return new KmsV1Transformer(name, service, options);
}

/**
 * A kms v1 chain entry: prefix `k8s:enc:kms:v1:<name>:`, entry name `kms:v1:<name>`.
 *
 * @param name - the provider's `name` from the configuration
 * @param service - the plugin (gRPC client from `@atrest/kms-grpc`, or {@link Base64MockV1} in tests)
 * @param options - `cacheSize` (default 1000, `<= 0` disables), `backend`
 * @returns the chain entry
 * @throws AtrestError `ERR_INVALID_ARGUMENT` for a non-integer cache size
 * @example
 * ```ts
 * import { PrefixChain, AtrestError, ErrorCode, utf8 } from '@atrest/core';
 * import { Base64MockV1, kmsV1Provider } from '@atrest/kms';
 * const chain = new PrefixChain([kmsV1Provider('kms1', new Base64MockV1())],
 *   () => new AtrestError(ErrorCode.NoMatchingPrefix, 'no matching prefix found'));
 * const ctx = utf8('/registry/secrets/default/db');
 * const stored = await chain.write(utf8('hello'), ctx);
 * (await chain.read(stored, ctx)).stale; // false
 * ```
 */
export function kmsV1Provider(name: string, service: KmsServiceV1, options: KmsV1Options = {}): ChainEntry {
  return Object.freeze({
    prefix: utf8(`${KMS_V1_PREFIX}${name}:`),
    transformer: kmsV1Transformer(name, service, options),
    name: `kms:v1:${name}`,
  });
}
