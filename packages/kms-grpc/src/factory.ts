/**
 * kms providers for `@atrest/config` backed by real plugins over gRPC: the config's `endpoint`,
 * `timeout` and (v1) `cachesize` are honoured. The factory keeps its clients so the caller can
 * close them (open channels keep a Node process alive).
 * @module
 */
import type { ChainEntry } from '@atrest/core';
import { kmsV1Provider, kmsV2Provider } from '@atrest/kms';
import { GrpcKmsServiceV1 } from './client-v1.js';
import { GrpcKmsServiceV2 } from './client-v2.js';

/** The parts of a kms provider's configuration the factory reads (`KmsProviderConfig` of `@atrest/config`). */
export interface GrpcKmsSpec {
  readonly name: string;
  readonly apiVersion: string;
  readonly endpoint: string;
  readonly cachesize?: number;
  readonly timeout?: { readonly milliseconds: number };
}

/** A kms factory plus the means to close what it opened. */
export interface GrpcKmsFactory {
  /** Pass as `loadEncryptionConfiguration(text, { kms: factory.create })`. */
  readonly create: (spec: GrpcKmsSpec, context?: { backend?: import('@atrest/core').CryptoBackend }) => ChainEntry;
  /** Close every client created so far. */
  close(): void;
}

/**
 * A kms factory whose providers call real plugins over gRPC.
 *
 * @example
 * ```ts
 * import { loadEncryptionConfiguration } from '@atrest/config';
 * import { grpcKmsFactory } from '@atrest/kms-grpc';
 * const kms = grpcKmsFactory();
 * const config = loadEncryptionConfiguration('apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources: []\n', { kms: kms.create });
 * kms.close();
 * ```
 */
export function grpcKmsFactory(): GrpcKmsFactory {
  const clients: { close(): void }[] = [];
  return {
    create(spec, context = {}) {
      const options = { name: spec.name, endpoint: spec.endpoint, timeoutMs: spec.timeout?.milliseconds ?? 3000 };
      const backend = context.backend === undefined ? {} : { backend: context.backend };
      if (spec.apiVersion === 'v2') {
        const client = new GrpcKmsServiceV2(options);
        clients.push(client);
        return kmsV2Provider(spec.name, client, backend);
      }
      const client = new GrpcKmsServiceV1(options);
      clients.push(client);
      return kmsV1Provider(spec.name, client, { ...backend, ...(spec.cachesize === undefined ? {} : { cacheSize: spec.cachesize }) });
    },
    close() {
      for (const c of clients.splice(0)) c.close();
    },
  };
}
