/**
 * The shapes provider factories take (named keys and options); the same in every provider
 * package, defined once in `@atrest/core`.
 * @module
 */
export type { ProviderKey, ProviderOptions } from '@atrest/core';
