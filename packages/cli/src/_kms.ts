/**
 * How the CLI builds kms providers: the Base64 mock for plugins named with `--kms-mock`, the
 * configured plugin endpoint for all others.
 *
 * `--kms-mock NAME=base64[:KEYID]` puts upstream's Base64 mock plugin (wrapped DEK = base64 text
 * of the DEK) in place of the plugin named NAME; for kms v2 the mock reports KEYID as its current
 * key ID. The mock protects nothing: it exists to read test data and vectors.
 *
 * @module
 */
import { AtrestError, type ChainEntry, ErrorCode } from '@atrest/core';
import type { KmsFactory, KmsFactoryContext, KmsProviderConfig } from '@atrest/config';
import { mockKmsFactory } from '@atrest/kms';
import { UsageError } from './_errors.js';

/** A parsed `--kms-mock` value. */
export interface KmsMockFlag {
  readonly name: string;
  readonly keyID?: string;
}

/**
 * Parse `NAME=base64[:KEYID]`.
 * @throws UsageError for anything else
 */
export function parseKmsMockFlag(flag: string): KmsMockFlag {
  const eq = flag.indexOf('=');
  const name = eq < 0 ? '' : flag.slice(0, eq);
  const rest = eq < 0 ? '' : flag.slice(eq + 1);
  const colon = rest.indexOf(':');
  const mock = colon < 0 ? rest : rest.slice(0, colon);
  if (name === '' || mock !== 'base64') {
    throw new UsageError(`--kms-mock takes NAME=base64[:KEYID], got "${flag}"`);
  }
  return colon < 0 ? { name } : { name, keyID: rest.slice(colon + 1) };
}

/** Builds the entry of a kms provider nobody mocked (a real plugin); set by the gRPC wiring. */
export type RealKmsFactory = (spec: KmsProviderConfig, context: KmsFactoryContext) => ChainEntry;

/**
 * The KmsFactory for a command.
 * @param mockFlags - `--kms-mock` values
 * @param real - builds providers for real plugins (gRPC); when absent, unmocked kms providers are unavailable
 */
export function cliKmsFactory(mockFlags: readonly string[], real?: RealKmsFactory): KmsFactory {
  const mocks = new Map<string, KmsMockFlag>();
  for (const f of mockFlags) {
    const m = parseKmsMockFlag(f);
    mocks.set(m.name, m);
  }
  return (spec, context) => {
    const mock = mocks.get(spec.name);
    if (mock) {
      const entries = [{ name: spec.name, apiVersion: spec.apiVersion, mock: 'base64', ...(mock.keyID === undefined ? {} : { keyID: mock.keyID }) }];
      return mockKmsFactory(entries, context.backend ? { backend: context.backend } : {})(spec, context);
    }
    if (real) return real(spec, context);
    throw new AtrestError(
      ErrorCode.ProviderUnavailable,
      `kms provider "${spec.name}" has no plugin: pass --kms-mock ${spec.name}=base64[:KEYID] or run its plugin at ${spec.endpoint}`,
      { plugin: spec.name, endpoint: spec.endpoint, field: context.field },
    );
  };
}
