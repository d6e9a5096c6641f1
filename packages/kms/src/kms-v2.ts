/**
 * The KMS v2 envelope provider (`k8s:enc:kms:v2:<name>:`): kube-apiserver's `kmsv2` envelope
 * transformer, which reads and writes the stored value. The plugin probe, key-ID polling and the
 * current write seed live in `kms-v2-state.ts`; this module asks it whether a state is ready and
 * for the current seed, and owns everything about the stored bytes.
 *
 * Stored layout after the prefix: a protobuf {@link EncryptedObject}. Additional data of the AES-GCM
 * payload is the etcd key.
 *
 * **Reads** accept both source types: `AES_GCM_KEY` (the plugin unwraps a 16/24/32-byte AES key;
 * payload as aesgcm) and `HKDF_SHA256_XNONCE_AES_GCM_SEED` (the plugin unwraps a seed of at least
 * 32 bytes; payload = info(32) || nonce(12) || ciphertext || tag, key = HKDF-Expand(seed, info)).
 * A value is **stale** when its key ID differs from the plugin's current key ID or its source type
 * is not the seed type (upstream's KDF mode is locked on).
 *
 * **Writes** seal under the current seed (each write draws a fresh 32-byte info, hence a fresh
 * key) and are refused once the state has gone `writeDEKSourceMaxTTLMs` (3 minutes) without a
 * healthy poll. Polling is lazy, before a read or write when due; {@link KmsV2ChainEntry.refreshStatus}
 * polls on demand.
 *
 * **Cache**: unwrapped sources are kept as transformers in a bounded LRU keyed by upstream's
 * cache key (source type, wrapped source, key ID, annotations), `cacheSize` entries (default 1000),
 * entries dropped after `cacheTTLMs` (upstream's 24 h); concurrent misses share one Decrypt call.
 * Cache hits (with no poll due) answer synchronously, without a promise.
 *
 * @module
 */
import { AtrestError, type ChainEntry, type CryptoBackend, defaultBackend, ErrorCode, isPromise, type MaybePromise, type ReadResult, type Transformer, toAtrestError, utf8 } from '@atrest/core';
import { allocOutput, checkBytes, checkOut, checkReadArguments, checkWriteArguments, copyBytes, copyInto } from '@atrest/core/internal';
import { aesGcmExtendedNonceTransformer, aesGcmTransformer } from '@atrest/aesgcm';
import { goQuote } from '@atrest/core/go';
import { putVarint, varintSize } from '@atrest/core/wire';
import { dekCacheKey } from './_cache-key.js';
import { splitCanonical, type TailFacts, TailMemo } from './_canonical-object.js';
import { DekCache } from './_dek-cache.js';
import { keyIDHash, newUID, rfc3339 } from './_go-format.js';
import { isBytes, pluginAnswerError, pluginError } from './_plugin-error.js';
import { local } from './_sync.js';
import { decodeEncryptedObject, type EncryptedObject } from './encrypted-object.js';
import { KmsV2PluginState, SEED, SEED_SIZE } from './kms-v2-state.js';
import type { KmsServiceV2, KmsStatusV2 } from './service.js';

/** `k8s:enc:kms:v2:`; a provider's prefix adds `<name>:`. */
export const KMS_V2_PREFIX = 'k8s:enc:kms:v2:';

/** Upstream's timing constants (milliseconds) and our cache default. */
export const KMS_V2_DEFAULTS = Object.freeze({
  /** Poll interval while healthy (upstream `kmsv2PluginHealthzPositiveInterval`). */
  statusIntervalMs: 60_000,
  /** Poll interval after a failed poll (upstream `kmsv2PluginHealthzNegativeInterval`). */
  statusRetryIntervalMs: 10_000,
  /** How long the write seed stays usable after the last healthy poll (upstream `kmsv2PluginWriteDEKSourceMaxTTL`). */
  writeDEKSourceMaxTTLMs: 180_000,
  /** Lifetime of a cached unwrapped source (upstream `cacheTTL`). */
  cacheTTLMs: 24 * 60 * 60 * 1000,
  /** Cached unwrapped sources (upstream's cache is unbounded; ours is an LRU). */
  cacheSize: 1000,
});

/** The seed format's payload: info(32) || nonce(12) || ciphertext || tag(16). */
const INFO_NONCE = 32 + 12;
const TAG = 16;
const EMPTY = new Uint8Array(0);

/** Options of {@link kmsV2Provider}. */
export interface KmsV2Options {
  /** Crypto backend; default `defaultBackend()`. */
  readonly backend?: CryptoBackend;
  /** Unwrapped DEK sources kept in memory; `<= 0` disables the cache. Default 1000. */
  readonly cacheSize?: number;
  /** Lifetime of a cache entry in ms; default 24 h. */
  readonly cacheTTLMs?: number;
  /** Poll Status before a read or write when the last healthy poll is this old (ms); default 60 000; `Infinity` = only on demand. */
  readonly statusIntervalMs?: number;
  /** After a failed poll, poll again no sooner than this (ms); default 10 000. */
  readonly statusRetryIntervalMs?: number;
  /** Writes are refused this long (ms) after the last healthy poll; default 180 000. */
  readonly writeDEKSourceMaxTTLMs?: number;
  /** Clock in ms since the epoch; default `Date.now`. For tests. */
  readonly now?: () => number;
}

function checkAesKeySize(key: Uint8Array, provider: string): void {
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
    throw new AtrestError(ErrorCode.KmsInvalid, `crypto/aes: invalid key size ${key.length}`, {
      provider,
      length: key.length,
    });
  }
}

function withProvider(err: unknown, provider: string): AtrestError {
  const e = toAtrestError(err);
  return new AtrestError(e.code, e.message, { ...e.context, provider }, { cause: e });
}

class KmsV2Envelope implements Transformer {
  readonly #name: string;
  readonly #service: KmsServiceV2;
  readonly #backend: CryptoBackend;
  readonly #cache: DekCache<Transformer>;
  readonly #tails = new TailMemo();
  readonly #now: () => number;
  readonly #plugin: KmsV2PluginState;

  constructor(name: string, service: KmsServiceV2, options: KmsV2Options) {
    this.#name = name;
    this.#service = service;
    this.#backend = options.backend ?? defaultBackend();
    this.#now = options.now ?? Date.now;
    const cacheSize = options.cacheSize ?? KMS_V2_DEFAULTS.cacheSize;
    if (!Number.isInteger(cacheSize)) {
      throw new AtrestError(ErrorCode.InvalidArgument, 'kms v2 cacheSize must be an integer', { provider: name });
    }
    this.#cache = new DekCache({
      capacity: cacheSize,
      ttlMs: options.cacheTTLMs ?? KMS_V2_DEFAULTS.cacheTTLMs,
      now: this.#now,
      backend: this.#backend,
    });
    this.#plugin = new KmsV2PluginState(name, service, {
      backend: this.#backend,
      cache: this.#cache,
      tails: this.#tails,
      now: this.#now,
      interval: options.statusIntervalMs ?? KMS_V2_DEFAULTS.statusIntervalMs,
      retryInterval: options.statusRetryIntervalMs ?? KMS_V2_DEFAULTS.statusRetryIntervalMs,
      maxTTL: options.writeDEKSourceMaxTTLMs ?? KMS_V2_DEFAULTS.writeDEKSourceMaxTTLMs,
    });
  }

  /** The key ID new writes use, once a poll has succeeded. */
  get currentKeyID(): string | undefined {
    return this.#plugin.currentKeyID;
  }

  refreshStatus(): Promise<KmsStatusV2> {
    return this.#plugin.refreshStatus();
  }

  // ---- read ----------------------------------------------------------------------------------

  read(data: Uint8Array, context: Uint8Array): MaybePromise<ReadResult> {
    return this.readAt(data, 0, context);
  }

  readAt(data: Uint8Array, offset: number, context: Uint8Array): MaybePromise<ReadResult> {
    // Arguments are checked before anything else, the plugin included.
    checkReadArguments(data, offset, context);
    // Fast path (see _canonical-object.ts): a canonical value whose tail was validated before,
    // with its source unwrapped in the cache and no poll due.
    const split = splitCanonical(data, offset);
    if (split !== undefined && this.#plugin.ready(false)) {
      const facts = this.#tails.match(data, split.dataEnd);
      const cached = facts === undefined ? undefined : this.#cache.get(facts.cacheKey);
      if (cached !== undefined) return this.#open(cached, facts as TailFacts, data.subarray(split.dataStart, split.dataEnd), context);
    }
    const bytes = offset === 0 ? data : data.subarray(offset);
    let obj: EncryptedObject;
    try {
      obj = decodeEncryptedObject(bytes);
    } catch (err) {
      throw withProvider(err, this.#name);
    }
    const key = this.#cache.keyOf(dekCacheKey(obj));
    if (split !== undefined) this.#tails.remember(data.subarray(split.dataEnd), obj, key);
    const pending = this.#plugin.ensureState(false);
    if (pending === undefined) return this.#readObject(obj, key, context);
    const owned = { ...obj, encryptedData: copyBytes(obj.encryptedData) };
    const ctx = copyBytes(context);
    return pending.then(() => this.#readObject(owned, key, ctx));
  }

  /**
   * {@link Transformer.readInto}: a canonical value whose DEK source is cached opens straight into
   * `out`; any other read (decode, plugin call) goes through `read` and is copied into `out`, the
   * copy wiped.
   */
  readInto(data: Uint8Array, context: Uint8Array, out: Uint8Array): MaybePromise<ReadResult> {
    checkReadArguments(data, 0, context);
    checkBytes(out, 'out');
    checkOut(out, 0, data, 'data');
    const split = splitCanonical(data, 0);
    if (split !== undefined && this.#plugin.ready(false)) {
      const facts = this.#tails.match(data, split.dataEnd);
      const cached = facts === undefined ? undefined : this.#cache.get(facts.cacheKey);
      if (cached !== undefined && cached.readInto !== undefined) {
        const r = local(cached.readInto(data.subarray(split.dataStart, split.dataEnd), context, out));
        return { plaintext: r.plaintext, stale: this.#stale(r, facts as TailFacts) };
      }
    }
    const r = this.readAt(data, 0, context);
    return isPromise(r) ? r.then((x) => copyInto(x, out, data)) : copyInto(r, out, data);
  }

  #readObject(obj: EncryptedObject, key: string, context: Uint8Array): MaybePromise<ReadResult> {
    const cached = this.#cache.get(key);
    if (cached !== undefined) return this.#open(cached, obj, obj.encryptedData, context);
    const owned = { ...obj, encryptedData: copyBytes(obj.encryptedData) };
    const ctx = copyBytes(context);
    return this.#cache.load(key, () => this.#unwrap(owned)).then((t) => this.#open(t, owned, owned.encryptedData, ctx));
  }

  async #unwrap(obj: EncryptedObject): Promise<Transformer> {
    let plain: unknown;
    try {
      plain = await this.#service.decrypt(newUID(this.#backend), {
        ciphertext: obj.encryptedDEKSource,
        keyID: obj.keyID,
        annotations: obj.annotations,
      });
    } catch (err) {
      const e = pluginError(err, 'decrypt', this.#name);
      throw new AtrestError(ErrorCode.KmsPlugin, `failed to decrypt DEK, error: ${e.message}`, {
        provider: this.#name,
        keyIDHash: keyIDHash(obj.keyID),
      });
    }
    if (!isBytes(plain)) throw pluginAnswerError('decrypt', this.#name, 'plaintext is not bytes');
    const opts = { backend: this.#backend };
    try {
      if (obj.encryptedDEKSourceType === SEED) {
        // Upstream accepts any seed of at least 32 bytes (HKDF takes a PRK of any length).
        if (plain.length < SEED_SIZE) {
          throw new AtrestError(ErrorCode.KmsInvalid, `invalid seed length ${plain.length} used for key generation`, {
            provider: this.#name,
            length: plain.length,
          });
        }
        return aesGcmExtendedNonceTransformer(plain, opts);
      }
      checkAesKeySize(plain, this.#name);
      return aesGcmTransformer(plain, opts);
    } finally {
      // The transformers copy their key; the plugin's answer is wiped here.
      plain.fill(0);
    }
  }

  #open(t: Transformer, facts: Pick<EncryptedObject, 'keyID' | 'encryptedDEKSourceType'>, payload: Uint8Array, context: Uint8Array): ReadResult {
    const r = local(t.read(payload, context));
    return { plaintext: r.plaintext, stale: this.#stale(r, facts) };
  }

  #stale(r: ReadResult, facts: Pick<EncryptedObject, 'keyID' | 'encryptedDEKSourceType'>): boolean {
    const state = this.#plugin.current;
    // Stale: not the key ID the plugin reports now, or not the seed type current writers use.
    return r.stale || state === undefined || facts.keyID !== state.keyID || facts.encryptedDEKSourceType !== SEED;
  }

  // ---- write ---------------------------------------------------------------------------------

  write(plaintext: Uint8Array, context: Uint8Array): MaybePromise<Uint8Array> {
    return this.writeAfter(EMPTY, plaintext, context);
  }

  writeAfter(header: Uint8Array, plaintext: Uint8Array, context: Uint8Array): MaybePromise<Uint8Array> {
    checkWriteArguments(header, plaintext, context);
    if (this.#plugin.ready(true)) return this.#seal(header, plaintext, context);
    const pending = this.#plugin.ensureState(true);
    if (pending === undefined) return this.#seal(header, plaintext, context);
    const h = copyBytes(header);
    const pt = copyBytes(plaintext);
    const ctx = copyBytes(context);
    return pending.then(() => this.#seal(h, pt, ctx));
  }

  /**
   * {@link Transformer.writeInto}: the stored value (EncryptedObject) is written to `out`.
   */
  writeInto(plaintext: Uint8Array, context: Uint8Array, out: Uint8Array): MaybePromise<Uint8Array> {
    checkWriteArguments(EMPTY, plaintext, context);
    checkBytes(out, 'out');
    checkOut(out, 0, plaintext, 'plaintext');
    if (this.#plugin.ready(true)) return this.#seal(EMPTY, plaintext, context, out);
    const pending = this.#plugin.ensureState(true);
    if (pending === undefined) return this.#seal(EMPTY, plaintext, context, out);
    const pt = copyBytes(plaintext);
    const ctx = copyBytes(context);
    return pending.then(() => this.#seal(EMPTY, pt, ctx, out));
  }

  /**
   * One allocation (or the caller's `into`): `header || 0x0a varint(n) || info nonce ciphertext tag (n bytes) || tail`, the
   * EncryptedObject upstream's encoder writes (fields in number order), with the payload sealed
   * in place by the seed's cipher (the format of `aesGcmExtendedNonceTransformer`).
   */
  #seal(header: Uint8Array, plaintext: Uint8Array, context: Uint8Array, into?: Uint8Array): Uint8Array {
    const state = this.#plugin.current;
    if (state === undefined) throw this.#plugin.noStateError();
    const now = this.#now();
    if (now > state.expiresAt) {
      throw new AtrestError(
        ErrorCode.KmsPlugin,
        `encryptedDEKSource with keyID hash ${goQuote(keyIDHash(state.keyID))} expired at ${rfc3339(state.expiresAt)} (current time is ${rfc3339(now)})`,
        { provider: this.#name },
      );
    }
    // Upstream re-inserts the write transformer on every write so reads of fresh values never miss.
    this.#cache.set(state.cacheKey, state.transformer);
    const n = INFO_NONCE + plaintext.length + TAG;
    const at = header.length + 1 + varintSize(n);
    const total = at + n + state.tail.length;
    let out: Uint8Array;
    if (into === undefined) {
      out = allocOutput('stored', total);
    } else {
      checkOut(into, total, plaintext, 'plaintext');
      out = into.subarray(0, total);
    }
    out.set(header, 0);
    out[header.length] = 0x0a;
    putVarint(out, header.length + 1, n);
    this.#backend.randomFill(out, at, INFO_NONCE);
    state.cipher.sealInto(out, at, plaintext, context);
    out.set(state.tail, at + n);
    return out;
  }

  toString(): string {
    return `KmsV2Transformer(${this.#name})`;
  }

  toJSON(): string {
    return this.toString();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** A kms v2 chain entry with access to the plugin state. */
export interface KmsV2ChainEntry extends ChainEntry {
  /**
   * Poll the plugin's Status now (as upstream's probe does every minute): validate health,
   * version and key ID, and generate and wrap a new seed when the key ID changed. Concurrent calls
   * share one poll.
   * @returns the Status answer
   * @throws AtrestError `ERR_KMS_PLUGIN` (`kmsv2 Provider <name> is not healthy, error: ...`,
   *   `failed to perform status section of the healthz check for KMS Provider <name>, error: ...`)
   */
  refreshStatus(): Promise<KmsStatusV2>;
  /** The key ID new writes use (and reads compare against); undefined before the first healthy poll. */
  readonly currentKeyID: string | undefined;
}

/**
 * A kms v2 chain entry: prefix `k8s:enc:kms:v2:<name>:`, entry name `kms:v2:<name>`.
 *
 * @param name - the provider's `name` from the configuration
 * @param service - the plugin (gRPC client from `@atrest/kms-grpc`, or {@link Base64MockV2} in tests)
 * @param options - cache, polling and timing options, backend
 * @returns the chain entry, with `refreshStatus()` and `currentKeyID`
 * @throws AtrestError `ERR_INVALID_ARGUMENT` for a non-integer cache size
 * @example
 * ```ts
 * import { PrefixChain, AtrestError, ErrorCode, utf8 } from '@atrest/core';
 * import { Base64MockV2, kmsV2Provider } from '@atrest/kms';
 * const plugin = new Base64MockV2('key-1');
 * const entry = kmsV2Provider('kms2', plugin);
 * const chain = new PrefixChain([entry], () => new AtrestError(ErrorCode.NoMatchingPrefix, 'no matching prefix found'));
 * const ctx = utf8('/registry/secrets/default/db');
 * const stored = await chain.write(utf8('hello'), ctx);
 * plugin.setKeyID('key-2');
 * await entry.refreshStatus();
 * (await chain.read(stored, ctx)).stale; // true: written under key-1
 * ```
 */
export function kmsV2Provider(name: string, service: KmsServiceV2, options: KmsV2Options = {}): KmsV2ChainEntry {
  const envelope = new KmsV2Envelope(name, service, options);
  return Object.freeze({
    prefix: utf8(`${KMS_V2_PREFIX}${name}:`),
    transformer: envelope as Transformer,
    name: `kms:v2:${name}`,
    refreshStatus: (): Promise<KmsStatusV2> => envelope.refreshStatus(),
    get currentKeyID(): string | undefined {
      return envelope.currentKeyID;
    },
  });
}
