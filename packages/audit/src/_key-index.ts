/**
 * The set of etcd keys an audit has seen, each numbered in the order it was first added (0, 1,
 * 2, …), in typed arrays: with the columns of `_key-states.ts` indexed by the same number, the
 * audit's only state that grows with the snapshot. Per key: 12 bytes of columns, 6-12 bytes of
 * table, two or three bytes of record header and the key's name (the part after its last `/`).
 *
 * Why not a `Map<string, …>`: a string and a map entry per key cost ~150 bytes of V8 heap each,
 * and looking a key up by string means decoding it to UTF-8 text for every revision. Here a
 * revision's key is hashed and compared as the bytes it is in the snapshot page; text is made
 * only when a report needs it.
 *
 * Layout:
 * - A key is split after its last `/`: its directory (`/registry/secrets/default/`, shared by
 *   many keys) is numbered in a second index of the same kind, kept once, and the key is stored
 *   as that number and its name. Kubernetes keys have few directories (resources × namespaces),
 *   so this halves the bytes kept per key.
 * - Records live in chunks, the first {@link FIRST_CHUNK} bytes, each next one twice the last up
 *   to {@link CHUNK} (a longer record gets a chunk of its own), so a small index stays small: the
 *   directory number + 1 (0: none) and the name's length as LEB128 varints, then the name. Filling
 *   a new chunk never copies the old ones, so growing costs no second copy of every key, and a
 *   record never spans two chunks.
 * - Per key: where its record starts (`#starts`: chunk number × 2^32 + offset in the chunk) and
 *   the FNV-1a hash of its name seeded by its directory, kept to skip most byte comparisons and to
 *   grow the table without reading records.
 * - An open-addressing table (linear probing, at most {@link MAX_LOAD} full) of key number + 1.
 *
 * The per-key columns grow by half again when full, so at most a third of them is slack.
 *
 * @module
 */
import { fromUtf8 } from '@atrest/core';
import { fnv1a32, FNV_OFFSET, putVarint, varintAt, varintSize } from './_bytes.js';
import { grown } from './_grow.js';

/** Bytes per chunk of key storage. */
const CHUNK = 1 << 20;
/** Bytes of the first chunk. */
const FIRST_CHUNK = 16 * 1024;
/** Largest share of table buckets in use before the table doubles. */
const MAX_LOAD = 0.7;
const TWO_32 = 2 ** 32;

/** The hash a record is filed under: FNV-1a of its name, seeded with its directory number + 1 (0: none). */
function nameHash(key: Uint8Array, from: number, to: number, dir: number): number {
  return fnv1a32(key, from, to, dir === 0 ? FNV_OFFSET : (FNV_OFFSET ^ Math.imul(dir, 0x9e3779b1)) >>> 0);
}

/** @internal */
export class KeyIndex {
  /** The directories keys are split at (their bytes up to the last `/`); null in that index itself. */
  readonly #dirs: KeyIndex | null;
  #chunks: Uint8Array[] = [];
  /** Bytes used in the last chunk. */
  #used = 0;
  #starts = new Float64Array(1024);
  #hashes = new Uint32Array(1024);
  #size = 0;
  /** Key number + 1 per bucket, 0 when empty. */
  #table = new Int32Array(1 << 11);
  /** The record `#read` decoded last: its directory (number + 1, or 0), and where its name lies. */
  #dir = 0;
  #chunk: Uint8Array = new Uint8Array(0);
  #from = 0;
  #length = 0;

  /** @param splitDirs - store each key as a directory number and a name (the default; the directory index itself does not) */
  constructor(splitDirs = true) {
    this.#dirs = splitDirs ? new KeyIndex(false) : null;
  }

  /** Number of keys. */
  get size(): number {
    return this.#size;
  }

  /** Decode record `n` into `#dir`, `#chunk`, `#from`, `#length` (no allocation). */
  #read(n: number): void {
    const start = this.#starts[n] as number;
    const chunk = this.#chunks[Math.floor(start / TWO_32)] as Uint8Array;
    let at = start % TWO_32;
    const dir = varintAt(chunk, at);
    at += varintSize(dir);
    const length = varintAt(chunk, at);
    at += varintSize(length);
    this.#dir = dir;
    this.#length = length;
    this.#chunk = chunk;
    this.#from = at;
  }

  /** Key `n`'s bytes: its directory's, then its name's (a new array). */
  #bytes(n: number): Uint8Array {
    this.#read(n);
    const name = this.#chunk.subarray(this.#from, this.#from + this.#length);
    if (this.#dir === 0) return name.slice();
    const dir = (this.#dirs as KeyIndex).#bytes(this.#dir - 1);
    const out = new Uint8Array(dir.length + name.length);
    out.set(dir, 0);
    out.set(name, dir.length);
    return out;
  }

  /** Whether key `n` is directory `dir` (number + 1, or 0) with name `key[from, to)` (compared in place). */
  #equals(n: number, dir: number, key: Uint8Array, from: number, to: number): boolean {
    this.#read(n);
    if (this.#dir !== dir || this.#length !== to - from) return false;
    const chunk = this.#chunk;
    const at = this.#from - from;
    for (let i = from; i < to; i++) if (chunk[at + i] !== key[i]) return false;
    return true;
  }

  /** Where the name of `key[from, to)` starts: after its last `/` (or `from`), when splitting. */
  #cut(key: Uint8Array, from: number, to: number): number {
    if (this.#dirs === null || to === from) return from;
    const slash = key.lastIndexOf(0x2f, to - 1);
    return slash < from ? from : slash + 1;
  }

  /**
   * The number of `key`, or -1 when it was never added.
   * @param key - the key bytes (not retained)
   */
  find(key: Uint8Array): number {
    return this.#find(key, 0, key.length);
  }

  /**
   * The directory of `key[from, cut)` as a record holds it: its number + 1, or 0 when the key has
   * none; -1 when it is not indexed and `add` is false.
   */
  #dirNumber(key: Uint8Array, from: number, cut: number, add: boolean): number {
    if (cut === from) return 0;
    const dirs = this.#dirs as KeyIndex;
    const d = dirs.#find(key, from, cut);
    if (d >= 0) return d + 1;
    return add ? dirs.#add(key, from, cut) + 1 : -1;
  }

  #find(key: Uint8Array, from: number, to: number): number {
    const cut = this.#cut(key, from, to);
    const dir = this.#dirNumber(key, from, cut, false);
    if (dir < 0) return -1;
    const hash = nameHash(key, cut, to, dir);
    const table = this.#table;
    const mask = table.length - 1;
    for (let b = hash & mask; ; b = (b + 1) & mask) {
      const n = (table[b] as number) - 1;
      if (n < 0) return -1;
      if (this.#hashes[n] === hash && this.#equals(n, dir, key, cut, to)) return n;
    }
  }

  /**
   * Add `key`, which must be absent.
   * @param key - the key bytes (copied)
   * @returns its number: the number of keys added before it
   */
  add(key: Uint8Array): number {
    return this.#add(key, 0, key.length);
  }

  #add(key: Uint8Array, from: number, to: number): number {
    const cut = this.#cut(key, from, to);
    const dir = this.#dirNumber(key, from, cut, true);
    const n = this.#size;
    if (n === this.#starts.length) this.#growColumns();
    const hash = nameHash(key, cut, to, dir);
    this.#starts[n] = this.#store(dir, key, cut, to);
    this.#hashes[n] = hash;
    this.#size = n + 1;
    if (this.#size > MAX_LOAD * this.#table.length) this.#rehash(this.#table.length * 2);
    else this.#place(n, hash);
    return n;
  }

  /** Copy the record (directory, name length, name) into the last chunk or a new one; returns where it starts. */
  #store(dir: number, key: Uint8Array, from: number, to: number): number {
    const need = varintSize(dir) + varintSize(to - from) + (to - from);
    let chunk = this.#chunks[this.#chunks.length - 1];
    if (chunk === undefined || this.#used + need > chunk.length) {
      const last = this.#chunks[this.#chunks.length - 1]?.length ?? FIRST_CHUNK / 2;
      chunk = new Uint8Array(Math.max(Math.min(CHUNK, last * 2), need));
      this.#chunks.push(chunk);
      this.#used = 0;
    }
    const start = (this.#chunks.length - 1) * TWO_32 + this.#used;
    let at = putVarint(chunk, this.#used, dir);
    at = putVarint(chunk, at, to - from);
    chunk.set(from === 0 && to === key.length ? key : key.subarray(from, to), at);
    this.#used = at + (to - from);
    return start;
  }

  /** The exact bytes of key `n` (a copy). */
  bytes(n: number): Uint8Array {
    return this.#bytes(n);
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
