/**
 * The protobuf half of {@link decodeObjectSummary}: `decodeProtobufObject` of
 * `_protobuf-object.ts` step by step (same levels, same order, same checks, same errors), on the
 * walker of `_protobuf-walk.ts`, keeping only type, name, namespace and uid.
 *
 * Order matters for which error is reported first, and follows the full decoder: the envelope,
 * its TypeMeta, the kind checks; then for a Secret its level, its ObjectMeta (level, generation,
 * creation then deletion timestamp, labels, annotations), then its data entries; for a ConfigMap
 * the same with data then binaryData entries; for any other kind a metadata that does not read
 * as an ObjectMeta makes the object `unknown`, not an error.
 *
 * @module
 */
import { AtrestError } from '@atrest/core';
import { invalidObject, requireTypeMeta } from './_errors.js';
import { int64Of, Kind, Level, walkLevel } from './_protobuf-walk.js';
import { checkSeconds } from './_time.js';
import type { ObjectSummary } from './decode-summary.js';
import type { ObjectEncoding } from './types.js';

const B = Kind.Bytes;
const R = Kind.Repeated;
const Unknown = new Level({ 1: B, 2: B, 3: B, 4: B });
const TypeMeta = new Level({ 1: B, 2: B });
const ObjectMeta = new Level({ 1: B, 2: B, 3: B, 4: B, 5: B, 6: B, 7: Kind.Int64, 8: B, 9: B, 11: R, 12: R, 14: R });
const Time = new Level({ 1: Kind.Int64, 2: Kind.Varint });
const MapEntry = new Level({ 1: B, 2: B });
const Secret = new Level({ 1: B, 2: R, 3: B, 5: Kind.Varint });
const ConfigMap = new Level({ 1: B, 2: R, 3: R, 4: Kind.Varint });
const WithMetadata = new Level({ 1: B });

const lenientUtf8 = new TextDecoder('utf-8', { fatal: false });


function text(data: Uint8Array, level: Level, field: number): string {
  return level.has(field) ? lenientUtf8.decode(data.subarray(level.start[field] as number, level.end[field] as number)) : '';
}

const BOM = [0xef, 0xbb, 0xbf];

/**
 * Whether field `field` decodes (as `text` would) to exactly `ascii`, without making a string.
 * The decoder drops a leading byte-order mark, so one is skipped here too.
 */
function textIs(data: Uint8Array, level: Level, field: number, ascii: string): boolean {
  if (!level.has(field)) return ascii === '';
  let s = level.start[field] as number;
  const e = level.end[field] as number;
  if (e - s >= 3 && data[s] === BOM[0] && data[s + 1] === BOM[1] && data[s + 2] === BOM[2]) s += 3;
  if (e - s !== ascii.length) return false;
  for (let i = 0; i < ascii.length; i++) if (data[s + i] !== ascii.charCodeAt(i)) return false;
  return true;
}

/** Walk field `field` of the last walk of `level` as a sub-level (empty when absent). */
function sub(into: Level, data: Uint8Array, level: Level, field: number, path: string): void {
  if (level.has(field)) walkLevel(into, data, level.start[field] as number, level.end[field] as number, path);
  else walkLevel(into, data, 0, 0, path);
}

function entries(data: Uint8Array, level: Level, field: number, path: string): void {
  const { list, length } = level.pairs(field);
  for (let i = 0; i < length; i += 2) walkLevel(MapEntry, data, list[i] as number, list[i + 1] as number, path);
}

function time(data: Uint8Array, field: number, path: string): void {
  if (!ObjectMeta.has(field)) return;
  walkLevel(Time, data, ObjectMeta.start[field] as number, ObjectMeta.end[field] as number, path);
  checkSeconds(int64Of(Time, 1), path);
}

/** `decodeObjectMeta` of a sub-field, checked; afterwards `ObjectMeta` holds its fields. */
function objectMeta(data: Uint8Array, level: Level, field: number, path: string): void {
  sub(ObjectMeta, data, level, field, path);
  const generation = int64Of(ObjectMeta, 7);
  if (generation > BigInt(Number.MAX_SAFE_INTEGER) || generation < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw invalidObject(`generation out of range in ${path}`, { field: `${path}.generation` });
  }
  time(data, 8, `${path}.creationTimestamp`);
  time(data, 9, `${path}.deletionTimestamp`);
  // The occurrence lists of ObjectMeta survive the MapEntry walks (another level).
  entries(data, ObjectMeta, 11, `${path}.labels`);
  entries(data, ObjectMeta, 12, `${path}.annotations`);
}

/** Which part of the object follows the envelope. */
const enum Shape {
  Secret,
  ConfigMap,
  Other,
  /** Content-encoded: not read. */
  Encoded,
}

/**
 * Walk and check the bytes after the `k8s\0` magic (`data[from..]`): everything
 * `decodeProtobufObject` checks, in its order. Afterwards `TypeMeta` and (unless the result is
 * `Encoded`, or `Other` whose metadata did not read) `ObjectMeta` hold the fields.
 */
function walkObject(data: Uint8Array, from: number): Shape | 'unknown' {
  walkLevel(Unknown, data, from, data.length, 'Unknown');
  sub(TypeMeta, data, Unknown, 1, 'Unknown.typeMeta');
  requireTypeMeta(textIs(data, TypeMeta, 1, '') ? '' : 'x', textIs(data, TypeMeta, 2, '') ? '' : 'x', 'Unknown.typeMeta.');
  if (Unknown.has(3)) return Shape.Encoded;
  const isV1 = textIs(data, TypeMeta, 1, 'v1');
  if (isV1 && textIs(data, TypeMeta, 2, 'Secret')) {
    sub(Secret, data, Unknown, 2, 'raw');
    objectMeta(data, Secret, 1, 'raw.metadata');
    entries(data, Secret, 2, 'raw.data');
    return Shape.Secret;
  }
  if (isV1 && textIs(data, TypeMeta, 2, 'ConfigMap')) {
    sub(ConfigMap, data, Unknown, 2, 'raw');
    objectMeta(data, ConfigMap, 1, 'raw.metadata');
    entries(data, ConfigMap, 2, 'raw.data');
    entries(data, ConfigMap, 3, 'raw.binaryData');
    return Shape.ConfigMap;
  }
  try {
    sub(WithMetadata, data, Unknown, 2, 'raw');
    objectMeta(data, WithMetadata, 1, 'raw.metadata');
  } catch (err) {
    if (!(err instanceof AtrestError)) throw err;
    return 'unknown';
  }
  return Shape.Other;
}

/**
 * Check the bytes after the `k8s\0` magic (`data[from..]`) as `decodeProtobufObject` would,
 * making no strings; returns the encoding it would report.
 * @internal
 */
export function checkProtobufObject(data: Uint8Array, from: number): ObjectEncoding {
  const shape = walkObject(data, from);
  return shape === 'unknown' || shape === Shape.Encoded ? 'unknown' : 'protobuf';
}

/**
 * Check the bytes after the `k8s\0` magic as {@link checkProtobufObject} does, and read the
 * object's TypeMeta.
 * @internal
 */
export function typeMetaOfProtobufObject(data: Uint8Array, from: number): { encoding: ObjectEncoding; apiVersion: string; kind: string } {
  const encoding = checkProtobufObject(data, from);
  return { encoding, apiVersion: text(data, TypeMeta, 1), kind: text(data, TypeMeta, 2) };
}

/**
 * Summarize the bytes after the `k8s\0` magic (`data[from..]`).
 * @internal
 */
export function summarizeProtobufObject(data: Uint8Array, from: number): ObjectSummary {
  const shape = walkObject(data, from);
  const apiVersion = text(data, TypeMeta, 1);
  const kind = text(data, TypeMeta, 2);
  if (shape === 'unknown' || shape === Shape.Encoded) return { encoding: 'unknown', apiVersion, kind, name: '', namespace: '', uid: '' };
  return { encoding: 'protobuf', apiVersion, kind, name: text(data, ObjectMeta, 1), namespace: text(data, ObjectMeta, 3), uid: text(data, ObjectMeta, 5) };
}
