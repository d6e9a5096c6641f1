/**
 * `@atrest/kube-objects`: decoding of Kubernetes objects as kube-apiserver stores them in etcd
 * (the `k8s\0` protobuf envelope, JSON), with v1 Secret and ConfigMap payloads, for offline audits
 * of decrypted or plaintext values. Read-only, no code generation, typed errors on any garbage.
 *
 * @example
 * ```ts
 * import { decodeObject } from '@atrest/kube-objects';
 * const o = decodeObject(new TextEncoder().encode('{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"},"data":{"pw":"aHVudGVyMg=="}}'));
 * if (o.secret) console.log(o.metadata?.name, Object.keys(o.secret.data)); // db [ 'pw' ]
 * ```
 * @module
 */
export { decodeObject, PROTOBUF_MAGIC, type DecodeOptions } from './decode-object.js';
export { checkObject, decodeObjectSummary, objectTypeMeta, type ObjectSummary, type ObjectTypeMeta } from './decode-summary.js';
export type { ConfigMapPayload, DecodedObject, ObjectEncoding, ObjectMeta, SecretPayload } from './types.js';
