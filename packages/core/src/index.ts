/**
 * `@atrest/core`: the transformer contract, the prefix chain, typed errors, a few byte helpers
 * and the crypto backends every atrest provider builds on. Named exports only: what atrest's own
 * packages share beyond this (the output allocator, the seeded-GCM composer, argument checks,
 * byte helpers) is `@atrest/core/internal`, which may change in any release.
 *
 * @example
 * ```ts
 * import { PrefixChain, AtrestError, ErrorCode, utf8, readSync } from '@atrest/core';
 * ```
 * @module
 */
export { isPromise, type MaybePromise, type ReadResult, type Transformer } from './transformer.js';
export { AtrestAggregateError, AtrestError, ErrorCode, type ErrorContext, reduceErrors, toAtrestError } from './errors.js';
export { constantTimeEqual, fromUtf8, utf8, wipe } from './bytes.js';
export { type ChainEntry, PrefixChain } from './prefix-chain.js';
export { type AesCbcCipher, type AesGcmCipher, type CryptoBackend, hkdfSha256Expand, type SecretboxCipher, type SeededAesGcmCipher } from './backend.js';
export { SecretBytes } from './secret.js';
export { readSync, writeSync } from './sync.js';
export { nativeBackend, nativeStatus, type NativeStatus, nodeBackend } from '#platform';
export { nobleBackend } from './backends/noble.js';
export { type BatchOptions, type BatchOutcome, type BatchReadItem, type BatchWriteItem, readMany, writeMany } from './batch.js';
export { availableBackends, backendNames, defaultBackend, getBackend, setDefaultBackend } from './backends/registry.js';
export { keyedProvider, type KeyedProviderSpec, type ProviderKey, type ProviderOptions } from './keyed-provider.js';
