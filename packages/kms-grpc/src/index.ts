/**
 * `@atrest/kms-grpc`: talking to real KMS plugins over gRPC on unix sockets (KMS API `v1beta1`
 * and `v2`), and atrest's reference KMS v2 plugin server.
 *
 * @example
 * ```ts
 * import { grpcKmsFactory, startReferencePlugin } from '@atrest/kms-grpc';
 * ```
 * @module
 */
export { parseKmsEndpoint, type KmsEndpoint } from './endpoint.js';
export { GrpcKmsServiceV2, type GrpcKmsOptions } from './client-v2.js';
export { GrpcKmsServiceV1 } from './client-v1.js';
export { grpcKmsFactory, type GrpcKmsFactory, type GrpcKmsSpec } from './factory.js';
export { parseKekFile, type Kek } from './kek-file.js';
export { startReferencePlugin, type ReferencePlugin, type ReferencePluginOptions } from './plugin-server.js';
export { kmsServiceV1beta1, kmsServiceV2 } from './_proto.js';
