/**
 * A fast path for reading KMS v2 values, which upstream and atrest write in one canonical layout:
 *
 * ```
 * 0x0a | varint(n) | encryptedData (n bytes) | the other fields (keyID, source, annotations, type)
 * ```
 *
 * Every value written under one seed has the same "other fields" bytes. Once one value with that
 * tail has been fully decoded and validated, another value with the same layout and the same tail
 * decodes to the same key ID, source, annotations and type, with only `encryptedData` differing:
 * protobuf decoding is a pure function of the bytes, and validation looks at `encryptedData` only
 * to require it non-empty. So the reader remembers recently validated tails and skips the protobuf
 * decoder for values that match one exactly. Anything else (another layout, a repeated field 1,
 * an unknown tail) takes the full decode, with its exact errors.
 *
 * @module
 */
import { constantTimeEqual } from '@atrest/core';
import { readVarint, varint } from '@atrest/core/wire';
import type { EncryptedObject } from './encrypted-object.js';

/** Where the encrypted data and the tail of a canonical value are. */
export interface CanonicalSplit {
  /** First byte of encryptedData. */
  readonly dataStart: number;
  /** One past its last byte; the tail runs from here to the end. */
  readonly dataEnd: number;
}

/**
 * Split `bytes[offset..]` as `0x0a varint(n) data(n) tail`, or undefined when it does not start
 * so (or n is 0: upstream rejects empty data, and the full decoder reports it).
 */
export function splitCanonical(bytes: Uint8Array, offset: number): CanonicalSplit | undefined {
  const end = bytes.length;
  if (end - offset < 2 || bytes[offset] !== 0x0a) return undefined;
  // At most 5 bytes (35 bits): a longer length is refused here and left to the full decoder.
  const i = readVarint(bytes, offset + 1, end, 5);
  if (i < 0) return undefined;
  const n = varint.hi * 0x100000000 + varint.lo;
  if (n === 0 || n > end - i) return undefined;
  return { dataStart: i, dataEnd: i + n };
}

/** True when the top-level fields of `tail` are well formed and none of them is field 1. */
export function tailWithoutField1(tail: Uint8Array): boolean {
  const end = tail.length;
  let i = 0;
  while (i < end) {
    // Tags and values at most 5 bytes, as in splitCanonical.
    i = readVarint(tail, i, end, 5);
    if (i < 0) return false;
    const tag = varint.lo;
    if (tag >>> 3 === 1) return false;
    const wt = tag & 7;
    if (wt === 0) {
      i = readVarint(tail, i, end, 5);
      if (i < 0) return false;
    } else if (wt === 2) {
      i = readVarint(tail, i, end, 5);
      if (i < 0) return false;
      const n = varint.hi * 0x100000000 + varint.lo;
      if (n > end - i) return false;
      i += n;
    } else if (wt === 1 || wt === 5) {
      i += wt === 1 ? 8 : 4;
      if (i > end) return false;
    } else {
      return false;
    }
  }
  return true;
}

/** What a validated tail decodes to, and the DEK-cache key derived from it. */
export interface TailFacts {
  readonly keyID: string;
  readonly encryptedDEKSourceType: number;
  readonly cacheKey: string;
}

interface Remembered extends TailFacts {
  readonly tail: Uint8Array;
}

/** A few recently validated tails (values under the current and previous seeds). */
export class TailMemo {
  readonly #entries: Remembered[] = [];
  readonly #capacity: number;

  /** @param capacity - tails remembered; the least recently matched is forgotten first */
  constructor(capacity = 4) {
    this.#capacity = capacity;
  }

  /** The facts of a remembered tail equal to `bytes[start..]`, or undefined. */
  match(bytes: Uint8Array, start: number): TailFacts | undefined {
    const n = bytes.length - start;
    const entries = this.#entries;
    const rest = bytes.subarray(start);
    for (let e = 0; e < entries.length; e++) {
      const r = entries[e] as Remembered;
      const tail = r.tail;
      // The tail holds the wrapped DEK source and key ID: compared in constant time, so how far a
      // forged tail matches a remembered one cannot be timed.
      if (tail.length !== n || !constantTimeEqual(tail, rest)) continue;
      if (e !== 0) {
        entries.splice(e, 1);
        entries.unshift(r);
      }
      return r;
    }
    return undefined;
  }

  /** Remember the tail of a value that decoded and validated as `object`. */
  remember(tail: Uint8Array, object: Pick<EncryptedObject, 'keyID' | 'encryptedDEKSourceType'>, cacheKey: string): void {
    if (this.match(tail, 0) !== undefined || !tailWithoutField1(tail)) return;
    this.#entries.unshift({ tail: new Uint8Array(tail), keyID: object.keyID, encryptedDEKSourceType: object.encryptedDEKSourceType, cacheKey });
    if (this.#entries.length > this.#capacity) this.#entries.pop();
  }
}
