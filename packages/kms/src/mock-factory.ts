/**
 * Building kms chain entries backed by the Base64 mocks, from the `kms` field of a conformance
 * vector (`test-vectors/upstream/values.json`).
 *
 * A vector's config names kms providers (`name`, `apiVersion`, `cachesize`, an endpoint that does
 * not exist here); its `kms` field says which mock plays each plugin and, for v2, the key ID the
 * plugin reports now. {@link mockKmsFactory} turns that into the `KmsFactory` that
 * `@atrest/config`'s `loadEncryptionConfiguration(text, { kms })` calls once per kms provider.
 *
 * **Testing only**: the Base64 mocks protect nothing.
 *
 * @module
 */
import { AtrestError, type ChainEntry, type CryptoBackend, ErrorCode } from '@atrest/core';
import { Base64MockV1, Base64MockV2 } from './base64-mock.js';
import { kmsV1Provider } from './kms-v1.js';
import { kmsV2Provider } from './kms-v2.js';

/** One element of a vector's `kms` field. */
export interface MockKmsEntry {
  /** Provider name, as in the config. */
  readonly name: string;
  /** `v1` or `v2`. */
  readonly apiVersion: string;
  /** The mock playing the plugin; only `base64` exists. */
  readonly mock: string;
  /** v2: the key ID the plugin reports now. */
  readonly keyID?: string;
}

/** The parts of a kms provider's configuration the factory reads (a subset of `KmsProviderConfig`). */
export interface MockKmsSpec {
  readonly name: string;
  /** Defaults to `v1`, as upstream's config defaulting does. */
  readonly apiVersion?: string;
  /** kms v1 cache size; default 1000. */
  readonly cachesize?: number;
}

/** Options of {@link mockKmsFactory}. */
export interface MockKmsFactoryOptions {
  /** Crypto backend of the providers built; default the one the factory's caller passes, else `defaultBackend()`. */
  readonly backend?: CryptoBackend;
}

/** What a kms factory's caller may pass besides the spec (a subset of `@atrest/config`'s `KmsFactoryContext`). */
export interface MockKmsFactoryContext {
  readonly backend?: CryptoBackend;
}

/**
 * A kms factory whose plugins are the Base64 mocks described by `entries`. One mock per
 * (name, apiVersion) is shared by every provider the factory builds for it.
 *
 * @param entries - a vector's `kms` field
 * @param options - backend
 * @returns `(spec, context?) => ChainEntry`, usable as `@atrest/config`'s `KmsFactory`
 * @throws AtrestError `ERR_INVALID_DATA` for an unknown mock kind; the factory throws
 *   `ERR_PROVIDER_UNAVAILABLE` for a provider `entries` does not describe
 * @example
 * ```ts
 * import { mockKmsFactory } from '@atrest/kms';
 * const kms = mockKmsFactory([{ name: 'kms2', apiVersion: 'v2', mock: 'base64', keyID: 'key-id-1' }]);
 * const entry = kms({ name: 'kms2', apiVersion: 'v2' });
 * entry.name; // 'kms:v2:kms2'
 * ```
 */
export function mockKmsFactory(
  entries: readonly MockKmsEntry[],
  options: MockKmsFactoryOptions = {},
): (spec: MockKmsSpec, context?: MockKmsFactoryContext) => ChainEntry {
  const v1 = new Map<string, Base64MockV1>();
  const v2 = new Map<string, Base64MockV2>();
  for (const e of entries) {
    if (e.mock !== 'base64') {
      throw new AtrestError(ErrorCode.InvalidData, `unknown kms mock "${e.mock}"`, { provider: e.name });
    }
    if (e.apiVersion === 'v1') v1.set(e.name, new Base64MockV1());
    else if (e.apiVersion === 'v2') v2.set(e.name, new Base64MockV2(e.keyID ?? ''));
    else throw new AtrestError(ErrorCode.InvalidData, `unknown kms apiVersion "${e.apiVersion}"`, { provider: e.name });
  }
  return (spec: MockKmsSpec, context?: MockKmsFactoryContext): ChainEntry => {
    const backend = options.backend ?? context?.backend;
    const backendOpt = backend === undefined ? {} : { backend };
    const version = spec.apiVersion ?? 'v1';
    if (version === 'v1') {
      const plugin = v1.get(spec.name);
      if (plugin !== undefined) {
        return kmsV1Provider(spec.name, plugin, {
          ...backendOpt,
          ...(spec.cachesize === undefined ? {} : { cacheSize: spec.cachesize }),
        });
      }
    } else if (version === 'v2') {
      const plugin = v2.get(spec.name);
      if (plugin !== undefined) return kmsV2Provider(spec.name, plugin, backendOpt);
    }
    throw new AtrestError(ErrorCode.ProviderUnavailable, `no mock KMS plugin for kms provider "${spec.name}"`, {
      provider: spec.name,
      apiVersion: version,
    });
  };
}
