/**
 * `@atrest/aescbc`: the aescbc provider of Kubernetes encryption at rest (`k8s:enc:aescbc:v1:`).
 * Unauthenticated and padding-oracle prone; kept to read and migrate existing data.
 *
 * @example
 * ```ts
 * import { aescbcProvider, aesCbcTransformer, AESCBC_PREFIX } from '@atrest/aescbc';
 * ```
 * @module
 */
export { AESCBC_PREFIX, aescbcProvider, aesCbcTransformer } from './aescbc.js';
export type { ProviderKey, ProviderOptions } from './types.js';
