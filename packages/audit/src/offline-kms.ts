/**
 * kms providers for an auditor with no plugin at hand: the providers exist (so the chain, its
 * prefixes and stale rules are upstream's), but every plugin call fails with a clear error. KMS
 * values then classify as undecryptable while their envelope (plugin, keyID, DEK source type)
 * is still inventoried, and every other provider in the chain works as usual.
 * @module
 */
import { AtrestError, type ChainEntry, type CryptoBackend, ErrorCode } from '@atrest/core';
import { kmsV1Provider, kmsV2Provider, type KmsServiceV1, type KmsServiceV2 } from '@atrest/kms';

function unavailable(name: string): AtrestError {
  return new AtrestError(ErrorCode.KmsPlugin, `kms plugin "${name}" is not available to this offline audit`, { plugin: name });
}

/**
 * A KmsFactory whose plugins are all unreachable.
 *
 * @example
 * ```ts
 * import { offlineKmsFactory } from '@atrest/audit';
 * import { loadEncryptionConfiguration } from '@atrest/config';
 * declare const configYaml: string;
 * const config = loadEncryptionConfiguration(configYaml, { kms: offlineKmsFactory() });
 * ```
 */
export function offlineKmsFactory(): (spec: { name: string; apiVersion: string }, context?: { backend?: CryptoBackend }) => ChainEntry {
  return (spec, context = {}) => {
    const backend = context.backend === undefined ? {} : { backend: context.backend };
    const fail = async (): Promise<never> => {
      throw unavailable(spec.name);
    };
    if (spec.apiVersion === 'v2') {
      const service: KmsServiceV2 = { status: fail, encrypt: fail, decrypt: fail };
      return kmsV2Provider(spec.name, service, backend);
    }
    const service: KmsServiceV1 = { encrypt: fail, decrypt: fail };
    return kmsV1Provider(spec.name, service, backend);
  };
}
