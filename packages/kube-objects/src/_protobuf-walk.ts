/**
 * A one-level protobuf walker that accepts and refuses exactly what `decodeLevel` of
 * `_protobuf-schema.ts` does (its wire-type scan, then protobufjs' generated decoder), but keeps
 * only where each field is: no message object, no copies, no strings.
 *
 * It exists for {@link decodeObjectSummary}: an auditor needs a stored object's kind, name and
 * namespace, and whether it decodes at all, not its Secret data; decoding a 2 KiB protobuf
 * Secret through protobufjs costs ~17 us, walking it here ~1 us.
 *
 * The rules, from the two passes of `decodeLevel`:
 *
 * 1. scan: tags are read as 32-bit varints (at most 10 bytes); field 0, wire types 3, 4, 6, 7 and a
 *    known field with another wire type are a "bad field tag"; varints are skipped up to their
 *    last byte, lengths are read as protobufjs' `size()` (at most 5 bytes, the 5th at most 7).
 * 2. decode: tags as protobufjs' `tag()` (at most 5 bytes, the 5th at most 15); int64, bool and
 *    int32 values at most 10 bytes; a non-repeated field keeps its last occurrence, an empty one
 *    counting as absent; unknown fields skipped as in the scan.
 *
 * Anything running past the end of the level, or over those lengths, is "truncated", as
 * `decodeLevel` reports every protobufjs error. Tests check the equivalence on crafted and random
 * inputs (`test/summary.test.ts`).
 *
 * @module
 */
import { readVarint, skipVarint as skipWireVarint, varint as wire } from '@atrest/core/wire';
import { invalidObject } from './_errors.js';

/** What a field holds. @internal */
export const enum Kind {
  Unknown = 0,
  Bytes = 1,
  Repeated = 2,
  Int64 = 3,
  /** bool or int32: read, never kept. */
  Varint = 4,
}

/**
 * A message type: the kind of each field number, and where the last walk found them. Entries
 * are valid only when `stamp[field]` equals `walk` (so a new walk resets nothing).
 * @internal
 */
export class Level {
  readonly kinds: readonly Kind[];
  /** Number of the last walk of this level. */
  walk = 0;
  readonly stamp: number[];
  /** Per field: start and end of the last occurrence (Bytes; empty means absent). */
  readonly start: number[];
  readonly end: number[];
  /** Per field: the last value's halves (Int64). */
  readonly lo: number[];
  readonly hi: number[];
  /** Per field: start, end pairs of every occurrence (Repeated), `count[field]` numbers used. */
  readonly occurrences: number[][];
  readonly count: number[];

  constructor(fields: Readonly<Record<number, Kind>>) {
    const size = Math.max(...Object.keys(fields).map(Number)) + 1;
    this.kinds = Array.from({ length: size }, (_, i) => fields[i] ?? Kind.Unknown);
    const zeros = (): number[] => new Array<number>(size).fill(0);
    this.stamp = zeros();
    this.start = zeros();
    this.end = zeros();
    this.lo = zeros();
    this.hi = zeros();
    this.count = zeros();
    this.occurrences = Array.from({ length: size }, () => []);
  }

  /** Start and end of field `f`'s last non-empty occurrence, or `start < 0` when absent. */
  has(f: number): boolean {
    return this.stamp[f] === this.walk && (this.end[f] as number) > (this.start[f] as number);
  }

  /** Field `f`'s occurrence pairs (Repeated). */
  pairs(f: number): { readonly list: readonly number[]; readonly length: number } {
    return { list: this.occurrences[f] as number[], length: this.stamp[f] === this.walk ? (this.count[f] as number) : 0 };
  }
}

/** Thrown inside a walk for every protobufjs error; mapped to "truncated" at the level. */
class Truncated {}
const TRUNCATED = new Truncated();

// Walk state (module-level so primitives allocate nothing).
let buf: Uint8Array = new Uint8Array(0);
let pos = 0;
let end = 0;
let lo = 0;
let hi = 0;

/** A varint of at most `max` bytes within the level; its halves in `lo`/`hi`. */
function varint(max: number): void {
  const next = readVarint(buf, pos, end, max);
  if (next < 0) throw TRUNCATED;
  pos = next;
  lo = wire.lo;
  hi = wire.hi;
}

/** protobufjs `tag()` / `size()`: at most 5 bytes, the 5th at most `fifthMax`. */
function short(fifthMax: number): number {
  const start = pos;
  varint(5);
  if (pos - start === 5 && (buf[pos - 1] as number) > fifthMax) throw TRUNCATED;
  return lo;
}

/** protobufjs `skip()` of a varint: any length, up to its last byte. */
function skipVarint(): void {
  const next = skipWireVarint(buf, pos, end);
  if (next < 0) throw TRUNCATED;
  pos = next;
}

function skip(n: number): void {
  if (pos + n > end) throw TRUNCATED;
  pos += n;
}

function skipType(wireType: number): void {
  if (wireType === 0) skipVarint();
  else if (wireType === 1) skip(8);
  else if (wireType === 2) skip(short(15));
  else skip(4); // 5; the scan refused every other wire type
}

function wireOf(kind: Kind | undefined): number | undefined {
  if (kind === undefined || kind === Kind.Unknown) return undefined;
  return kind === Kind.Bytes || kind === Kind.Repeated ? 2 : 0;
}

function scan(level: Level, path: string, from: number): void {
  const kinds = level.kinds;
  while (pos < end) {
    const at = pos - from;
    varint(10);
    const tag = lo;
    const field = tag >>> 3;
    const wireType = tag & 7;
    const want = wireOf(kinds[field]);
    if (field === 0 || wireType === 3 || wireType === 4 || wireType > 5 || (want !== undefined && want !== wireType)) {
      throw invalidObject(`malformed protobuf in ${path}: bad field tag`, { field: path, offset: at, number: field, wireType });
    }
    skipType(wireType);
  }
}

function decode(level: Level): void {
  const { kinds, stamp, start, end: stop, occurrences, count } = level;
  const walk = ++level.walk;
  while (pos < end) {
    const tag = short(15);
    const field = tag >>> 3;
    const kind = field < kinds.length ? kinds[field] : Kind.Unknown;
    if (kind === Kind.Unknown) {
      skipType(tag & 7);
      continue;
    }
    if (stamp[field] !== walk) {
      stamp[field] = walk;
      start[field] = stop[field] = count[field] = level.lo[field] = level.hi[field] = 0;
    }
    if (kind === Kind.Bytes || kind === Kind.Repeated) {
      const n = short(7);
      if (pos + n > end) throw TRUNCATED;
      if (kind === Kind.Repeated) {
        const list = occurrences[field] as number[];
        const c = count[field] as number;
        list[c] = pos;
        list[c + 1] = pos + n;
        count[field] = c + 2;
      } else {
        start[field] = pos;
        stop[field] = pos + n;
      }
      pos += n;
    } else if (kind === Kind.Int64) {
      varint(10);
      level.lo[field] = lo;
      level.hi[field] = hi;
    } else varint(10);
  }
}

/**
 * Walk one message level of `data[from..to)` as `decodeLevel` would decode it; afterwards `level`
 * says where its fields are (offsets into `data`).
 * @throws AtrestError `ERR_INVALID_DATA`: `malformed protobuf in <path>: bad field tag` or `: truncated`
 * @internal
 */
export function walkLevel(level: Level, data: Uint8Array, from: number, to: number, path: string): void {
  buf = data;
  try {
    pos = from;
    end = to;
    scan(level, path, from);
    pos = from;
    decode(level);
  } catch (err) {
    if (err !== TRUNCATED) throw err;
    throw invalidObject(`malformed protobuf in ${path}: truncated`, { field: path, length: to - from });
  } finally {
    buf = EMPTY;
  }
}

const EMPTY = new Uint8Array(0);

/** The last Int64 value of `field` after a walk, as a bigint (as protobufjs' Long, signed). @internal */
export function int64Of(level: Level, field: number): bigint {
  if (level.stamp[field] !== level.walk) return 0n;
  const l = level.lo[field] as number;
  const h = level.hi[field] as number;
  if (h === 0) return BigInt(l);
  return BigInt.asIntN(64, (BigInt(h) << 32n) | BigInt(l));
}
