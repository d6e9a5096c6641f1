/**
 * The audit's per-key bookkeeping for one set of keys: the keys (`_key-index.ts`), what is known
 * of each (`_key-states.ts`), and the rules that settle a key's puts as history or latest into the
 * {@link Accumulator}.
 *
 * An audit keeps one book for all keys while they fit its memory budget. Past it, key state moves
 * to temporary files (`_key-spill.ts`), and at the end each partition of keys is replayed into a
 * fresh book of its own: the same rules, applied to the same revisions of each key in the same
 * order, so the report is the same.
 *
 * @module
 */
import { fromUtf8 } from '@atrest/core';
import type { Accumulator } from './_accumulator.js';
import type { Classifier, Outcome } from './_classifier.js';
import { KeyIndex } from './_key-index.js';
import { type KeyState, KeyStates, type PendingPut } from './_key-states.js';
import type { KeyName, KeyReport, RevisionSummary } from './report-types.js';

/** A key whose latest value is encrypted while old revisions hold plaintext. @internal */
export interface Leftover {
  readonly name: KeyName;
  readonly resource: string;
  readonly revisions: readonly number[];
}

/** A put whose object says it is another resource than its key's (see {@link KeyBook.put}). @internal */
export interface Mismatch {
  /** The resource the object's TypeMeta names. */
  readonly typeResource: string;
  readonly apiVersion: string;
  readonly kind: string;
}

/** Key `bytes` as the report names it: its text, and its base64 when the text is not exact. @internal */
export function keyNameOf(bytes: Uint8Array, text = fromUtf8(bytes)): KeyName {
  if (!text.includes('\uFFFD')) return { key: text };
  return { key: text, keyBase64: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64') };
}

/** @internal */
export class KeyBook {
  readonly #acc: Accumulator;
  readonly #classifier: Classifier;
  readonly #resources: readonly string[];
  readonly #index = new KeyIndex();
  readonly #keys: KeyStates;

  /**
   * @param acc - where settled puts are counted
   * @param classifier - where classification indexes are looked up
   * @param resources - resource names by index (shared with the audit, which adds to it)
   * @param details - keep every revision summary per key
   */
  constructor(acc: Accumulator, classifier: Classifier, resources: readonly string[], details: boolean) {
    this.#acc = acc;
    this.#classifier = classifier;
    this.#resources = resources;
    this.#keys = new KeyStates(details);
  }

  /** Number of keys. */
  get size(): number {
    return this.#keys.size;
  }

  /** The number of `key` (bytes not retained), or -1 when it is new. */
  find(key: Uint8Array): number {
    return this.#index.find(key);
  }

  /**
   * Add `key`, which must be new.
   * @param resource - its resource index, `OTHER` or `FILTERED`
   * @returns its number
   */
  add(key: Uint8Array, resource: number): number {
    const k = this.#index.add(key);
    if (this.#keys.add(resource) !== k) throw new Error('audit key tables out of step'); // a bug, not bad input
    return k;
  }

  resource(k: number): number {
    return this.#keys.resource(k);
  }

  /** Key `k` as the report names it. */
  keyName(k: number): KeyName {
    const bytes = this.#index.bytes(k);
    return keyNameOf(bytes);
  }

  /** A revision of key `k` came: its pending put, if any, is history now. */
  settlePending(k: number): void {
    const p = this.#keys.takePending(k);
    if (p !== undefined) this.#settleHistory(k, p);
  }

  #settleHistory(k: number, p: PendingPut): void {
    const resource = this.#resources[this.#keys.resource(k)] as string;
    if (this.#acc.history(() => this.keyName(k), resource, p.cls, p.revision)) this.#keys.addPlaintextHistory(k, p.revision);
    this.#keys.addHistory(k, p.summary);
  }

  /**
   * A put of key `k`, classified, becomes its pending put (call {@link KeyBook.settlePending}
   * first). A mismatch between its object and its key is a finding now, after the findings of the
   * put it settled, as in every order the key's revisions can come in.
   */
  put(k: number, outcome: Pick<Outcome, 'cls' | 'decodeError'>, revision: number, summary: RevisionSummary | undefined, mismatch: Mismatch | undefined): void {
    if (mismatch !== undefined) {
      const resource = this.#resources[this.#keys.resource(k)] as string;
      const id = this.#classifier.classification(outcome.cls).id;
      this.#acc.mismatch(this.keyName(k), revision, resource, id, mismatch.typeResource, mismatch.apiVersion, mismatch.kind);
    }
    this.#keys.put(k, outcome, revision, summary);
  }

  /** A delete of key `k` (call {@link KeyBook.settlePending} first). */
  tombstone(k: number, revision: number): void {
    this.#keys.tombstone(k, revision);
  }

  /** Key `k`'s state, to move it elsewhere; its pending put is taken. */
  takeState(k: number): KeyState {
    return this.#keys.take(k);
  }

  /** Add `key` with a state taken from another book (see {@link KeyBook.takeState}). */
  restore(key: Uint8Array, resource: number, state: KeyState): void {
    this.#keys.restore(this.add(key, resource), state);
  }

  /** Every key of this book, in number order. */
  *keys(): Generator<{ readonly k: number; readonly bytes: Uint8Array; readonly resource: number }> {
    for (let k = 0; k < this.#keys.size; k++) yield { k, bytes: this.#index.bytes(k), resource: this.#keys.resource(k) };
  }

  /**
   * The end of the source: every audited key is counted, and its pending put, unless a delete
   * followed it, is its latest.
   * @param leftovers - where keys with plaintext left in their history are added
   */
  settleAll(leftovers: Leftover[]): void {
    const keys = this.#keys;
    const acc = this.#acc;
    const plaintextHistory = keys.plaintextHistory();
    for (let k = 0; k < keys.size; k++) {
      const r = keys.resource(k);
      if (r < 0) continue;
      const deleted = keys.deleted(k);
      acc.key(deleted, keys.tombstones(k));
      const resource = this.#resources[r] as string;
      const last = keys.takePending(k);
      if (deleted || last === undefined) continue;
      let known: KeyName | undefined;
      const name = (): KeyName => (known ??= this.keyName(k));
      acc.latest(name, resource, last.cls, last.revision, last.decodeError);
      keys.setLatest(k, last.summary);
      const history = plaintextHistory.get(k);
      if (history !== undefined && this.#classifier.classification(last.cls).status === 'encrypted') {
        leftovers.push({ name: name(), resource, revisions: history });
      }
    }
  }

  /** With details: every audited key's revisions (after {@link KeyBook.settleAll}), unsorted. */
  reports(): { name: KeyName; report: KeyReport }[] {
    const keys = this.#keys;
    const out: { name: KeyName; report: KeyReport }[] = [];
    for (let k = 0; k < keys.size; k++) {
      const r = keys.resource(k);
      if (r < 0) continue;
      const name = this.keyName(k);
      const d = keys.details(k);
      out.push({
        name,
        report: {
          ...name,
          resource: this.#resources[r] as string,
          state: keys.deleted(k) ? 'deleted' : 'present',
          latest: d?.latest ?? null,
          history: d?.history ?? [],
          tombstones: d?.tombstones ?? [],
        },
      });
    }
    return out;
  }
}
