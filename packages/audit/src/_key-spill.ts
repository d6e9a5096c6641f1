/**
 * Per-key audit state on disk, for sources with more keys than an audit keeps in memory.
 *
 * Once an audit spills, what its one {@link KeyBook} knew of each audited key becomes a *state*
 * record, and every later put or delete of an audited key becomes a record too (already
 * classified: values are decrypted once, while the source is read). Each key's records go to one
 * of {@link PARTITIONS} files, chosen by a hash of the key, in the order they came, so a key's
 * revisions stay in ascending order. At the end each partition is replayed into a fresh book,
 * which settles its keys as the one book would have: memory is one partition's keys at a time.
 *
 * A record: tag, key length and key bytes, resource index, then
 * - put: revision, classification index, decode error (its UTF-8 length + 1, 0 for none, then
 *   the text), and whether its object names another resource (0 or 1, then that resource, its
 *   apiVersion and kind as texts);
 * - tombstone: revision;
 * - state: deleted (0 or 1), tombstones, pending put (classification + 1, 0 for none; then its
 *   revision and decode error), plaintext history (count, then each revision).
 * Numbers are LEB128 varints. Records hold key names, revision numbers and classification
 * indexes: never values, plaintext or key material.
 *
 * @module
 */
import { fnv1a32, FNV_OFFSET, putVarint, varintAt, varintSize } from './_bytes.js';
import type { KeyBook, Mismatch } from './_key-book.js';
import type { KeyState } from './_key-states.js';
import { SpillFiles } from './_spill-files.js';

/** Files keys are spread over: the most keys held in memory at the end is a 64th of them. @internal */
export const PARTITIONS = 64;

const PUT = 1;
const TOMBSTONE = 2;
const STATE = 3;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Reads one record's fields in order (one reader for a whole replay: no allocation per record). */
class RecordReader {
  #r: Uint8Array = new Uint8Array(0);
  /** The next field's offset. */
  at = 0;

  /** Read `r` from just after its tag. */
  start(r: Uint8Array): void {
    this.#r = r;
    this.at = 1;
  }

  varint(): number {
    const n = varintAt(this.#r, this.at);
    this.at += varintSize(n);
    return n;
  }

  /** An optional text: its UTF-8 length + 1 (0: none), then its bytes. */
  text(): string | undefined {
    const n = this.varint();
    if (n === 0) return undefined;
    const s = decoder.decode(this.#r.subarray(this.at, this.at + n - 1));
    this.at += n - 1;
    return s;
  }
}

/** @internal */
export class KeySpill {
  readonly #files: SpillFiles;
  #scratch = new Uint8Array(4096);
  #at = 0;

  /**
   * @param parent - where the temporary files are made (default: the system's temporary directory)
   * @throws AtrestError (`ERR_INVALID_ARGUMENT`, with `errno`) when they cannot be made
   */
  constructor(parent?: string) {
    this.#files = new SpillFiles(PARTITIONS, parent);
  }

  /** Bytes written to the temporary files so far. */
  get bytes(): number {
    return this.#files.bytes;
  }

  /** Start a record of `tag` for `key`, with room for `extra` more bytes. */
  #begin(tag: number, key: Uint8Array, resource: number, extra: number): void {
    const need = 1 + varintSize(key.length) + key.length + varintSize(resource) + extra;
    if (need > this.#scratch.length) this.#scratch = new Uint8Array(Math.max(need, this.#scratch.length * 2));
    const s = this.#scratch;
    s[0] = tag;
    let at = putVarint(s, 1, key.length);
    s.set(key, at);
    at += key.length;
    this.#at = putVarint(s, at, resource);
  }

  #varint(n: number): void {
    this.#at = putVarint(this.#scratch, this.#at, n);
  }

  /** An optional text as its UTF-8 length + 1 (0: none) and its bytes; room was made by #begin. */
  #text(bytes: Uint8Array | undefined): void {
    if (bytes === undefined) return this.#varint(0);
    this.#varint(bytes.length + 1);
    this.#scratch.set(bytes, this.#at);
    this.#at += bytes.length;
  }

  #end(key: Uint8Array): void {
    const p = Math.imul(fnv1a32(key, 0, key.length, FNV_OFFSET), 0x9e3779b1) >>> 0;
    this.#files.append(p % PARTITIONS, this.#scratch, this.#at);
  }

  /** A put of an audited key, classified. */
  put(key: Uint8Array, resource: number, revision: number, cls: number, decodeError: string | undefined, mismatch: Mismatch | undefined): void {
    const error = decodeError === undefined ? undefined : encoder.encode(decodeError);
    const texts = mismatch === undefined ? [] : [mismatch.typeResource, mismatch.apiVersion, mismatch.kind].map((t) => encoder.encode(t));
    this.#begin(PUT, key, resource, 40 + (error?.length ?? 0) + texts.reduce((n, t) => n + 10 + t.length, 0));
    this.#varint(revision);
    this.#varint(cls);
    this.#text(error);
    this.#scratch[this.#at++] = texts.length === 0 ? 0 : 1;
    for (const t of texts) this.#text(t);
    this.#end(key);
  }

  /** A delete of an audited key. */
  tombstone(key: Uint8Array, resource: number, revision: number): void {
    this.#begin(TOMBSTONE, key, resource, 10);
    this.#varint(revision);
    this.#end(key);
  }

  /** What a book knew of an audited key when the audit spilled. */
  state(key: Uint8Array, resource: number, state: KeyState): void {
    const p = state.pending;
    const error = p?.decodeError === undefined ? undefined : encoder.encode(p.decodeError);
    this.#begin(STATE, key, resource, 60 + (error?.length ?? 0) + 10 * state.plaintextHistory.length);
    this.#scratch[this.#at++] = state.deleted ? 1 : 0;
    this.#varint(state.tombstones);
    if (p === undefined) this.#varint(0);
    else {
      this.#varint(p.cls + 1);
      this.#varint(p.revision);
      this.#text(error);
    }
    this.#varint(state.plaintextHistory.length);
    for (const revision of state.plaintextHistory) this.#varint(revision);
    this.#end(key);
  }

  /**
   * Feed partition `p`'s records, in order, into `book` (a fresh one): its keys end as they would
   * have in one book that saw every revision.
   */
  replay(p: number, book: KeyBook): void {
    const c = new RecordReader();
    for (const r of this.#files.records(p)) {
      c.start(r);
      const keyLength = c.varint();
      const key = r.subarray(c.at, c.at + keyLength);
      c.at += keyLength;
      const resource = c.varint();
      const tag = r[0];
      if (tag === STATE) {
        const deleted = r[c.at++] === 1;
        const tombstones = c.varint();
        const cls = c.varint() - 1;
        let pending: KeyState['pending'];
        if (cls >= 0) {
          const revision = c.varint();
          const decodeError = c.text();
          pending = { cls, revision, ...(decodeError !== undefined ? { decodeError } : {}) };
        }
        const plaintextHistory: number[] = [];
        for (let n = c.varint(); n > 0; n--) plaintextHistory.push(c.varint());
        book.restore(key, resource, { deleted, tombstones, pending, plaintextHistory });
        continue;
      }
      let k = book.find(key);
      if (k < 0) k = book.add(key, resource);
      else book.settlePending(k);
      const revision = c.varint();
      if (tag === TOMBSTONE) book.tombstone(k, revision);
      else {
        const cls = c.varint();
        const decodeError = c.text();
        const mismatch = r[c.at++] === 1 ? { typeResource: c.text() ?? '', apiVersion: c.text() ?? '', kind: c.text() ?? '' } : undefined;
        book.put(k, decodeError === undefined ? { cls } : { cls, decodeError }, revision, undefined, mismatch);
      }
    }
  }

  /** Free the temporary files. Safe to call twice. */
  close(): void {
    this.#files.close();
  }
}
