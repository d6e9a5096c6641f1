/**
 * A KMS v2 plugin over gRPC (`v2.KeyManagementService`: Status, Encrypt, Decrypt), as
 * kube-apiserver calls it: one deadline per call (the config's `timeout`), a `uid` per request,
 * `key_id` and annotations passed through. Answers are checked before use: a `key_id` must be
 * 1..1024 bytes, a ciphertext or plaintext must not be empty.
 * @module
 */
import type { Client } from '@grpc/grpc-js';
import { utf8 } from '@atrest/core';
import type { KmsDecryptRequestV2, KmsEncryptResponseV2, KmsServiceV2, KmsStatusV2 } from '@atrest/kms';
import { type CallSite, invalidResponse, unaryCall } from './_call.js';
import { openChannel } from './_channel.js';
import { kmsServiceV2, type Message } from './_proto.js';
import { parseKmsEndpoint } from './endpoint.js';

/** Where and how to reach a plugin. */
export interface GrpcKmsOptions {
  /** The provider name from the config (for messages). */
  readonly name: string;
  /** `unix:///path` or `unix:///@name`. */
  readonly endpoint: string;
  /** Deadline of each call in milliseconds (the config's `timeout`, default 3000). */
  readonly timeoutMs?: number;
}

const MAX_KEY_ID = 1024;

function checkKeyID(site: CallSite, call: string, keyID: unknown): string {
  if (typeof keyID !== 'string' || keyID.length === 0) throw invalidResponse(site, call, 'key_id is empty');
  const n = utf8(keyID).length;
  if (n > MAX_KEY_ID) throw invalidResponse(site, call, `key_id is ${n} bytes, more than ${MAX_KEY_ID}`);
  return keyID;
}

function bytes(site: CallSite, call: string, field: string, v: unknown): Uint8Array {
  if (!(v instanceof Uint8Array) || v.length === 0) throw invalidResponse(site, call, `${field} is empty`);
  return v;
}

function annotations(v: unknown): Record<string, Uint8Array> | undefined {
  if (v === null || typeof v !== 'object') return undefined;
  const entries = Object.entries(v as Record<string, unknown>).filter((e): e is [string, Uint8Array] => e[1] instanceof Uint8Array);
  return entries.length === 0 ? undefined : Object.fromEntries(entries);
}

/**
 * The gRPC client of a KMS v2 plugin.
 *
 * @example
 * ```ts
 * import { GrpcKmsServiceV2 } from '@atrest/kms-grpc';
 * import { kmsV2Provider } from '@atrest/kms';
 * const plugin = new GrpcKmsServiceV2({ name: 'my-kms', endpoint: 'unix:///var/run/kms.sock', timeoutMs: 3000 });
 * const entry = kmsV2Provider('my-kms', plugin);
 * // ... use entry in a chain; then:
 * plugin.close();
 * ```
 */
export class GrpcKmsServiceV2 implements KmsServiceV2 {
  readonly #client: Client;
  readonly #site: CallSite;

  /**
   * @param options - name, endpoint, timeout
   * @throws AtrestError `ERR_INVALID_ARGUMENT` for a malformed endpoint
   */
  constructor(options: GrpcKmsOptions) {
    const endpoint = parseKmsEndpoint(options.endpoint);
    this.#site = { plugin: options.name, endpoint: options.endpoint, timeoutMs: options.timeoutMs ?? 3000 };
    this.#client = openChannel(endpoint);
  }

  /** {@inheritDoc @atrest/kms#KmsServiceV2.status} */
  async status(): Promise<KmsStatusV2> {
    const r = await unaryCall(this.#client, this.#site, 'Status', kmsServiceV2.Status, {});
    return {
      version: String(r['version'] ?? ''),
      healthz: String(r['healthz'] ?? ''),
      keyID: checkKeyID(this.#site, 'Status', r['keyId']),
    };
  }

  /** {@inheritDoc @atrest/kms#KmsServiceV2.encrypt} */
  async encrypt(uid: string, plaintext: Uint8Array): Promise<KmsEncryptResponseV2> {
    const r = await unaryCall(this.#client, this.#site, 'Encrypt', kmsServiceV2.Encrypt, { plaintext, uid });
    const a = annotations(r['annotations']);
    return {
      ciphertext: bytes(this.#site, 'Encrypt', 'ciphertext', r['ciphertext']),
      keyID: checkKeyID(this.#site, 'Encrypt', r['keyId']),
      ...(a === undefined ? {} : { annotations: a }),
    };
  }

  /** {@inheritDoc @atrest/kms#KmsServiceV2.decrypt} */
  async decrypt(uid: string, request: KmsDecryptRequestV2): Promise<Uint8Array> {
    const msg: Message = { ciphertext: request.ciphertext, uid, keyId: request.keyID, annotations: { ...(request.annotations ?? {}) } };
    const r = await unaryCall(this.#client, this.#site, 'Decrypt', kmsServiceV2.Decrypt, msg);
    return bytes(this.#site, 'Decrypt', 'plaintext', r['plaintext']);
  }

  /** Close the channel. Calls after this fail. */
  close(): void {
    this.#client.close();
  }
}
