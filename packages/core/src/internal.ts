/**
 * `@atrest/core/internal`: what atrest's own packages share beyond the public API: the output
 * allocator (pooled result memory), the seeded AES-GCM composer of KMS v2, the run-time argument
 * checks every transformer entry point makes, and small byte helpers. Not public API: it may
 * change in any release.
 *
 * @example
 * ```ts
 * import { allocOutput, checkReadArguments } from '@atrest/core/internal';
 * const out = allocOutput('plaintext', 16);
 * checkReadArguments(new Uint8Array(0), 0, new Uint8Array(0));
 * out.length; // 16
 * ```
 * @module
 */
export { checkBytes, checkOffset, checkOut, checkReadArguments, checkWriteArguments, copyInto } from './arguments.js';
export { concatBytes, copyBytes, hasPrefix, hasPrefixAt } from './bytes.js';
export { allocOutput, type OutputKind, POOLED_MAX, setOutputPooling } from './output.js';
export { composeSeededAesGcm } from './seeded-gcm.js';
export { checkAesKey, checkKey, LocalTransformer, type LocalTransformerClass, localProvider, localTransformer, type ProviderLabel } from './local-transformer.js';
