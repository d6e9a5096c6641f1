/**
 * A map from etcd keys (as bytes) to small integers, in typed arrays: the audit's only state that
 * grows with the snapshot, kept to about 60 bytes per key plus the key itself.
 *
 * Why not a `Map<string, …>`: a string and a map entry per key cost ~150 bytes of V8 heap each,
 * and looking a key up by string means decoding it to UTF-8 text for every revision. Here a
 * revision's key is hashed and compared as the bytes it is in the snapshot page; text is made
 * only when a report needs it.
 *
 * Layout: the key bytes one after another in `#arena`, each key's start in `#starts` (and its end
 * at the next start); an open-addressing table (linear probing, at most half full) of entry
 * numbers, with each entry's FNV-1a hash kept to skip most byte comparisons and to grow without
 * rehashing the bytes. Arrays grow by doubling, so memory is at most about twice what is used.
 *
 * @module
 */
import { fromUtf8 } from '@atrest/core';
import { grown } from './_grow.js';

function fnv1a32(b: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ (b[i] as number), 0x01000193);
  return h >>> 0;
}

/** @internal */
export class KeyIndex {
  #arena = new Uint8Array(1 << 16);
  #used = 0;
  /** Entry i's bytes are `#arena[#starts[i] .. #starts[i + 1])`. */
  #starts = new Float64Array(1 << 10);
  #hashes = new Uint32Array(1 << 10);
  #values = new Int32Array(1 << 10);
  #size = 0;
  /** Entry number + 1 per bucket, 0 when empty. */
  #table = new Int32Array(1 << 11);

  /** Number of keys. */
  get size(): number {
    return this.#size;
  }

  #bytes(entry: number): Uint8Array {
    return this.#arena.subarray(this.#starts[entry] as number, this.#starts[entry + 1] as number);
  }

  #equals(entry: number, key: Uint8Array): boolean {
    const start = this.#starts[entry] as number;
    if ((this.#starts[entry + 1] as number) - start !== key.length) return false;
    const arena = this.#arena;
    for (let i = 0; i < key.length; i++) if (arena[start + i] !== key[i]) return false;
    return true;
  }

  /** The entry for `key`, or -1. */
  #find(key: Uint8Array, hash: number): number {
    const table = this.#table;
    const mask = table.length - 1;
    for (let b = hash & mask; ; b = (b + 1) & mask) {
      const e = (table[b] as number) - 1;
      if (e < 0) return -1;
      if (this.#hashes[e] === hash && this.#equals(e, key)) return e;
    }
  }

  /**
   * The value stored for `key`, or -1.
   * @param key - the key bytes (not retained)
   */
  get(key: Uint8Array): number {
    const e = this.#find(key, fnv1a32(key));
    return e < 0 ? -1 : (this.#values[e] as number);
  }

  /**
   * Add `key` (which must be absent) with `value`.
   * @param key - the key bytes (copied)
   * @param value - a non-negative integer
   * @returns the key's entry number, for {@link KeyIndex.text}
   */
  add(key: Uint8Array, value: number): number {
    const hash = fnv1a32(key);
    const e = this.#size;
    if (e + 2 > this.#starts.length) this.#growEntries();
    if (this.#used + key.length > this.#arena.length) this.#growArena(this.#used + key.length);
    this.#arena.set(key, this.#used);
    this.#starts[e] = this.#used;
    this.#used += key.length;
    this.#starts[e + 1] = this.#used;
    this.#hashes[e] = hash;
    this.#values[e] = value;
    this.#size = e + 1;
    if (2 * this.#size > this.#table.length) this.#rehash(this.#table.length * 2);
    else this.#place(e, hash);
    return e;
  }

  /** The exact bytes of entry `entry`'s key (a copy). */
  bytes(entry: number): Uint8Array {
    return this.#bytes(entry).slice();
  }

  /** The key of entry `entry` as text (UTF-8, invalid bytes as U+FFFD, like `fromUtf8`). */
  text(entry: number): string {
    return fromUtf8(this.#bytes(entry));
  }

  #place(e: number, hash: number): void {
    const table = this.#table;
    const mask = table.length - 1;
    let b = hash & mask;
    while (table[b] !== 0) b = (b + 1) & mask;
    table[b] = e + 1;
  }

  #rehash(size: number): void {
    this.#table = new Int32Array(size);
    for (let e = 0; e < this.#size; e++) this.#place(e, this.#hashes[e] as number);
  }

  #growEntries(): void {
    const n = this.#starts.length * 2;
    this.#starts = grown(this.#starts, n);
    this.#hashes = grown(this.#hashes, n);
    this.#values = grown(this.#values, n);
  }

  #growArena(needed: number): void {
    let n = this.#arena.length * 2;
    while (n < needed) n *= 2;
    const a = new Uint8Array(n);
    a.set(this.#arena.subarray(0, this.#used));
    this.#arena = a;
  }
}
