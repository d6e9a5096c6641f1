/**
 * The set of etcd keys an audit has seen, each numbered in the order it was first added (0, 1,
 * 2, …), in typed arrays: with the columns of `_key-states.ts` indexed by the same number, the
 * audit's only state that grows with the snapshot. Per key: 12 bytes of columns, 6-12 bytes of
 * table, a length byte and the key itself.
 *
 * Why not a `Map<string, …>`: a string and a map entry per key cost ~150 bytes of V8 heap each,
 * and looking a key up by string means decoding it to UTF-8 text for every revision. Here a
 * revision's key is hashed and compared as the bytes it is in the snapshot page; text is made
 * only when a report needs it.
 *
 * Layout:
 * - Key bytes live in chunks of {@link CHUNK} bytes (a longer key gets a chunk of its own), each
 *   key preceded by its length as a LEB128 varint (one byte for keys under 128 bytes). Filling a
 *   new chunk never copies the old ones, so growing costs no second copy of every key, and a key
 *   never spans two chunks.
 * - Per key: where it starts (`#starts`: chunk number × 2^32 + offset in the chunk) and its
 *   FNV-1a hash, kept to skip most byte comparisons and to grow the table without reading keys.
 * - An open-addressing table (linear probing, at most {@link MAX_LOAD} full) of key number + 1.
 *
 * The per-key columns grow by half again when full, so at most a third of them is slack.
 *
 * @module
 */
import { fromUtf8 } from '@atrest/core';
import { grown } from './_grow.js';

/** Bytes per chunk of key storage. */
const CHUNK = 1 << 20;
/** Largest share of table buckets in use before the table doubles. */
const MAX_LOAD = 0.7;
const TWO_32 = 2 ** 32;

function fnv1a32(b: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ (b[i] as number), 0x01000193);
  return h >>> 0;
}

/** Bytes of `n`'s LEB128 varint. */
function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    size++;
  }
  return size;
}

/** @internal */
export class KeyIndex {
  #chunks: Uint8Array[] = [];
  /** Bytes used in the last chunk. */
  #used = 0;
  #starts = new Float64Array(1024);
  #hashes = new Uint32Array(1024);
  #size = 0;
  /** Key number + 1 per bucket, 0 when empty. */
  #table = new Int32Array(1 << 11);

  /** Number of keys. */
  get size(): number {
    return this.#size;
  }

  /** Key `n`'s bytes: a view into its chunk. */
  #bytes(n: number): Uint8Array {
    const start = this.#starts[n] as number;
    const chunk = this.#chunks[Math.floor(start / TWO_32)] as Uint8Array;
    const at = start % TWO_32;
    const length = this.#lengthAt(chunk, at);
    const from = at + varintSize(length);
    return chunk.subarray(from, from + length);
  }

  /** The length prefix at `at` in `chunk`. */
  #lengthAt(chunk: Uint8Array, at: number): number {
    let length = 0;
    for (let scale = 1; ; scale *= 0x80) {
      const b = chunk[at++] as number;
      length += (b & 0x7f) * scale;
      if (b < 0x80) return length;
    }
  }

  /** Whether key `n` is `key` (compared in place: lookups allocate nothing). */
  #equals(n: number, key: Uint8Array): boolean {
    const start = this.#starts[n] as number;
    const chunk = this.#chunks[Math.floor(start / TWO_32)] as Uint8Array;
    let at = start % TWO_32;
    if (this.#lengthAt(chunk, at) !== key.length) return false;
    at += varintSize(key.length);
    for (let i = 0; i < key.length; i++) if (chunk[at + i] !== key[i]) return false;
    return true;
  }

  /**
   * The number of `key`, or -1 when it was never added.
   * @param key - the key bytes (not retained)
   */
  find(key: Uint8Array): number {
    const hash = fnv1a32(key);
    const table = this.#table;
    const mask = table.length - 1;
    for (let b = hash & mask; ; b = (b + 1) & mask) {
      const n = (table[b] as number) - 1;
      if (n < 0) return -1;
      if (this.#hashes[n] === hash && this.#equals(n, key)) return n;
    }
  }

  /**
   * Add `key`, which must be absent.
   * @param key - the key bytes (copied)
   * @returns its number: the number of keys added before it
   */
  add(key: Uint8Array): number {
    const n = this.#size;
    if (n === this.#starts.length) this.#growColumns();
    const hash = fnv1a32(key);
    this.#starts[n] = this.#store(key);
    this.#hashes[n] = hash;
    this.#size = n + 1;
    if (this.#size > MAX_LOAD * this.#table.length) this.#rehash(this.#table.length * 2);
    else this.#place(n, hash);
    return n;
  }

  /** Copy `key`, length first, into the last chunk (or a new one); returns where it starts. */
  #store(key: Uint8Array): number {
    const need = varintSize(key.length) + key.length;
    let chunk = this.#chunks[this.#chunks.length - 1];
    if (chunk === undefined || this.#used + need > chunk.length) {
      chunk = new Uint8Array(Math.max(CHUNK, need));
      this.#chunks.push(chunk);
      this.#used = 0;
    }
    const start = (this.#chunks.length - 1) * TWO_32 + this.#used;
    let at = this.#used;
    for (let rest = key.length; ; rest = Math.floor(rest / 0x80)) {
      if (rest < 0x80) {
        chunk[at++] = rest;
        break;
      }
      chunk[at++] = (rest & 0x7f) | 0x80;
    }
    chunk.set(key, at);
    this.#used = at + key.length;
    return start;
  }

  /** The exact bytes of key `n` (a copy). */
  bytes(n: number): Uint8Array {
    return this.#bytes(n).slice();
  }

  /** Key `n` as text (UTF-8, invalid bytes as U+FFFD, like `fromUtf8`). */
  text(n: number): string {
    return fromUtf8(this.#bytes(n));
  }

  #place(n: number, hash: number): void {
    const table = this.#table;
    const mask = table.length - 1;
    let b = hash & mask;
    while (table[b] !== 0) b = (b + 1) & mask;
    table[b] = n + 1;
  }

  #rehash(size: number): void {
    this.#table = new Int32Array(size);
    for (let n = 0; n < this.#size; n++) this.#place(n, this.#hashes[n] as number);
  }

  #growColumns(): void {
    const length = Math.ceil(this.#starts.length * 1.5);
    this.#starts = grown(this.#starts, length);
    this.#hashes = grown(this.#hashes, length);
  }
}
