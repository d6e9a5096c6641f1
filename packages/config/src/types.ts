/**
 * The `EncryptionConfiguration` types (`apiserver.config.k8s.io/v1`), as atrest holds them.
 *
 * They mirror upstream's v1 Go types field for field (same JSON names: `cachesize` is lower case,
 * `apiVersion` inside `kms` is the KMS API version). Two differences, both for safety:
 *
 * - each key's `secret` is a {@link SecretBytes} holding the UTF-8 bytes of the base64 text, so
 *   a parsed configuration printed with `console.log`, `JSON.stringify` or `String()` shows
 *   lengths only;
 * - `timeout` is a {@link GoDuration}, which keeps Go's nanosecond precision and prints as Go does.
 *
 * Parsed configurations are deeply frozen.
 *
 * @module
 */
import type { SecretBytes } from '@atrest/core';
import type { GoDuration } from './duration.js';

/** The only `apiVersion` an EncryptionConfiguration file may have. */
export const ENCRYPTION_CONFIGURATION_API_VERSION = 'apiserver.config.k8s.io/v1';
/** The only `kind` an EncryptionConfiguration file may have. */
export const ENCRYPTION_CONFIGURATION_KIND = 'EncryptionConfiguration';

/** A whole configuration file. */
export interface EncryptionConfiguration {
  readonly apiVersion: typeof ENCRYPTION_CONFIGURATION_API_VERSION;
  readonly kind: typeof ENCRYPTION_CONFIGURATION_KIND;
  /** The rules, in file order (earlier rules take precedence in masking checks). */
  readonly resources: readonly ResourceConfiguration[];
}

/** One rule: which resources, and the providers (read chain, first one writes) for them. */
export interface ResourceConfiguration {
  /** Group-resources: `secrets`, `deployments.apps`, `*.apps`, `*.` (core group), `*.*`. */
  readonly resources: readonly string[];
  /** Providers in chain order. */
  readonly providers: readonly ProviderConfiguration[];
}

/**
 * One provider element. Exactly one member should be set (validation reports otherwise).
 */
export interface ProviderConfiguration {
  readonly aesgcm?: AesConfiguration;
  readonly aescbc?: AesConfiguration;
  readonly secretbox?: SecretboxConfiguration;
  readonly identity?: IdentityConfiguration;
  readonly kms?: KmsProviderConfig;
}

/** `aesgcm` / `aescbc` settings. */
export interface AesConfiguration {
  readonly keys: readonly KeyConfiguration[];
}

/** `secretbox` settings. */
export interface SecretboxConfiguration {
  readonly keys: readonly KeyConfiguration[];
}

/** `identity: {}`: no settings. */
export type IdentityConfiguration = Readonly<Record<string, never>>;

/** A named key. */
export interface KeyConfiguration {
  /** The key name, written into every value the key encrypts (`k8s:enc:aesgcm:v1:<name>:`). */
  readonly name: string;
  /** UTF-8 bytes of the base64 text from the file (not yet decoded); redacted when printed. */
  readonly secret: SecretBytes;
}

/**
 * A `kms` provider. Defaults are applied at parse time as upstream's v1 defaulting does:
 * `apiVersion` `v1`, `timeout` 3s, and `cachesize` 1000 for v1 only.
 */
export interface KmsProviderConfig {
  /** KMS API version: `v1` or `v2` (anything else fails validation). */
  readonly apiVersion: string;
  /** Plugin name; part of the stored prefix `k8s:enc:kms:<version>:<name>:`. */
  readonly name: string;
  /** Plugin endpoint, `unix:///path/to/socket`. */
  readonly endpoint: string;
  /** v1 only: how many decrypted DEKs to cache; negative disables the cache. */
  readonly cachesize?: number;
  /** Deadline for each plugin call. */
  readonly timeout: GoDuration;
}

/** Upstream's name for {@link KmsProviderConfig}. */
export type KmsConfiguration = KmsProviderConfig;

/** One validation finding, as upstream's `field.Error` (without the Go-rendered value). */
export interface FieldIssue {
  /** Field path: `resources[0].providers[1].aesgcm.keys[0].secret`. */
  readonly field: string;
  /** `Invalid` (FieldValueInvalid) or `Required` (FieldValueRequired). */
  readonly type: 'Invalid' | 'Required';
  /** Upstream's detail message, verbatim. */
  readonly detail: string;
}
