/**
 * `@atrest/aesgcm`: the aesgcm provider of Kubernetes encryption at rest (`k8s:enc:aesgcm:v1:`),
 * plus the two AES-GCM data formats KMS v2 uses (counter nonce, HKDF extended nonce).
 *
 * @example
 * ```ts
 * import { aesgcmProvider, aesGcmTransformer, AESGCM_PREFIX } from '@atrest/aesgcm';
 * ```
 * @module
 */
export { AES_NO_MATCHING_KEY, AESGCM_PREFIX, aesgcmProvider, aesGcmTransformer } from './aesgcm.js';
export { aesGcmCounterNonceTransformer } from './counter-nonce.js';
export { aesGcmExtendedNonceTransformer } from './extended-nonce.js';
export type { ProviderKey, ProviderOptions } from './types.js';
