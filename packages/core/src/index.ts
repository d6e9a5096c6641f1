/**
 * `@atrest/core`: the transformer contract, the prefix chain, typed errors, byte helpers and the
 * crypto backends every atrest provider builds on.
 *
 * @example
 * ```ts
 * import { PrefixChain, AtrestError, ErrorCode, utf8, readSync } from '@atrest/core';
 * ```
 * @module
 */
export * from './transformer.js';
export * from './errors.js';
export * from './bytes.js';
export * from './arguments.js';
export * from './prefix-chain.js';
export * from './backend.js';
export * from './secret.js';
export * from './sync.js';
export { nodeBackend } from './backends/node.js';
export { nobleBackend } from './backends/noble.js';
export { nativeBackend, nativeStatus, type NativeStatus } from './backends/native.js';
export * from './seeded-gcm.js';
export * from './output.js';
export * from './batch.js';
export * from './backends/registry.js';
export * from './keyed-provider.js';
