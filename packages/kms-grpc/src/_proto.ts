/**
 * The KMS plugin gRPC APIs, `v1beta1.KeyManagementService` and `v2.KeyManagementService`, as
 * protobufjs reflection types (field numbers from k8s.io/kms `apis/v1beta1/api.proto` and
 * `apis/v2/api.proto`) and grpc-js method definitions whose (de)serializers are those types.
 * No code generation and no proto-loader: the schema is the JSON below.
 *
 * @module
 */
import type { MethodDefinition } from '@grpc/grpc-js';
import protobuf from 'protobufjs';

const schema = {
  nested: {
    v1beta1: {
      nested: {
        VersionRequest: { fields: { version: { type: 'string', id: 1 } } },
        VersionResponse: {
          fields: {
            version: { type: 'string', id: 1 },
            runtimeName: { type: 'string', id: 2 },
            runtimeVersion: { type: 'string', id: 3 },
          },
        },
        DecryptRequest: { fields: { version: { type: 'string', id: 1 }, cipher: { type: 'bytes', id: 2 } } },
        DecryptResponse: { fields: { plain: { type: 'bytes', id: 1 } } },
        EncryptRequest: { fields: { version: { type: 'string', id: 1 }, plain: { type: 'bytes', id: 2 } } },
        EncryptResponse: { fields: { cipher: { type: 'bytes', id: 1 } } },
      },
    },
    v2: {
      nested: {
        StatusRequest: { fields: {} },
        StatusResponse: {
          fields: {
            version: { type: 'string', id: 1 },
            healthz: { type: 'string', id: 2 },
            keyId: { type: 'string', id: 3 },
          },
        },
        DecryptRequest: {
          fields: {
            ciphertext: { type: 'bytes', id: 1 },
            uid: { type: 'string', id: 2 },
            keyId: { type: 'string', id: 3 },
            annotations: { keyType: 'string', type: 'bytes', id: 4 },
          },
        },
        DecryptResponse: { fields: { plaintext: { type: 'bytes', id: 1 } } },
        EncryptRequest: { fields: { plaintext: { type: 'bytes', id: 1 }, uid: { type: 'string', id: 2 } } },
        EncryptResponse: {
          fields: {
            ciphertext: { type: 'bytes', id: 1 },
            keyId: { type: 'string', id: 2 },
            annotations: { keyType: 'string', type: 'bytes', id: 3 },
          },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(schema);

/** Plain-object message shapes (protobufjs `toObject` with bytes as Uint8Array, defaults filled). */
export type Message = Record<string, unknown>;

function method(pkg: 'v1beta1' | 'v2', name: string, request: string, response: string): MethodDefinition<Message, Message> {
  const req = root.lookupType(`${pkg}.${request}`);
  const res = root.lookupType(`${pkg}.${response}`);
  const toObject = { defaults: true, bytes: Uint8Array as unknown as ArrayConstructor, longs: Number };
  return {
    path: `/${pkg}.KeyManagementService/${name}`,
    requestStream: false,
    responseStream: false,
    requestSerialize: (m: Message) => Buffer.from(req.encode(req.fromObject(m)).finish()),
    requestDeserialize: (b: Buffer) => req.toObject(req.decode(b), toObject),
    responseSerialize: (m: Message) => Buffer.from(res.encode(res.fromObject(m)).finish()),
    responseDeserialize: (b: Buffer) => res.toObject(res.decode(b), toObject),
  };
}

/** `v1beta1.KeyManagementService`: Version, Decrypt, Encrypt. */
export const kmsServiceV1beta1 = {
  Version: method('v1beta1', 'Version', 'VersionRequest', 'VersionResponse'),
  Decrypt: method('v1beta1', 'Decrypt', 'DecryptRequest', 'DecryptResponse'),
  Encrypt: method('v1beta1', 'Encrypt', 'EncryptRequest', 'EncryptResponse'),
} as const;

/** `v2.KeyManagementService`: Status, Decrypt, Encrypt. */
export const kmsServiceV2 = {
  Status: method('v2', 'Status', 'StatusRequest', 'StatusResponse'),
  Decrypt: method('v2', 'Decrypt', 'DecryptRequest', 'DecryptResponse'),
  Encrypt: method('v2', 'Encrypt', 'EncryptRequest', 'EncryptResponse'),
} as const;

/** The version string v1beta1 requests carry and Version answers. */
export const V1BETA1 = 'v1beta1';
