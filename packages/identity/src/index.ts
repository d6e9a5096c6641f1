/**
 * `@atrest/identity`: the identity (plaintext) provider of Kubernetes encryption at rest.
 *
 * @example
 * ```ts
 * import { identity, identityProvider } from '@atrest/identity';
 * ```
 * @module
 */
export { identity, identityProvider } from './identity.js';
