/**
 * Upstream's Base64 mock KMS plugins, in process.
 *
 * kube-apiserver's own tests (and the conformance vectors in `test-vectors/upstream`) use a mock
 * plugin whose "encryption" is base64: *Encrypt* returns the standard base64 text of the DEK or
 * seed (as bytes), *Decrypt* base64-decodes it. So the wrapped DEK inside a stored value is
 * readable text, and anyone holding the stored value holds the key.
 *
 * **Testing only.** These mocks protect nothing; they exist so round trips, vectors and the CLI can
 * run without a real KMS. They count their calls so tests can check caching and coalescing.
 *
 * @module
 */
import { AtrestError, ErrorCode } from '@atrest/core';
import { Base64SyntaxError, base64Decode, base64Encode } from '@atrest/core/go';
import type {
  KmsDecryptRequestV2,
  KmsEncryptResponseV2,
  KmsServiceV1,
  KmsServiceV2,
  KmsStatusV2,
} from './service.js';

/** How many times each method of a mock was called. */
export interface MockCallCounts {
  encrypt: number;
  decrypt: number;
  status: number;
}

function decodeOrThrow(ciphertext: Uint8Array): Uint8Array {
  try {
    return base64Decode(ciphertext);
  } catch (err) {
    if (err instanceof Base64SyntaxError) {
      // Upstream's mock returns Go's decoder error unchanged.
      throw new AtrestError(ErrorCode.KmsPlugin, err.message, { plugin: 'base64-mock', offset: err.offset });
    }
    throw err;
  }
}

/**
 * Upstream's KMS v1 Base64 mock plugin.
 *
 * @example
 * ```ts
 * import { Base64MockV1, kmsV1Provider } from '@atrest/kms';
 * const plugin = new Base64MockV1();
 * const entry = kmsV1Provider('kms1', plugin);
 * ```
 */
export class Base64MockV1 implements KmsServiceV1 {
  /** Calls made so far (`status` stays 0: v1 has no status call). */
  readonly calls: MockCallCounts = { encrypt: 0, decrypt: 0, status: 0 };

  /**
   * @param plaintext - DEK to wrap
   * @returns its standard base64 text as bytes
   */
  encrypt(plaintext: Uint8Array): Promise<Uint8Array> {
    this.calls.encrypt++;
    return Promise.resolve(base64Encode(plaintext));
  }

  /**
   * @param ciphertext - base64 text as bytes
   * @returns the decoded bytes
   * @throws AtrestError `ERR_KMS_PLUGIN` (`illegal base64 data at input byte N`), as a rejection
   */
  decrypt(ciphertext: Uint8Array): Promise<Uint8Array> {
    this.calls.decrypt++;
    try {
      return Promise.resolve(decodeOrThrow(ciphertext));
    } catch (err) {
      return Promise.reject(err);
    }
  }
}

/** Options of {@link Base64MockV2}. */
export interface Base64MockV2Options {
  /** Annotations every Encrypt answer carries (upstream's mock sends `local-kek.kms.kubernetes.io`). Default none. */
  readonly annotations?: Readonly<Record<string, Uint8Array>>;
  /** Version Status reports; default `v2`. */
  readonly version?: string;
  /** Healthz Status reports; default `ok`. */
  readonly healthz?: string;
}

/**
 * Upstream's KMS v2 Base64 mock plugin: reports `keyID` in Status and Encrypt, wraps by base64.
 *
 * @example
 * ```ts
 * import { Base64MockV2, kmsV2Provider } from '@atrest/kms';
 * const plugin = new Base64MockV2('key-id-1');
 * const entry = kmsV2Provider('kms2', plugin);
 * plugin.setKeyID('key-id-2'); // rotate the KEK; existing values now read as stale
 * ```
 */
export class Base64MockV2 implements KmsServiceV2 {
  /** Calls made so far. */
  readonly calls: MockCallCounts = { encrypt: 0, decrypt: 0, status: 0 };
  #keyID: string;
  readonly #annotations: Readonly<Record<string, Uint8Array>> | undefined;
  readonly #version: string;
  readonly #healthz: string;

  /**
   * @param keyID - the key ID the plugin reports now
   * @param options - annotations, version, healthz
   */
  constructor(keyID: string, options: Base64MockV2Options = {}) {
    this.#keyID = keyID;
    this.#annotations = options.annotations;
    this.#version = options.version ?? 'v2';
    this.#healthz = options.healthz ?? 'ok';
  }

  /** The key ID the plugin reports now. */
  get keyID(): string {
    return this.#keyID;
  }

  /**
   * Rotate the plugin's key ID (as a real KMS rotating its KEK). Providers notice on their next
   * status refresh.
   * @param keyID - the new key ID
   */
  setKeyID(keyID: string): void {
    this.#keyID = keyID;
  }

  /** @returns version, healthz and the current key ID */
  status(): Promise<KmsStatusV2> {
    this.calls.status++;
    return Promise.resolve({ version: this.#version, healthz: this.#healthz, keyID: this.#keyID });
  }

  /**
   * @param uid - request ID; required, as upstream's mock requires it
   * @param plaintext - DEK or seed to wrap
   * @returns base64 text, the current key ID and the configured annotations
   */
  encrypt(uid: string, plaintext: Uint8Array): Promise<KmsEncryptResponseV2> {
    this.calls.encrypt++;
    if (uid.length === 0) return Promise.reject(new AtrestError(ErrorCode.KmsPlugin, 'uid is required'));
    const annotations = this.#annotations;
    return Promise.resolve({
      ciphertext: base64Encode(plaintext),
      keyID: this.#keyID,
      ...(annotations === undefined ? {} : { annotations: { ...annotations } }),
    });
  }

  /**
   * @param uid - request ID; required
   * @param request - the wrapped DEK or seed (key ID and annotations are ignored, as upstream's mock does)
   * @returns the decoded bytes
   */
  decrypt(uid: string, request: KmsDecryptRequestV2): Promise<Uint8Array> {
    this.calls.decrypt++;
    if (uid.length === 0) return Promise.reject(new AtrestError(ErrorCode.KmsPlugin, 'uid is required'));
    try {
      return Promise.resolve(decodeOrThrow(request.ciphertext));
    } catch (err) {
      return Promise.reject(err);
    }
  }
}
