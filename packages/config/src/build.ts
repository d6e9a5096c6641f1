/**
 * Turning one provider element of a configuration into a prefix-chain entry.
 *
 * Secrets are decoded here, with Go's base64 rules, straight from their redacted holders into the
 * provider factories (`aesgcmProvider`, `aescbcProvider`, `secretboxProvider`, `identityProvider`),
 * which check key sizes. Failures name the provider, the key name and the field path, never key
 * bytes. KMS providers are built by a caller-supplied {@link KmsFactory} (atrest's KMS packages
 * provide plugin clients and mocks); without one they are reported as unavailable when a chain
 * that needs them is built.
 *
 * @module
 */
import { AtrestError, ErrorCode, type ChainEntry, type CryptoBackend } from '@atrest/core';
import { aescbcProvider } from '@atrest/aescbc';
import { aesgcmProvider } from '@atrest/aesgcm';
import { identityProvider } from '@atrest/identity';
import { secretboxProvider } from '@atrest/secretbox';
import { tryBase64Decode } from '@atrest/core/go';
import { providerKind, type ProviderSite } from './_plan.js';
import type { KeyConfiguration, KmsProviderConfig } from './types.js';

/** What a {@link KmsFactory} is told besides the provider's settings. */
export interface KmsFactoryContext {
  /** The crypto backend the configuration is loaded with, if one was given. */
  readonly backend?: CryptoBackend;
  /** Field path of the kms provider: `resources[0].providers[1].kms`. */
  readonly field: string;
}

/**
 * Builds the chain entry of one `kms` provider (prefix `k8s:enc:kms:v1:<name>:` or
 * `k8s:enc:kms:v2:<name>:`), e.g. with `kmsV2Provider` from `@atrest/kms`.
 */
export type KmsFactory = (spec: KmsProviderConfig, context: KmsFactoryContext) => ChainEntry;

/** A kms provider that could not be built because no {@link KmsFactory} was given. */
export interface UnavailableProvider {
  readonly unavailable: AtrestError;
}

/** Options of {@link buildProviderEntry}. */
export interface BuildOptions {
  readonly kms?: KmsFactory;
  readonly backend?: CryptoBackend;
}

/**
 * Build the chain entry of one provider element.
 *
 * @param site - the provider element and its field path
 * @param options - crypto backend and kms factory
 * @returns the entry, or an {@link UnavailableProvider} for a kms provider without a factory
 * @throws AtrestError ERR_CONFIG_BUILD (no provider, no keys, nameless key), ERR_INVALID_KEY (bad
 *   base64 or size; context names provider, key and field), or what the kms factory throws
  * @example
 * ```ts
 * import { buildProviderEntry, type ProviderSite } from '@atrest/config';
 * declare const site: ProviderSite;
 * const entry = buildProviderEntry(site, {}); // a ChainEntry, or an UnavailableProvider for kms without a factory
 * ```
 */
export function buildProviderEntry(site: ProviderSite, options: BuildOptions): ChainEntry | UnavailableProvider {
  const kind = providerKind(site);
  const p = site.provider;
  const providerOptions = options.backend === undefined ? {} : { backend: options.backend };
  switch (kind) {
    case 'identity':
      return identityProvider();
    case 'kms': {
      const spec = p.kms as KmsProviderConfig;
      const field = `${site.field}.kms`;
      if (options.kms === undefined) {
        return {
          unavailable: new AtrestError(
            ErrorCode.ProviderUnavailable,
            `KMS provider ${JSON.stringify(spec.name)} (${spec.apiVersion}) is not available: no KMS factory was given`,
            { provider: `kms:${spec.apiVersion}`, plugin: spec.name, field },
          ),
        };
      }
      return options.kms(spec, { ...providerOptions, field });
    }
    default: {
      const keysField = `${site.field}.${kind}.keys`;
      const keys = (p[kind] as { keys: readonly KeyConfiguration[] }).keys;
      if (keys.length === 0) {
        throw new AtrestError(ErrorCode.ConfigBuild, `${kind === 'secretbox' ? 'secretbox' : 'aes'} provider has no valid keys`, {
          provider: kind,
          field: keysField,
        });
      }
      const decoded = keys.map((key, i) => decodeKey(kind, key, `${keysField}[${i}]`));
      try {
        if (kind === 'aesgcm') return aesgcmProvider(decoded, providerOptions);
        if (kind === 'aescbc') return aescbcProvider(decoded, providerOptions);
        return secretboxProvider(decoded, providerOptions);
      } catch (err) {
        // Point at the offending key when the factory named it.
        const named = err instanceof AtrestError ? err.context.key : undefined;
        const index = keys.findIndex((k) => k.name === named);
        throw withField(err, index < 0 ? keysField : `${keysField}[${index}].secret`);
      }
    }
  }
}

function decodeKey(provider: string, key: KeyConfiguration, field: string): { name: string; secret: Uint8Array } {
  if (key.name === '') {
    throw new AtrestError(ErrorCode.ConfigBuild, 'key with invalid name provided', { provider, field: `${field}.name` });
  }
  if (key.secret.length === 0) {
    throw new AtrestError(ErrorCode.ConfigBuild, `key ${key.name} has no provided secret`, {
      provider,
      key: key.name,
      field: `${field}.secret`,
    });
  }
  const secret = tryBase64Decode(key.secret.expose());
  if (secret === undefined) {
    throw new AtrestError(ErrorCode.InvalidKey, 'secrets must be base64 encoded', {
      provider,
      key: key.name,
      field: `${field}.secret`,
    });
  }
  return { name: key.name, secret };
}

function withField(err: unknown, field: string): unknown {
  if (!(err instanceof AtrestError) || err.context.field !== undefined) return err;
  return new AtrestError(err.code, err.message, { ...err.context, field }, { cause: err });
}

/**
 * True when {@link buildProviderEntry} gave an unavailable placeholder.
 * @param item - a built item
  * @example
 * ```ts
 * import { buildProviderEntry, isUnavailable, type ProviderSite } from '@atrest/config';
 * declare const site: ProviderSite;
 * const item = buildProviderEntry(site, {});
 * if (isUnavailable(item)) console.log('kms provider without a plugin');
 * ```
 */
export function isUnavailable(item: ChainEntry | UnavailableProvider): item is UnavailableProvider {
  return 'unavailable' in item;
}
