/**
 * `@atrest/kms`: the KMS v1 and v2 envelope providers of Kubernetes encryption at rest
 * (`k8s:enc:kms:v1:<name>:`, `k8s:enc:kms:v2:<name>:`), byte-compatible with kube-apiserver; the
 * plugin service interfaces; the KMS v2 `EncryptedObject` codec; and upstream's Base64 mock
 * plugins with a factory for conformance vectors.
 *
 * @example
 * ```ts
 * import { Base64MockV2, kmsV2Provider } from '@atrest/kms';
 * const entry = kmsV2Provider('kms2', new Base64MockV2('key-1'));
 * ```
 * @module
 */
export * from './service.js';
export * from './base64-mock.js';
export * from './encrypted-object.js';
export * from './kms-v1.js';
export * from './kms-v2.js';
export * from './mock-factory.js';
