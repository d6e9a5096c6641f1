/**
 * Loading an EncryptionConfiguration file for a command, with KMS plugins wired in.
 * @module
 */
import { fromUtf8 } from '@atrest/core';
import { loadEncryptionConfiguration, type LoadedEncryptionConfiguration } from '@atrest/config';
import { DEFAULT_MAX_CONFIG_BYTES, readInput } from './_io.js';
import { grpcKmsFactory } from '@atrest/kms-grpc';
import { closeAtEnd } from './_cleanup.js';
import { cliKmsFactory, type RealKmsFactory } from './_kms.js';

/** How a command wants KMS providers resolved. */
export interface KmsWiring {
  /** `--kms-mock NAME=base64[:KEYID]` values: the Base64 mock in place of plugin NAME. */
  readonly mocks?: readonly string[];
  /** Builds providers for real plugins; defaults to gRPC clients of the config's endpoints. */
  readonly real?: RealKmsFactory;
  /** `--max-config-bytes`: the largest config file read (default {@link DEFAULT_MAX_CONFIG_BYTES}). */
  readonly maxBytes?: number;
}

/**
 * Read and load a config file.
 * @param path - the config file
 * @param kms - KMS wiring (mocks, real plugins)
 */
export async function loadConfigFile(path: string, kms: KmsWiring = {}): Promise<LoadedEncryptionConfiguration> {
  const text = fromUtf8(await readInput(path, 'config', kms.maxBytes ?? DEFAULT_MAX_CONFIG_BYTES, '--max-config-bytes'));
  let real = kms.real;
  if (real === undefined) {
    const grpc = grpcKmsFactory();
    closeAtEnd(() => grpc.close());
    real = grpc.create;
  }
  return loadEncryptionConfiguration(text, { source: path, kms: cliKmsFactory(kms.mocks ?? [], real) });
}
