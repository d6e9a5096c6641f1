/**
 * The shapes {@link decodeObject} returns. Maps are null-prototype records (a key such as
 * `__proto__` is an ordinary key); binary values are `Uint8Array`.
 *
 * @module
 */

/** The parts of `metav1.ObjectMeta` an audit needs (ownerReferences and managedFields are skipped). */
export interface ObjectMeta {
  readonly name: string;
  readonly generateName: string;
  readonly namespace: string;
  readonly selfLink: string;
  readonly uid: string;
  readonly resourceVersion: string;
  /** `metadata.generation`, 0 when absent. */
  readonly generation: number;
  /** RFC 3339 in UTC with seconds precision, as Kubernetes renders it (`2025-03-03T09:24:31Z`); null when unset. */
  readonly creationTimestamp: string | null;
  /** As `creationTimestamp`; null when the object is not being deleted. */
  readonly deletionTimestamp: string | null;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly finalizers: readonly string[];
}

/** A core/v1 Secret's payload. */
export interface SecretPayload {
  /** `type`, e.g. `Opaque`, `kubernetes.io/tls` (empty when absent). */
  readonly type: string;
  /** `data`: the secret values, raw bytes (not base64). */
  readonly data: Readonly<Record<string, Uint8Array>>;
  /** `immutable`, null when absent. */
  readonly immutable: boolean | null;
}

/** A core/v1 ConfigMap's payload. */
export interface ConfigMapPayload {
  readonly data: Readonly<Record<string, string>>;
  /** `binaryData`: raw bytes (not base64). */
  readonly binaryData: Readonly<Record<string, Uint8Array>>;
  readonly immutable: boolean | null;
}

/** How a stored object was encoded. */
export type ObjectEncoding = 'protobuf' | 'json' | 'unknown';

/** A decoded stored object. */
export interface DecodedObject {
  /**
   * `protobuf` (`k8s\0` + `runtime.Unknown`), `json` (a JSON object), or `unknown`: recognised as
   * a Kubernetes storage encoding this package does not decode (CBOR, a content-encoded protobuf
   * payload, a protobuf kind whose field 1 is not an ObjectMeta); only what is known is reported.
   */
  readonly encoding: ObjectEncoding;
  /** The media type the encoding corresponds to (`application/vnd.kubernetes.protobuf`, `application/json`, `application/cbor`). */
  readonly mediaType: string;
  /** `apiVersion` (empty when unknown). */
  readonly apiVersion: string;
  /** `kind` (empty when unknown). */
  readonly kind: string;
  /** The object's metadata; null when it could not be read (encoding `unknown`). */
  readonly metadata: ObjectMeta | null;
  /** Present for `v1` `Secret`. */
  readonly secret?: SecretPayload;
  /** Present for `v1` `ConfigMap`. */
  readonly configMap?: ConfigMapPayload;
  /** The parsed document, for encoding `json` (custom resources keep their `spec` here). */
  readonly json?: unknown;
  /** Size of the object bytes: `runtime.Unknown.raw` for protobuf, the whole input otherwise. */
  readonly rawSize: number;
}
