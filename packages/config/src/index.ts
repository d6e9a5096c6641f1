/**
 * `@atrest/config`: kube-apiserver's `EncryptionConfiguration` (`apiserver.config.k8s.io/v1`)
 * parsed strictly, validated exactly as upstream validates it, resolved to per-resource read
 * chains, and loaded into working transformers.
 *
 * @example
 * ```ts
 * import { loadEncryptionConfiguration, resolveChain } from '@atrest/config';
 * import { readFileSync } from 'node:fs';
 * const yamlText = readFileSync('/etc/kubernetes/enc.yaml', 'utf8');
 * const loaded = loadEncryptionConfiguration(yamlText, { source: '/etc/kubernetes/enc.yaml' });
 * resolveChain(loaded.config, 'secrets'); // ['aesgcm:key1', 'identity']
 * const t = loaded.transformerForResource('secrets');
 * ```
 * @module
 */
export * from './types.js';
export { GoDuration, parseGoDuration, formatGoDuration } from './duration.js';
export * from './defaults.js';
export { parseEncryptionConfiguration, type ParseOptions } from './parse.js';
export { validateEncryptionConfiguration, type ValidateOptions } from './validate.js';
export {
  parseGroupResource,
  formatGroupResource,
  groupResourceKey,
  ANY_GROUP_ANY_RESOURCE,
  type GroupResource,
} from './group-resource.js';
export { resolveChain, providerEntryNames } from './resolve.js';
export type { ProviderSite } from './_plan.js';
export {
  buildProviderEntry,
  isUnavailable,
  type KmsFactory,
  type KmsFactoryContext,
  type UnavailableProvider,
  type BuildOptions,
} from './build.js';
export { ConfigValidationError } from './errors.js';
export {
  loadEncryptionConfiguration,
  type LoadOptions,
  type LoadedEncryptionConfiguration,
  type ConfiguredResource,
} from './load.js';
export { configWarnings, type ConfigWarning, type ConfigWarningKind } from './warnings.js';
export { configHash, configHashHex, CONFIG_HASH_PREFIX } from './config-hash.js';
