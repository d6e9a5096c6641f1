/**
 * Loading an EncryptionConfiguration file for a command, with KMS plugins wired in.
 * @module
 */
import { fromUtf8 } from '@atrest/core';
import { type EncryptionConfiguration, loadEncryptionConfiguration, type LoadedEncryptionConfiguration, parseEncryptionConfiguration } from '@atrest/config';
import { byteLimit, DEFAULT_MAX_CONFIG_BYTES, readInput } from './_io.js';
import { required } from './_args.js';
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
  if (real === undefined && hasKmsProvider(text)) {
    // The gRPC client (and @grpc/grpc-js) loads only for a config that names a KMS plugin.
    const { grpcKmsFactory } = await import('@atrest/kms-grpc');
    const grpc = grpcKmsFactory();
    closeAtEnd(() => grpc.close());
    real = grpc.create;
  }
  return loadEncryptionConfiguration(text, { source: path, kms: cliKmsFactory(kms.mocks ?? [], real) });
}

/**
 * Whether a config names any kms provider. A config that does not parse answers true, so that
 * loading it reports the parse error with everything wired exactly as for a valid config.
 */
function hasKmsProvider(text: string): boolean {
  let config: EncryptionConfiguration;
  try {
    config = parseEncryptionConfiguration(text);
  } catch {
    return true;
  }
  return config.resources.some((r) => r.providers.some((p) => p.kms !== undefined));
}

/** The flags of every command that reads a config: `--config`, `--kms-mock` (repeatable), `--max-config-bytes`. */
export const CONFIG_FLAGS = {
  config: { type: 'string' },
  'kms-mock': { type: 'string', multiple: true },
  'max-config-bytes': { type: 'string' },
} as const;

/** What {@link CONFIG_FLAGS} parse to. */
export interface ConfigFlagValues {
  readonly config?: string;
  readonly 'kms-mock'?: string[];
  readonly 'max-config-bytes'?: string;
}

/** The KMS wiring `--kms-mock` and `--max-config-bytes` ask for. */
export function wiringOf(values: ConfigFlagValues): KmsWiring {
  return { mocks: values['kms-mock'] ?? [], maxBytes: byteLimit(values['max-config-bytes'], '--max-config-bytes', DEFAULT_MAX_CONFIG_BYTES) };
}

/** Load the config `--config` names (a usage error when it is missing), wired as the flags say. */
export function loadConfigFlags(values: ConfigFlagValues): Promise<LoadedEncryptionConfiguration> {
  return loadConfigFile(required(values.config, 'config'), wiringOf(values));
}
