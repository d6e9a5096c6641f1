/**
 * Upstream's v1 defaults for `EncryptionConfiguration` (`SetDefaults_KMSConfiguration`).
 *
 * Only kms providers have defaults: `apiVersion` `v1` when empty, `timeout` 3s when absent, and
 * `cachesize` 1000 when absent **and** the version is v1 (v2 has no DEK cache setting, and
 * validation refuses a cachesize on any other version). They are applied by
 * {@link parseEncryptionConfiguration}, before validation, as kube-apiserver does.
 *
 * @module
 */
import { GoDuration } from './duration.js';

/** KMS API version assumed when `kms.apiVersion` is empty. */
export const DEFAULT_KMS_API_VERSION = 'v1';
/** `kms.timeout` when absent: 3 seconds. */
export const DEFAULT_KMS_TIMEOUT: GoDuration = new GoDuration(3_000_000_000n);
/** `kms.cachesize` when absent, for kms v1 only. */
export const DEFAULT_KMS_V1_CACHE_SIZE = 1000;

/** A kms provider as decoded, before defaults. */
export interface KmsProviderFields {
  readonly apiVersion: string;
  readonly name: string;
  readonly endpoint: string;
  readonly cachesize: number | undefined;
  readonly timeout: GoDuration | undefined;
}

/**
 * Apply upstream's defaults to a decoded kms provider.
 *
 * @param kms - the fields as decoded (empty string / undefined where the file had nothing)
 * @returns the fields with defaults filled in
 * @example
 * ```ts
 * import { applyKmsDefaults } from '@atrest/config';
 * applyKmsDefaults({ apiVersion: '', name: 'k', endpoint: 'unix:///k.sock', cachesize: undefined, timeout: undefined });
 * // { apiVersion: 'v1', cachesize: 1000, timeout: 3s, ... }
 * ```
 */
export function applyKmsDefaults(kms: KmsProviderFields): {
  apiVersion: string;
  name: string;
  endpoint: string;
  cachesize?: number;
  timeout: GoDuration;
} {
  const apiVersion = kms.apiVersion === '' ? DEFAULT_KMS_API_VERSION : kms.apiVersion;
  const cachesize =
    kms.cachesize === undefined && apiVersion === 'v1' ? DEFAULT_KMS_V1_CACHE_SIZE : kms.cachesize;
  return {
    apiVersion,
    name: kms.name,
    endpoint: kms.endpoint,
    ...(cachesize === undefined ? {} : { cachesize }),
    timeout: kms.timeout ?? DEFAULT_KMS_TIMEOUT,
  };
}
