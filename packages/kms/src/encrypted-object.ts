/**
 * The KMS v2 `EncryptedObject`: the protobuf message stored in etcd after `k8s:enc:kms:v2:<name>:`.
 *
 * Schema (proto3, package `v2`, upstream `kmsv2/v2/api.proto`):
 *
 * | # | field | type | meaning |
 * |---|---|---|---|
 * | 1 | `encryptedData` | bytes | the payload: AES-GCM (`AES_GCM_KEY`) or info(32) + AES-GCM (`HKDF_SHA256_XNONCE_AES_GCM_SEED`) |
 * | 2 | `keyID` | string | the plugin's KEK ID at wrap time, 1..1024 bytes |
 * | 3 | `encryptedDEKSource` | bytes | the plugin-wrapped DEK or seed, 1..1024 bytes |
 * | 4 | `annotations` | map<string, bytes> | plugin metadata; keys are fully qualified domain names, keys + values <= 32 KiB |
 * | 5 | `encryptedDEKSourceType` | enum | 0 `AES_GCM_KEY`, 1 `HKDF_SHA256_XNONCE_AES_GCM_SEED` |
 *
 * Encoding and decoding use protobufjs reflection (field 5 declared as its wire form, `int32`). Before protobufjs decodes, a scan checks every
 * tag's wire type against the schema, because protobufjs would otherwise skip or misread a field
 * sent with the wrong wire type where Go's decoder refuses the message. The map is declared as its
 * wire equivalent (`repeated AnnotationsEntry { bytes key = 1; bytes value = 2; }`) so keys are
 * read as raw bytes and checked for UTF-8 here; duplicate keys keep the last value, as Go's map does.
 *
 * Validation ({@link validateEncryptedObject}) is upstream's `ValidateEncryptedObject`, with its
 * exact error texts. Decoding errors (truncation, bad wire types) have no single upstream text
 * (it depends on the Go protobuf library); theirs are Go-style and documented below.
 *
 * @module
 */
import { AtrestError, ErrorCode, utf8 } from '@atrest/core';
import { aggregateErrorText } from '@atrest/core/go';
import { KEY_ID_MAX_SIZE, validateKeyID } from './_key-id.js';
import protobuf from 'protobufjs';
import { sortedAnnotationKeys } from './_annotations.js';
import { fullyQualifiedDomainNameError } from './_fqdn.js';

/** The `encryptedDEKSourceType` enum. */
export const EncryptedDEKSourceType = Object.freeze({
  /** The unwrapped source is an AES key; `encryptedData` is nonce(12) || ciphertext || tag. */
  AES_GCM_KEY: 0,
  /** The unwrapped source is a 32-byte HKDF seed; `encryptedData` is info(32) || nonce(12) || ciphertext || tag. */
  HKDF_SHA256_XNONCE_AES_GCM_SEED: 1,
} as const);

/** A decoded KMS v2 envelope. */
export interface EncryptedObject {
  /** The encrypted payload. */
  readonly encryptedData: Uint8Array;
  /** The plugin's key ID when the DEK source was wrapped. */
  readonly keyID: string;
  /** The wrapped DEK or seed. */
  readonly encryptedDEKSource: Uint8Array;
  /** Plugin annotations (a null-prototype record). */
  readonly annotations: Readonly<Record<string, Uint8Array>>;
  /** {@link EncryptedDEKSourceType} value; other numbers fail validation. */
  readonly encryptedDEKSourceType: number;
}

/** Upstream's limits. */
export const ENCRYPTED_OBJECT_LIMITS = Object.freeze({
  /** Maximum `keyID` size in bytes. */
  keyIDMaxSize: KEY_ID_MAX_SIZE,
  /** Maximum `encryptedDEKSource` size in bytes. */
  encryptedDEKSourceMaxSize: 1024,
  /** Maximum total size of annotation keys and values in bytes. */
  annotationsMaxSize: 32 * 1024,
});

const { Field, Reader, Root, Type } = protobuf;

const AnnotationsEntry = new Type('AnnotationsEntry')
  .add(new Field('key', 1, 'bytes'))
  .add(new Field('value', 2, 'bytes'));
const EncryptedObjectType = new Type('EncryptedObject')
  .add(new Field('encryptedData', 1, 'bytes'))
  .add(new Field('keyID', 2, 'bytes'))
  .add(new Field('encryptedDEKSource', 3, 'bytes'))
  .add(new Field('annotations', 4, 'AnnotationsEntry', 'repeated'))
  // Declared int32 (the enum's wire form): protobufjs maps enum numbers it does not know to 0,
  // which would turn an unknown source type into AES_GCM_KEY instead of a validation error.
  .add(new Field('encryptedDEKSourceType', 5, 'int32'))
  .add(AnnotationsEntry);
new Root().define('v2').add(EncryptedObjectType);
EncryptedObjectType.resolveAll();

// Wire types: 0 varint, 2 length-delimited.
const OBJECT_WIRE: Readonly<Record<number, readonly [string, number]>> = {
  1: ['EncryptedData', 2],
  2: ['KeyID', 2],
  3: ['EncryptedDEKSource', 2],
  4: ['Annotations', 2],
  5: ['EncryptedDEKSourceType', 0],
};
const ENTRY_WIRE: Readonly<Record<number, readonly [string, number]>> = { 1: ['key', 2], 2: ['value', 2] };

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

function invalid(message: string, context: Record<string, string | number> = {}): AtrestError {
  return new AtrestError(ErrorCode.KmsInvalid, message, { object: 'EncryptedObject', ...context });
}

/** Check wire types and lengths of one message level; recurse into annotation entries. */
function scan(bytes: Uint8Array, name: string, wire: Readonly<Record<number, readonly [string, number]>>): void {
  const r = Reader.create(bytes);
  while (r.pos < r.len) {
    const at = r.pos;
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 0) throw invalid(`proto: ${name}: illegal tag 0 (wire type ${wt})`, { offset: at });
    if (wt === 4) throw invalid(`proto: ${name}: wiretype end group for non-group`, { offset: at });
    if (wt > 5) throw invalid(`proto: illegal wireType ${wt}`, { offset: at });
    const known = wire[field];
    if (known !== undefined && known[1] !== wt) {
      throw invalid(`proto: wrong wireType = ${wt} for field ${known[0]}`, { offset: at, field });
    }
    if (wire === OBJECT_WIRE && field === 4) scan(r.bytes(), 'AnnotationsEntry', ENTRY_WIRE);
    else r.skipType(wt);
  }
}

function strictString(bytes: Uint8Array, field: string): string {
  try {
    return utf8Strict.decode(bytes);
  } catch {
    throw invalid(`proto: field v2.${field} contains invalid UTF-8`, { field });
  }
}

interface RawEntry {
  key?: Uint8Array;
  value?: Uint8Array;
}
interface RawObject {
  encryptedData?: Uint8Array;
  keyID?: Uint8Array;
  encryptedDEKSource?: Uint8Array;
  annotations?: RawEntry[];
  encryptedDEKSourceType?: number;
}

const EMPTY = new Uint8Array(0);

function plain(b: Uint8Array | undefined, copy: boolean): Uint8Array {
  if (b === undefined || b.length === 0) return EMPTY;
  // protobufjs returns Buffer views into the input; small fields are copied so nothing we keep
  // (cache keys, plugin requests) pins or aliases the caller's buffer.
  return copy ? new Uint8Array(b) : new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/**
 * Decode an `EncryptedObject` without validating it (for inspection tools; providers use
 * {@link decodeEncryptedObject}).
 *
 * @param bytes - the stored value after `k8s:enc:kms:v2:<name>:`
 * @returns the fields; `encryptedData` is a view into `bytes`
 * @throws AtrestError `ERR_KMS_INVALID` for malformed protobuf (`unexpected EOF`,
 *   `proto: wrong wireType = 0 for field KeyID`, invalid UTF-8 in `keyID` or an annotation key)
 * @example
 * ```ts
 * import { parseEncryptedObject } from '@atrest/kms';
 * parseEncryptedObject(new Uint8Array([0x12, 0x01, 0x31])).keyID; // '1'
 * ```
 */
export function parseEncryptedObject(bytes: Uint8Array): EncryptedObject {
  let raw: RawObject;
  try {
    scan(bytes, 'EncryptedObject', OBJECT_WIRE);
    raw = EncryptedObjectType.decode(bytes) as unknown as RawObject;
  } catch (err) {
    if (err instanceof AtrestError) throw err;
    // protobufjs reports truncation as RangeError("index out of range ..."): Go says unexpected EOF.
    throw invalid('unexpected EOF', { length: bytes.length });
  }
  const annotations: Record<string, Uint8Array> = Object.create(null) as Record<string, Uint8Array>;
  for (const e of raw.annotations ?? []) {
    const key = strictString(plain(e.key, false), 'EncryptedObject.AnnotationsEntry.key');
    annotations[key] = plain(e.value, true);
  }
  return {
    encryptedData: plain(raw.encryptedData, false),
    keyID: strictString(plain(raw.keyID, false), 'EncryptedObject.keyID'),
    encryptedDEKSource: plain(raw.encryptedDEKSource, true),
    annotations,
    encryptedDEKSourceType: raw.encryptedDEKSourceType ?? 0,
  };
}

/**
 * Upstream's `ValidateEncryptedObject`, in upstream's order and with its texts: source type,
 * `encryptedData`, `encryptedDEKSource`, `keyID`, annotations.
 *
 * @param o - the object to check
 * @throws AtrestError `ERR_KMS_INVALID`, message e.g. `unknown encryptedDEKSourceType: 7`,
 *   `encrypted data is empty`, `failed to validate key id: keyID is 1025 bytes, which exceeds the max size of 1024`,
 *   `failed to validate annotations: total size of annotations is 40000, which exceeds the max size of 32768`
 * @example
 * ```ts
 * import { validateEncryptedObject } from '@atrest/kms';
 * validateEncryptedObject({ encryptedData: new Uint8Array([0]), keyID: 'k', encryptedDEKSource: new Uint8Array([1]),
 *   annotations: {}, encryptedDEKSourceType: 1 });
 * ```
 */
export function validateEncryptedObject(o: EncryptedObject): void {
  const t = o.encryptedDEKSourceType;
  if (t !== EncryptedDEKSourceType.AES_GCM_KEY && t !== EncryptedDEKSourceType.HKDF_SHA256_XNONCE_AES_GCM_SEED) {
    throw invalid(`unknown encryptedDEKSourceType: ${t}`);
  }
  if (o.encryptedData.length === 0) throw invalid('encrypted data is empty');
  const src = o.encryptedDEKSource.length;
  const { keyIDMaxSize, encryptedDEKSourceMaxSize, annotationsMaxSize } = ENCRYPTED_OBJECT_LIMITS;
  if (src === 0) throw invalid('failed to validate encrypted DEK source: encrypted DEK source is empty');
  if (src > encryptedDEKSourceMaxSize) {
    throw invalid(
      `failed to validate encrypted DEK source: encrypted DEK source is ${src} bytes, which exceeds the max size of ${encryptedDEKSourceMaxSize}`,
      { length: src },
    );
  }
  const badKeyID = validateKeyID(o.keyID);
  if (badKeyID !== undefined) {
    const context: Record<string, number> = badKeyID.size > keyIDMaxSize ? { length: badKeyID.size } : {};
    throw invalid(`failed to validate key id: ${badKeyID.message}`, context);
  }
  const errs: string[] = [];
  let total = 0;
  // Go iterates its map in random order; sorted order keeps our message deterministic.
  for (const [key, keyBytes] of sortedAnnotationKeys(o.annotations)) {
    const e = fullyQualifiedDomainNameError('annotations', key);
    if (e !== undefined) errs.push(e);
    total += keyBytes.length + (o.annotations[key] as Uint8Array).length;
  }
  if (total > annotationsMaxSize) {
    errs.push(`total size of annotations is ${total}, which exceeds the max size of ${annotationsMaxSize}`);
  }
  if (errs.length > 0) throw invalid(`failed to validate annotations: ${aggregateErrorText(errs)}`, { annotationsSize: total });
}

/**
 * Decode and validate a stored KMS v2 value, as upstream's `doDecode`.
 *
 * @param bytes - the stored value after `k8s:enc:kms:v2:<name>:`
 * @returns the validated object
 * @throws AtrestError `ERR_KMS_INVALID` for malformed protobuf or a failed validation
 * @example
 * ```ts
 * import { decodeEncryptedObject, encodeEncryptedObject } from '@atrest/kms';
 * const bytes = encodeEncryptedObject({ encryptedData: new Uint8Array([1]), keyID: 'k1',
 *   encryptedDEKSource: new Uint8Array([2]), annotations: {}, encryptedDEKSourceType: 1 });
 * decodeEncryptedObject(bytes).keyID; // 'k1'
 * ```
 */
export function decodeEncryptedObject(bytes: Uint8Array): EncryptedObject {
  const o = parseEncryptedObject(bytes);
  validateEncryptedObject(o);
  return o;
}

/**
 * Validate and encode an `EncryptedObject`, as upstream's `doEncode`. Proto3 defaults (empty
 * bytes, type 0) are omitted; annotations are written sorted by key.
 *
 * @param o - the object
 * @returns its protobuf bytes
 * @throws AtrestError `ERR_KMS_INVALID` when validation fails
 * @example
 * ```ts
 * import { encodeEncryptedObject, EncryptedDEKSourceType } from '@atrest/kms';
 * encodeEncryptedObject({ encryptedData: new Uint8Array([1]), keyID: 'k1', encryptedDEKSource: new Uint8Array([2]),
 *   annotations: {}, encryptedDEKSourceType: EncryptedDEKSourceType.HKDF_SHA256_XNONCE_AES_GCM_SEED });
 * ```
 */
export function encodeEncryptedObject(o: EncryptedObject): Uint8Array {
  validateEncryptedObject(o);
  const msg: RawObject = {};
  msg.encryptedData = o.encryptedData;
  msg.keyID = utf8(o.keyID);
  msg.encryptedDEKSource = o.encryptedDEKSource;
  const keys = sortedAnnotationKeys(o.annotations);
  if (keys.length > 0) msg.annotations = keys.map(([k, kb]) => ({ key: kb, value: o.annotations[k] as Uint8Array }));
  if (o.encryptedDEKSourceType !== 0) msg.encryptedDEKSourceType = o.encryptedDEKSourceType;
  const out = EncryptedObjectType.encode(msg).finish();
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}
