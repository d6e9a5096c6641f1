/**
 * Test helpers shared across atrest packages (private, not published): a real etcd on 127.0.0.1
 * (one member with optional TLS and auth, or a cluster), throw-away TLS material, a bbolt file
 * builder, crafted Kubernetes protobuf objects and the reference KMS plugin as a process. The
 * provider packages' test kit is the subpath `@atrest/test-support/provider-kit` (it imports
 * vitest).
 * @module
 */
export { freePort, haveEtcd, startEtcd, startEtcdCluster, type EtcdCluster, type EtcdServer, type StartEtcdOptions } from './etcd-server.js';
export { haveOpenssl, makeTlsMaterial, type TlsMaterial } from './tls.js';
export { buildBolt, leafSpan, type LeafItem, type PageSpec } from './bolt-builder.js';
export { entry, envelope, message, type Field } from './kube-craft.js';
export { kek, startKmsPlugin, stopKmsPlugin } from './kms-plugin.js';
export { CBC1, etcdRevision, GCM2, IDENTITY, kmsV2, reportBody, secretsConfig, testKey } from './configs.js';
