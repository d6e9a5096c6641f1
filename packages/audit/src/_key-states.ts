/**
 * What the audit remembers per etcd key, in typed arrays indexed by the key's number in the
 * audit's `KeyIndex` (21 bytes a key): its resource,
 * whether it ends deleted, how many tombstones it has, and its *pending* put: the last put seen
 * so far, classified, whose fate (latest or history) is decided by what comes next for the key.
 * A later put or a delete turns it into history; the end of the source makes it the latest.
 *
 * The rest is rare and kept aside in maps: a pending value's decode error and plaintext revisions
 * in a key's history (needed once the latest is known). With `details`, every revision summary is
 * kept per key, as the report then lists them.
 *
 * @module
 */
import type { Outcome } from './_classifier.js';
import type { RevisionSummary } from './report-types.js';
import { grown } from './_grow.js';

/** Resource index of keys that are not objects (counted, not audited). @internal */
export const OTHER = -1;
/** Resource index of keys of a resource the audit was told to leave out. @internal */
export const FILTERED = -2;

/** A settled-later put, kept aside (see the module doc). @internal */
export interface PendingPut {
  readonly cls: number;
  readonly revision: number;
  readonly decodeError?: string;
  readonly summary?: RevisionSummary;
}

/** What is known of a key without details, as it moves from one table to another. @internal */
export interface KeyState {
  readonly deleted: boolean;
  readonly tombstones: number;
  /** The key's pending put, if any. */
  readonly pending: { readonly cls: number; readonly revision: number; readonly decodeError?: string } | undefined;
  /** Plaintext revisions of the key's history, ascending. */
  readonly plaintextHistory: readonly number[];
}

/** @internal */
export interface KeyDetails {
  latest: RevisionSummary | null;
  readonly history: RevisionSummary[];
  readonly tombstones: number[];
}

/** @internal */
export class KeyStates {
  #size = 0;
  #resource = new Int32Array(1024);
  #deleted = new Uint8Array(1024);
  #tombstones = new Uint32Array(1024);
  /** The pending put's classification, or -1 for none. */
  #cls = new Int32Array(1024);
  #revision = new Float64Array(1024);
  readonly #decodeErrors = new Map<number, string>();
  readonly #plaintextHistory = new Map<number, number[]>();
  readonly #details: (KeyDetails | undefined)[] | null;

  /** @param details - keep every revision summary per key */
  constructor(details: boolean) {
    this.#details = details ? [] : null;
  }

  get size(): number {
    return this.#size;
  }

  /** Grow every column by half again (as `KeyIndex` does): at most a third of them is slack. */
  #grow(): void {
    const n = Math.ceil(this.#resource.length * 1.5);
    this.#resource = grown(this.#resource, n);
    this.#deleted = grown(this.#deleted, n);
    this.#tombstones = grown(this.#tombstones, n);
    this.#cls = grown(this.#cls, n);
    this.#revision = grown(this.#revision, n);
  }

  /**
   * A new key: the next number, which must be the one `KeyIndex.add` gave it.
   * @param resource - resource index, {@link OTHER} or {@link FILTERED}
   * @returns its key number
   */
  add(resource: number): number {
    const k = this.#size;
    if (k === this.#resource.length) this.#grow();
    this.#resource[k] = resource;
    this.#cls[k] = -1;
    this.#size = k + 1;
    return k;
  }

  resource(k: number): number {
    return this.#resource[k] as number;
  }

  deleted(k: number): boolean {
    return this.#deleted[k] === 1;
  }

  tombstones(k: number): number {
    return this.#tombstones[k] as number;
  }

  details(k: number): KeyDetails | undefined {
    return this.#details?.[k];
  }

  #detailsOf(k: number): KeyDetails | undefined {
    const all = this.#details;
    if (all === null) return undefined;
    return (all[k] ??= { latest: null, history: [], tombstones: [] });
  }

  /** The pending put of key `k`, if any; none afterwards. */
  takePending(k: number): PendingPut | undefined {
    const cls = this.#cls[k] as number;
    if (cls < 0) return undefined;
    const decodeError = this.#decodeErrors.get(k);
    if (decodeError !== undefined) this.#decodeErrors.delete(k);
    const d = this.#details?.[k];
    const summary = d?.latest ?? undefined;
    if (d !== undefined) d.latest = null;
    this.#cls[k] = -1;
    return {
      cls,
      revision: this.#revision[k] as number,
      ...(decodeError !== undefined ? { decodeError } : {}),
      ...(summary !== undefined ? { summary } : {}),
    };
  }

  /** Make `outcome` the pending put of key `k` (its previous one must have been taken). */
  put(k: number, outcome: Outcome, revision: number, summary: RevisionSummary | undefined): void {
    this.#cls[k] = outcome.cls;
    this.#revision[k] = revision;
    this.#deleted[k] = 0;
    if (outcome.decodeError !== undefined) this.#decodeErrors.set(k, outcome.decodeError);
    const d = this.#detailsOf(k);
    if (d !== undefined && summary !== undefined) d.latest = summary;
  }

  /** A delete of key `k` at `revision` (its pending put must have been taken). */
  tombstone(k: number, revision: number): void {
    this.#deleted[k] = 1;
    this.#tombstones[k] = (this.#tombstones[k] as number) + 1;
    this.#detailsOf(k)?.tombstones.push(revision);
  }

  /** Keep the latest revision's summary (details only). */
  setLatest(k: number, summary: RevisionSummary | undefined): void {
    const d = this.#detailsOf(k);
    if (d !== undefined && summary !== undefined) d.latest = summary;
  }

  /** Keep a history revision's summary (details only). */
  addHistory(k: number, summary: RevisionSummary | undefined): void {
    if (summary !== undefined) this.#detailsOf(k)?.history.push(summary);
  }

  /** Remember a plaintext revision of key `k`'s history. */
  addPlaintextHistory(k: number, revision: number): void {
    const list = this.#plaintextHistory.get(k);
    if (list === undefined) this.#plaintextHistory.set(k, [revision]);
    else list.push(revision);
  }

  /** Key `k`'s state (not its details), to move it to another table; its pending put is taken. */
  take(k: number): KeyState {
    return {
      deleted: this.deleted(k),
      tombstones: this.tombstones(k),
      pending: this.takePending(k),
      plaintextHistory: this.#plaintextHistory.get(k) ?? [],
    };
  }

  /** Give the new key `k` a state taken from another table. */
  restore(k: number, state: KeyState): void {
    this.#deleted[k] = state.deleted ? 1 : 0;
    this.#tombstones[k] = state.tombstones;
    const p = state.pending;
    if (p !== undefined) {
      this.#cls[k] = p.cls;
      this.#revision[k] = p.revision;
      if (p.decodeError !== undefined) this.#decodeErrors.set(k, p.decodeError);
    }
    if (state.plaintextHistory.length > 0) this.#plaintextHistory.set(k, [...state.plaintextHistory]);
  }

  /** Keys with plaintext in their history, and those revisions (ascending). */
  plaintextHistory(): ReadonlyMap<number, readonly number[]> {
    return this.#plaintextHistory;
  }
}
