/**
 * The KMS v2 provider's plugin state: the Status probe, key-ID polling, and the current write
 * seed (its transformer, cipher and wrapped form) with its refresh.
 *
 * This is kube-apiserver's `kmsv2PluginProbe` side of a KMS v2 provider, kept apart from the
 * envelope read/write in `kms-v2.ts`, which asks this module two things: is a state ready (or when
 * will it be), and what is the current seed.
 *
 * **Polling**: the plugin's current key ID comes from its Status answers. Upstream polls Status in
 * the background (every minute, every 10 s after a failure); a library must not keep timers alive,
 * so polling here is lazy: the first read or write polls (and wraps a seed), and a read or write
 * made when the last poll is older than the poll interval (the retry interval after a failure)
 * polls again before answering. {@link KmsV2PluginState.refreshStatus} polls on demand, and
 * concurrent callers share one poll. A failed poll keeps the previous state (reads work
 * indefinitely), but the state expires for writes once it is older than the write TTL without a
 * healthy poll, so a key rotation at the KMS cannot be ignored for long.
 *
 * **Seed**: one random 32-byte seed, wrapped once by the plugin's Encrypt and reused for every
 * write until Status reports a different key ID; then a new seed is generated and wrapped. The
 * EncryptedObject fields after `encryptedData` are the same for every write under one seed, so
 * they are encoded once here (the state's `tail`).
 *
 * @module
 */
import { AtrestError, type CryptoBackend, ErrorCode, type SeededAesGcmCipher, type Transformer, toAtrestError } from '@atrest/core';
import { copyBytes } from '@atrest/core/internal';
import { aesGcmExtendedNonceTransformer } from '@atrest/aesgcm';
import { aggregateErrorText, goQuote } from '@atrest/core/go';
import { dekCacheKey } from './_cache-key.js';
import type { TailMemo } from './_canonical-object.js';
import type { DekCache } from './_dek-cache.js';
import { keyIDHash, newUID, rfc3339 } from './_go-format.js';
import { validateKeyID } from './_key-id.js';
import { isBytes, pluginAnswerError, pluginError } from './_plugin-error.js';
import { type EncryptedObject, EncryptedDEKSourceType, encodeEncryptedObject, validateEncryptedObject } from './encrypted-object.js';
import type { KmsServiceV2, KmsStatusV2 } from './service.js';

/** The source type every write uses (upstream's KDF mode is locked on). */
export const SEED = EncryptedDEKSourceType.HKDF_SHA256_XNONCE_AES_GCM_SEED;
/** Size of a generated seed, and the least a plugin may unwrap for the seed type. */
export const SEED_SIZE = 32;

/** The write state: the current seed's transformer and its wrapped form (upstream `State`). */
export interface WriteState {
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

/** What the plugin state needs from its provider: resolved timings and the caches it fills. */
export interface KmsV2StateDeps {
  readonly backend: CryptoBackend;
  /** The provider's cache of unwrapped sources; a new seed's transformer is put there. */
  readonly cache: DekCache<Transformer>;
  /** The provider's memo of validated tails; a new seed's tail is remembered there. */
  readonly tails: TailMemo;
  readonly now: () => number;
  /** Poll interval while healthy (ms). */
  readonly interval: number;
  /** Poll interval after a failed poll (ms). */
  readonly retryInterval: number;
  /** How long a state stays writable after a healthy poll (ms). */
  readonly maxTTL: number;
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

/** One KMS v2 provider's view of its plugin: last poll, health, API version and write state. */
export class KmsV2PluginState {
  readonly #name: string;
  readonly #service: KmsServiceV2;
  readonly #deps: KmsV2StateDeps;

  #state: WriteState | undefined;
  #version: string | undefined;
  #lastAttemptAt = Number.NEGATIVE_INFINITY;
  #lastOk = false;
  #lastError: AtrestError | undefined;
  #refreshing: Promise<KmsStatusV2> | undefined;

  constructor(name: string, service: KmsServiceV2, deps: KmsV2StateDeps) {
    this.#name = name;
    this.#service = service;
    this.#deps = deps;
  }

  /** The current write state, once a poll has succeeded. */
  get current(): WriteState | undefined {
    return this.#state;
  }

  /** The key ID new writes use, once a poll has succeeded. */
  get currentKeyID(): string | undefined {
    return this.#state?.keyID;
  }

  /** Poll Status now; concurrent calls share one poll. */
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
    const startedAt = this.#deps.now();
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
      const rotateErr = await this.#rotateOnKeyIDChange(keyID, startedAt + this.#deps.maxTTL);
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
    const uid = newUID(this.#deps.backend);
    let fresh: WriteState | undefined;
    let errGen: string | undefined;
    try {
      fresh = await this.#generateState(uid, expiresAt);
    } catch (err) {
      errGen = toAtrestError(err).message;
    }
    if (fresh !== undefined && fresh.keyID === statusKeyID) {
      this.#state = fresh;
      this.#deps.cache.set(fresh.cacheKey, fresh.transformer);
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
    const { backend, cache, tails } = this.#deps;
    const seed = backend.randomBytes(SEED_SIZE);
    // The transformer and the cipher copy the seed; our copy and the plugin's are wiped once no
    // longer needed.
    const transformer = aesGcmExtendedNonceTransformer(seed, { backend });
    const cipher = backend.hkdfAesGcm(seed);
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
    const cacheKey = cache.keyOf(dekCacheKey(template));
    tails.remember(tail, template, cacheKey);
    return { transformer, cipher, tail, keyID, encryptedDEKSource: template.encryptedDEKSource, annotations: template.annotations, cacheKey, expiresAt };
  }

  /** Whether a poll should precede this operation. */
  #pollDue(forWrite: boolean): boolean {
    const { now, interval, retryInterval } = this.#deps;
    const elapsed = now() - this.#lastAttemptAt;
    const state = this.#state;
    if (state === undefined || !this.#lastOk) return elapsed >= retryInterval;
    if (elapsed >= interval) return true;
    return forWrite && now() > state.expiresAt && elapsed >= retryInterval;
  }

  /** True when an operation can go ahead now: a state exists and no poll is due or running. */
  ready(forWrite: boolean): boolean {
    return this.#state !== undefined && this.#refreshing === undefined && !this.#pollDue(forWrite);
  }

  /**
   * Poll when due; a failed poll is tolerated while a state exists (upstream coasts).
   * @returns undefined when the operation can go ahead now, else a promise settled after the poll
   * @throws AtrestError the last poll's error (or `got unexpected nil transformer`) when there is no state and no poll is due
   */
  ensureState(forWrite: boolean): Promise<void> | undefined {
    // A poll in flight is joined: concurrent first reads share one Status (and one seed).
    if (this.#refreshing === undefined && !this.#pollDue(forWrite)) {
      if (this.#state === undefined) throw this.noStateError();
      return undefined;
    }
    return this.refreshStatus().then(
      () => undefined,
      (err: unknown) => {
        if (this.#state === undefined) throw err;
      },
    );
  }

  /** The error of an operation that found no state: the last poll's error when there was one. */
  noStateError(): AtrestError {
    return (
      this.#lastError ??
      new AtrestError(ErrorCode.KmsPlugin, 'got unexpected nil transformer', { provider: this.#name })
    );
  }
}
