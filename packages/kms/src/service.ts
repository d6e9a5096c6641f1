/**
 * The KMS plugin service interfaces, as kube-apiserver sees a plugin (k8s.io/kms `service`).
 *
 * A provider talks to its plugin only through these interfaces. Implementations: the Base64 mock
 * ({@link Base64MockV1}, {@link Base64MockV2}; used by the conformance vectors), the gRPC client in
 * `@atrest/kms-grpc`, and anything a user writes (an in-process HSM binding, a test double).
 *
 * @module
 */

/** KMS v1 (API `v1beta1`): wraps and unwraps DEKs. */
export interface KmsServiceV1 {
  /** Wrap a DEK. */
  encrypt(plaintext: Uint8Array): Promise<Uint8Array>;
  /** Unwrap a DEK. */
  decrypt(ciphertext: Uint8Array): Promise<Uint8Array>;
}

/** What a KMS v2 plugin says about itself (`StatusResponse`). */
export interface KmsStatusV2 {
  /** Plugin API version; must be `v2` (or `v2beta1` for older plugins). */
  readonly version: string;
  /** `ok` when healthy. */
  readonly healthz: string;
  /** The key ID the plugin encrypts with now; 1..1024 bytes. */
  readonly keyID: string;
}

/** A KMS v2 wrap result (`EncryptResponse`). */
export interface KmsEncryptResponseV2 {
  readonly ciphertext: Uint8Array;
  readonly keyID: string;
  readonly annotations?: Readonly<Record<string, Uint8Array>>;
}

/** A KMS v2 unwrap request (`DecryptRequest`). */
export interface KmsDecryptRequestV2 {
  readonly ciphertext: Uint8Array;
  readonly keyID: string;
  readonly annotations?: Readonly<Record<string, Uint8Array>>;
}

/** KMS v2: wraps and unwraps DEKs or seeds, and reports its current key ID. */
export interface KmsServiceV2 {
  /** Health, version and current key ID. */
  status(): Promise<KmsStatusV2>;
  /**
   * Wrap a DEK or seed.
   * @param uid - a per-request ID for the plugin's logs
   */
  encrypt(uid: string, plaintext: Uint8Array): Promise<KmsEncryptResponseV2>;
  /**
   * Unwrap a DEK or seed.
   * @param uid - a per-request ID for the plugin's logs
   */
  decrypt(uid: string, request: KmsDecryptRequestV2): Promise<Uint8Array>;
}
