/**
 * The KMS v2 envelope provider (`k8s:enc:kms:v2:<name>:`), as kube-apiserver's `kmsv2`
 * envelope transformer together with the plugin probe that keeps its write state.
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
 * **Writes** use one random 32-byte seed, wrapped once by the plugin and reused for every write
 * (each write draws a fresh 32-byte info, hence a fresh key). A new seed is generated when the
 * plugin reports a new key ID.
 *
 * **Plugin state** (upstream's `kmsv2PluginProbe`): the plugin's current key ID comes from its
 * Status answers. Upstream polls Status in the background (every minute, every 10 s after a
 * failure); a library must not keep timers alive, so this provider polls lazily: the first read or
 * write calls Status (and wraps a seed), and a read or write made when the last poll is older than
 * `statusIntervalMs` (10 s after a failure) polls again before answering. {@link KmsV2ChainEntry.refreshStatus}
 * polls on demand. As upstream: a failed poll keeps the previous state (reads work indefinitely),
 * but writes are refused once the state is older than `writeDEKSourceMaxTTLMs` (3 minutes) without
 * a healthy poll, so a key rotation at the KMS cannot be ignored for long.
 *
 * **Cache**: unwrapped sources are kept as transformers in a bounded LRU keyed by upstream's
 * cache key (source type, wrapped source, key ID, annotations), `cacheSize` entries (default 1000),
 * entries dropped after `cacheTTLMs` (upstream's 24 h); concurrent misses share one Decrypt call.
 * Cache hits (with no poll due) answer synchronously, without a promise.
 *
 * @module
 */
import { allocOutput, AtrestError, type ChainEntry, type CryptoBackend, defaultBackend, ErrorCode, type MaybePromise, type ReadResult, type SeededAesGcmCipher, type Transformer, toAtrestError, utf8, copyBytes } from '@atrest/core';
import { aesGcmExtendedNonceTransformer, aesGcmTransformer } from '@atrest/aesgcm';
import { dekCacheKey } from './_cache-key.js';
import { splitCanonical, type TailFacts, TailMemo } from './_canonical-object.js';
import { DekCache } from './_dek-cache.js';
import { aggregateErrorText, goQuote } from '@atrest/core/go';
import { putVarint, varintSize } from '@atrest/core/wire';
import { validateKeyID } from './_key-id.js';
import { keyIDHash, newUID, rfc3339 } from './_go-format.js';
import { isBytes, pluginAnswerError, pluginError } from './_plugin-error.js';
import { local } from './_sync.js';
import {
  decodeEncryptedObject,
  type EncryptedObject,
  EncryptedDEKSourceType,
  encodeEncryptedObject,
  validateEncryptedObject,
} from './encrypted-object.js';
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

const SEED = EncryptedDEKSourceType.HKDF_SHA256_XNONCE_AES_GCM_SEED;
const SEED_SIZE = 32;
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

/** The write state: the current seed's transformer and its wrapped form (upstream `State`). */
interface WriteState {
  readonly transformer: Transformer;
  /** The same seed as a cipher, for writing each value in place. */
  readonly cipher: SeededAesGcmCipher;
  /** The encoded EncryptedObject fields after encryptedData (2..5): the same for every write. */
  readonly tail: Uint8Array;
  readonly keyID: string;
  readonly encryptedDEKSource: Uint8Array;
  readonly annotations: Readonly<Record<string, Uint8Array>>;
  readonly cacheKey: string;
  expiresAt: number;
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

function copyAnnotations(a: unknown, provider: string): Record<string, Uint8Array> {
  const out = Object.create(null) as Record<string, Uint8Array>;
  if (a === undefined || a === null) return out;
  if (typeof a !== 'object') throw pluginAnswerError('encrypt', provider, 'annotations are not a map');
  for (const [k, v] of Object.entries(a as Record<string, unknown>)) {
    if (!isBytes(v)) throw pluginAnswerError('encrypt', provider, 'an annotation value is not bytes');
    out[k] = copyBytes(v);
  }
  return out;
}

class KmsV2Envelope implements Transformer {
  readonly #name: string;
  readonly #service: KmsServiceV2;
  readonly #backend: CryptoBackend;
  readonly #cache: DekCache<Transformer>;
  readonly #tails = new TailMemo();
  readonly #now: () => number;
  readonly #interval: number;
  readonly #retryInterval: number;
  readonly #maxTTL: number;

  #state: WriteState | undefined;
  #version: string | undefined;
  #lastAttemptAt = Number.NEGATIVE_INFINITY;
  #lastOk = false;
  #lastError: AtrestError | undefined;
  #refreshing: Promise<KmsStatusV2> | undefined;

  constructor(name: string, service: KmsServiceV2, options: KmsV2Options) {
    this.#name = name;
    this.#service = service;
    this.#backend = options.backend ?? defaultBackend();
    this.#now = options.now ?? Date.now;
    this.#interval = options.statusIntervalMs ?? KMS_V2_DEFAULTS.statusIntervalMs;
    this.#retryInterval = options.statusRetryIntervalMs ?? KMS_V2_DEFAULTS.statusRetryIntervalMs;
    this.#maxTTL = options.writeDEKSourceMaxTTLMs ?? KMS_V2_DEFAULTS.writeDEKSourceMaxTTLMs;
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
  }

  /** The key ID new writes use, once a poll has succeeded. */
  get currentKeyID(): string | undefined {
    return this.#state?.keyID;
  }

  // ---- plugin state (upstream kmsv2PluginProbe) -------------------------------------------

  refreshStatus(): Promise<KmsStatusV2> {
    const pending = this.#refreshing;
    if (pending !== undefined) return pending;
    const p = this.#poll().finally(() => {
      this.#refreshing = undefined;
    });
    this.#refreshing = p;
    return p;
  }

  async #poll(): Promise<KmsStatusV2> {
    const startedAt = this.#now();
    this.#lastAttemptAt = startedAt;
    try {
      const status = await this.#pollOnce(startedAt);
      this.#lastOk = true;
      this.#lastError = undefined;
      return status;
    } catch (err) {
      const e = toAtrestError(err);
      this.#lastOk = false;
      this.#lastError = e;
      throw e;
    }
  }

  async #pollOnce(startedAt: number): Promise<KmsStatusV2> {
    const name = this.#name;
    let status: unknown;
    try {
      status = await this.#service.status();
    } catch (err) {
      const e = pluginError(err, 'status', name);
      throw new AtrestError(
        ErrorCode.KmsPlugin,
        `failed to perform status section of the healthz check for KMS Provider ${name}, error: ${e.message}`,
        { provider: name },
        { cause: e },
      );
    }
    if (typeof status !== 'object' || status === null) throw pluginAnswerError('status', name, 'not an object');
    const { version, healthz, keyID } = status as Record<string, unknown>;
    if (typeof version !== 'string' || typeof healthz !== 'string' || typeof keyID !== 'string') {
      throw pluginAnswerError('status', name, 'version, healthz and keyID must be strings');
    }
    const errs: string[] = [];
    if (healthz !== 'ok') errs.push(`got unexpected healthz status: ${healthz}`);
    if (version !== 'v2' && version !== 'v2beta1') {
      errs.push(`expected KMSv2 API version v2, got ${version}`);
    } else {
      this.#version ??= version;
      if (this.#version !== version) {
        errs.push(
          `KMSv2 API version should not change after the initial status response version ${this.#version}, got ${version}`,
        );
      }
    }
    const badKeyID = validateKeyID(keyID);
    if (badKeyID !== undefined) {
      errs.push(`got invalid KMSv2 KeyID hash ${goQuote(keyIDHash(keyID))}: ${badKeyID.message}`);
    } else {
      const rotateErr = await this.#rotateOnKeyIDChange(keyID, startedAt + this.#maxTTL);
      if (rotateErr !== undefined) errs.push(rotateErr);
    }
    if (errs.length > 0) {
      throw new AtrestError(ErrorCode.KmsPlugin, `kmsv2 Provider ${name} is not healthy, error: ${aggregateErrorText(errs)}`, {
        provider: name,
      });
    }
    return { version, healthz, keyID };
  }

  /** Upstream's `rotateDEKOnKeyIDChange`; returns an error text, the state untouched, on failure. */
  async #rotateOnKeyIDChange(statusKeyID: string, expiresAt: number): Promise<string | undefined> {
    const state = this.#state;
    if (state !== undefined && state.keyID === statusKeyID) {
      state.expiresAt = expiresAt;
      return undefined;
    }
    const uid = newUID(this.#backend);
    let fresh: WriteState | undefined;
    let errGen: string | undefined;
    try {
      fresh = await this.#generateState(uid, expiresAt);
    } catch (err) {
      errGen = toAtrestError(err).message;
    }
    if (fresh !== undefined && fresh.keyID === statusKeyID) {
      this.#state = fresh;
      this.#cache.set(fresh.cacheKey, fresh.transformer);
      return undefined;
    }
    return (
      `failed to rotate DEK uid=${goQuote(uid)}, useSeed=true, ` +
      `errState=${state === undefined ? 'got unexpected nil transformer' : '<nil>'}, errGen=${errGen ?? '<nil>'}, ` +
      `statusKeyIDHash=${goQuote(keyIDHash(statusKeyID))}, encryptKeyIDHash=${goQuote(keyIDHash(fresh?.keyID ?? ''))}, ` +
      `stateKeyIDHash=${goQuote(keyIDHash(state?.keyID ?? ''))}, expirationTimestamp=${rfc3339(state?.expiresAt)}`
    );
  }

  /** Upstream's `GenerateTransformer` with the seed: one random seed, wrapped once. */
  async #generateState(uid: string, expiresAt: number): Promise<WriteState> {
    const seed = this.#backend.randomBytes(SEED_SIZE);
    // The transformer and the cipher copy the seed; our copy and the plugin's are wiped once no
    // longer needed.
    const transformer = aesGcmExtendedNonceTransformer(seed, { backend: this.#backend });
    const cipher = this.#backend.hkdfAesGcm(seed);
    const forPlugin = copyBytes(seed);
    seed.fill(0);
    let resp: unknown;
    try {
      resp = await this.#service.encrypt(uid, forPlugin);
    } catch (err) {
      throw new AtrestError(
        ErrorCode.KmsPlugin,
        `failed to encrypt DEK, error: ${pluginError(err, 'encrypt', this.#name).message}`,
        { provider: this.#name },
      );
    } finally {
      forPlugin.fill(0);
    }
    if (typeof resp !== 'object' || resp === null) throw pluginAnswerError('encrypt', this.#name, 'not an object');
    const { ciphertext, keyID, annotations } = resp as Record<string, unknown>;
    if (!isBytes(ciphertext)) throw pluginAnswerError('encrypt', this.#name, 'ciphertext is not bytes');
    if (typeof keyID !== 'string') throw pluginAnswerError('encrypt', this.#name, 'keyID is not a string');
    const template: EncryptedObject = {
      encryptedData: new Uint8Array(1), // any non-empty value passes validation, as upstream
      keyID,
      encryptedDEKSource: copyBytes(ciphertext),
      annotations: copyAnnotations(annotations, this.#name),
      encryptedDEKSourceType: SEED,
    };
    validateEncryptedObject(template);
    // encryptedData is field 1 and encoded first (0x0a, length 1, one byte); what follows is the
    // tail every write under this seed shares.
    const encoded = encodeEncryptedObject(template);
    if (encoded[0] !== 0x0a || encoded[1] !== 1) throw new AtrestError(ErrorCode.Internal, 'unexpected EncryptedObject layout');
    const tail = copyBytes(encoded.subarray(3));
    const cacheKey = this.#cache.keyOf(dekCacheKey(template));
    this.#tails.remember(tail, template, cacheKey);
    return { transformer, cipher, tail, keyID, encryptedDEKSource: template.encryptedDEKSource, annotations: template.annotations, cacheKey, expiresAt };
  }

  /** Whether a poll should precede this operation. */
  #pollDue(forWrite: boolean): boolean {
    const elapsed = this.#now() - this.#lastAttemptAt;
    const state = this.#state;
    if (state === undefined || !this.#lastOk) return elapsed >= this.#retryInterval;
    if (elapsed >= this.#interval) return true;
    return forWrite && this.#now() > state.expiresAt && elapsed >= this.#retryInterval;
  }

  /** True when an operation can go ahead now: a state exists and no poll is due or running. */
  #ready(forWrite: boolean): boolean {
    return this.#state !== undefined && this.#refreshing === undefined && !this.#pollDue(forWrite);
  }

  /** Poll when due; a failed poll is tolerated while a state exists (upstream coasts). */
  #ensureState(forWrite: boolean): Promise<void> | undefined {
    // A poll in flight is joined: concurrent first reads share one Status (and one seed).
    if (this.#refreshing === undefined && !this.#pollDue(forWrite)) {
      if (this.#state === undefined) throw this.#noStateError();
      return undefined;
    }
    return this.refreshStatus().then(
      () => undefined,
      (err: unknown) => {
        if (this.#state === undefined) throw err;
      },
    );
  }

  #noStateError(): AtrestError {
    return (
      this.#lastError ??
      new AtrestError(ErrorCode.KmsPlugin, 'got unexpected nil transformer', { provider: this.#name })
    );
  }

  // ---- read ----------------------------------------------------------------------------------

  read(data: Uint8Array, context: Uint8Array): MaybePromise<ReadResult> {
    return this.readAt(data, 0, context);
  }

  readAt(data: Uint8Array, offset: number, context: Uint8Array): MaybePromise<ReadResult> {
    // Fast path (see _canonical-object.ts): a canonical value whose tail was validated before,
    // with its source unwrapped in the cache and no poll due.
    const split = splitCanonical(data, offset);
    if (split !== undefined && this.#ready(false)) {
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
    const pending = this.#ensureState(false);
    if (pending === undefined) return this.#readObject(obj, key, context);
    const owned = { ...obj, encryptedData: copyBytes(obj.encryptedData) };
    const ctx = copyBytes(context);
    return pending.then(() => this.#readObject(owned, key, ctx));
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
    const state = this.#state;
    // Stale: not the key ID the plugin reports now, or not the seed type current writers use.
    const stale =
      r.stale || state === undefined || facts.keyID !== state.keyID || facts.encryptedDEKSourceType !== SEED;
    return { plaintext: r.plaintext, stale };
  }

  // ---- write ---------------------------------------------------------------------------------

  write(plaintext: Uint8Array, context: Uint8Array): MaybePromise<Uint8Array> {
    return this.writeAfter(EMPTY, plaintext, context);
  }

  writeAfter(header: Uint8Array, plaintext: Uint8Array, context: Uint8Array): MaybePromise<Uint8Array> {
    if (this.#ready(true)) return this.#seal(header, plaintext, context);
    const pending = this.#ensureState(true);
    if (pending === undefined) return this.#seal(header, plaintext, context);
    const h = copyBytes(header);
    const pt = copyBytes(plaintext);
    const ctx = copyBytes(context);
    return pending.then(() => this.#seal(h, pt, ctx));
  }

  /**
   * One allocation: `header || 0x0a varint(n) || info nonce ciphertext tag (n bytes) || tail`, the
   * EncryptedObject upstream's encoder writes (fields in number order), with the payload sealed
   * in place by the seed's cipher (the format of `aesGcmExtendedNonceTransformer`).
   */
  #seal(header: Uint8Array, plaintext: Uint8Array, context: Uint8Array): Uint8Array {
    const state = this.#state;
    if (state === undefined) throw this.#noStateError();
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
    const out = allocOutput('stored', at + n + state.tail.length);
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
