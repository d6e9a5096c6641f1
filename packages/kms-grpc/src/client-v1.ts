/**
 * A KMS v1 plugin over gRPC (`v1beta1.KeyManagementService`: Version, Encrypt, Decrypt). Before
 * the first Encrypt or Decrypt the client asks Version and requires `v1beta1`, as kube-apiserver
 * does; every request carries `version: v1beta1`.
 * @module
 */
import type { Client } from '@grpc/grpc-js';
import type { KmsServiceV1 } from '@atrest/kms';
import { type CallSite, invalidResponse, unaryCall } from './_call.js';
import { openChannel } from './_channel.js';
import { kmsServiceV1beta1, V1BETA1 } from './_proto.js';
import type { GrpcKmsOptions } from './client-v2.js';
import { parseKmsEndpoint } from './endpoint.js';

/**
 * The gRPC client of a KMS v1 (v1beta1 API) plugin.
 *
 * @example
 * ```ts
 * import { GrpcKmsServiceV1 } from '@atrest/kms-grpc';
 * import { kmsV1Provider } from '@atrest/kms';
 * const plugin = new GrpcKmsServiceV1({ name: 'legacy', endpoint: 'unix:///var/run/kms-v1.sock' });
 * const entry = kmsV1Provider('legacy', plugin, { cacheSize: 1000 });
 * ```
 */
export class GrpcKmsServiceV1 implements KmsServiceV1 {
  readonly #client: Client;
  readonly #site: CallSite;
  #versionChecked: Promise<void> | undefined;

  /**
   * @param options - name, endpoint, timeout
   * @throws AtrestError `ERR_INVALID_ARGUMENT` for a malformed endpoint
   */
  constructor(options: GrpcKmsOptions) {
    const endpoint = parseKmsEndpoint(options.endpoint);
    this.#site = { plugin: options.name, endpoint: options.endpoint, timeoutMs: options.timeoutMs ?? 3000 };
    this.#client = openChannel(endpoint);
  }

  /** Ask the plugin's API version; must be `v1beta1`. */
  async version(): Promise<{ version: string; runtimeName: string; runtimeVersion: string }> {
    const r = await unaryCall(this.#client, this.#site, 'Version', kmsServiceV1beta1.Version, { version: V1BETA1 });
    const version = String(r['version'] ?? '');
    if (version !== V1BETA1) throw invalidResponse(this.#site, 'Version', `API version "${version}", expected "${V1BETA1}"`);
    return { version, runtimeName: String(r['runtimeName'] ?? ''), runtimeVersion: String(r['runtimeVersion'] ?? '') };
  }

  #ready(): Promise<void> {
    // Checked once per client; a failed check is retried on the next call.
    this.#versionChecked ??= this.version().then(
      () => undefined,
      (err: unknown) => {
        this.#versionChecked = undefined;
        throw err;
      },
    );
    return this.#versionChecked;
  }

  /** {@inheritDoc @atrest/kms#KmsServiceV1.encrypt} */
  encrypt(plaintext: Uint8Array): Promise<Uint8Array> {
    return this.#bytesCall('Encrypt', 'plain', plaintext, 'cipher');
  }

  /** {@inheritDoc @atrest/kms#KmsServiceV1.decrypt} */
  decrypt(ciphertext: Uint8Array): Promise<Uint8Array> {
    return this.#bytesCall('Decrypt', 'cipher', ciphertext, 'plain');
  }

  /** One v1beta1 call that sends bytes in field `send` and must answer non-empty bytes in `answer`. */
  async #bytesCall(method: 'Encrypt' | 'Decrypt', send: 'plain' | 'cipher', bytes: Uint8Array, answer: 'plain' | 'cipher'): Promise<Uint8Array> {
    await this.#ready();
    const r = await unaryCall(this.#client, this.#site, method, kmsServiceV1beta1[method], { version: V1BETA1, [send]: bytes });
    const out = r[answer];
    if (!(out instanceof Uint8Array) || out.length === 0) throw invalidResponse(this.#site, method, `${answer} is empty`);
    return out;
  }

  /** Close the channel. */
  close(): void {
    this.#client.close();
  }
}
