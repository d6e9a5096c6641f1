/**
 * `@atrest/secretbox`: the secretbox provider of Kubernetes encryption at rest
 * (`k8s:enc:secretbox:v1:`, XSalsa20-Poly1305).
 *
 * @example
 * ```ts
 * import { secretboxProvider, secretboxTransformer, SECRETBOX_PREFIX } from '@atrest/secretbox';
 * ```
 * @module
 */
export { SECRETBOX_PREFIX, secretboxProvider, secretboxTransformer } from './secretbox.js';
export type { ProviderKey, ProviderOptions } from './types.js';
