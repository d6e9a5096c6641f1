/**
 * The cache of unwrapped DEKs (KMS v1) and DEK sources (KMS v2), keyed by their wrapped form.
 *
 * Why a cache: every read of an envelope value needs its DEK, and unwrapping costs a plugin call
 * (a network round trip to an HSM or cloud KMS). kube-apiserver keeps unwrapped keys in memory,
 * keyed by the wrapped bytes stored next to the data; so does this.
 *
 * - **Bounded LRU**: at most `capacity` entries; the least recently used is dropped first (an
 *   entry is moved to the recent end lazily, see `#touch`; exact for capacities up to 3). A
 *   capacity of 0 or less disables caching (kms v1's `cachesize: -1`).
 * - **Optional TTL**: entries older than `ttlMs` are dropped on access (kms v2 uses upstream's 24h).
 * - **Coalescing**: concurrent misses on one key share one loader call, so a burst of reads of
 *   values under one DEK makes one plugin call, cache enabled or not.
 * - **Keys**: the wrapped bytes themselves for short inputs; longer inputs (kms v2 keys include
 *   annotations, up to 32 KiB) are replaced by an HMAC-SHA256 under a per-cache random key, so the
 *   cache's memory stays bounded by `capacity`, not by input sizes.
 * - **Redaction**: values hold key material (as transformers); the cache prints only its size in
 *   `toString`, `JSON.stringify` and `util.inspect`.
 *
 * @module
 */
import type { CryptoBackend } from '@atrest/core';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');
const RAW_KEY_MAX = 256;

interface Slot<V> {
  readonly value: V;
  storedAt: number;
  /** The cache's insertion counter when this entry was last placed at the recent end. */
  tick: number;
}

/** Options of {@link DekCache}. */
export interface DekCacheOptions {
  /** Maximum entries; `<= 0` disables storage (loads are still coalesced). */
  readonly capacity: number;
  /** Entries older than this many milliseconds are dropped; default: never. */
  readonly ttlMs?: number;
  /** Clock in milliseconds; default `Date.now`. */
  readonly now?: () => number;
  /** Supplies HMAC-SHA256 and the random hashing key. */
  readonly backend: CryptoBackend;
}

/** Bytes as a flat one-char-per-byte string (at most RAW_KEY_MAX bytes: one call's arguments). */
function latin1(bytes: Uint8Array): string {
  return String.fromCharCode.apply(null, bytes as unknown as number[]);
}

/** A bounded, coalescing LRU of values derived from key material. Internal. */
export class DekCache<V> {
  readonly #capacity: number;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #backend: CryptoBackend;
  readonly #hashKey: Uint8Array;
  readonly #slots = new Map<string, Slot<V>>();
  readonly #promoteAfter: number;
  #tick = 0;
  readonly #inflight = new Map<string, Promise<V>>();

  /** @param options - capacity, TTL, clock and backend */
  constructor(options: DekCacheOptions) {
    this.#capacity = Number.isFinite(options.capacity) ? Math.floor(options.capacity) : 0;
    this.#ttlMs = options.ttlMs ?? Number.POSITIVE_INFINITY;
    this.#now = options.now ?? Date.now;
    this.#backend = options.backend;
    this.#hashKey = options.backend.randomBytes(32);
    this.#promoteAfter = Math.max(1, Math.floor(this.#capacity / 2));
  }

  /** True when entries are kept at all. */
  get enabled(): boolean {
    return this.#capacity > 0;
  }

  /** Number of entries held now. */
  get size(): number {
    return this.#slots.size;
  }

  /**
   * The map key for some wrapped bytes: the bytes as a latin1 string when short, else a keyed hash.
   * The two forms are tagged so they can never collide.
   */
  keyOf(bytes: Uint8Array): string {
    if (bytes.length <= RAW_KEY_MAX) return `r${latin1(bytes)}`;
    return `h${latin1(this.#backend.hmacSha256(this.#hashKey, bytes))}`;
  }

  /** True when `key` is cached (without marking it used or checking its age). */
  has(key: string): boolean {
    return this.#slots.has(key);
  }

  /** @returns the cached value (marking it most recently used), or undefined */
  get(key: string): V | undefined {
    const slot = this.#slots.get(key);
    if (slot === undefined) return undefined;
    if (this.#ttlMs !== Number.POSITIVE_INFINITY && this.#now() - slot.storedAt >= this.#ttlMs) {
      this.#slots.delete(key);
      return undefined;
    }
    this.#touch(key, slot);
    return slot.value;
  }

  /**
   * Mark an entry most recently used. The Map's order is the LRU order, and moving an entry costs
   * a delete and an insert; an entry is moved only once it has drifted into the older half (at
   * least capacity/2 insertions since it was placed). An entry used since then is still among
   * the newer half, so eviction, which takes the oldest, cannot reach it before the older half.
   * For capacities up to 3 this is exact LRU.
   */
  #touch(key: string, slot: Slot<V>): void {
    if (this.#tick - slot.tick < this.#promoteAfter) return;
    this.#slots.delete(key);
    this.#slots.set(key, slot);
    slot.tick = ++this.#tick;
  }

  /** Store a value (no-op when disabled), evicting the least recently used beyond capacity. */
  set(key: string, value: V): void {
    if (this.#capacity <= 0) return;
    const now = this.#now();
    const existing = this.#slots.get(key);
    if (existing !== undefined && existing.value === value) {
      // Re-inserting the same value (kms v2 does on every write) refreshes its age.
      existing.storedAt = now;
      this.#touch(key, existing);
      return;
    }
    this.#slots.delete(key);
    this.#slots.set(key, { value, storedAt: now, tick: ++this.#tick });
    while (this.#slots.size > this.#capacity) {
      const oldest = this.#slots.keys().next();
      if (oldest.done === true) break;
      this.#slots.delete(oldest.value);
    }
  }

  /**
   * The value for `key`: from the cache, from a load already in flight, or from a new `loader`
   * call whose result is then cached. A failed load is not cached, and the next miss retries.
   */
  load(key: string, loader: () => Promise<V>): Promise<V> {
    const pending = this.#inflight.get(key);
    if (pending !== undefined) return pending;
    // The loader runs in a later microtask, after the in-flight entry exists, so even a loader
    // that throws synchronously leaves no stale entry behind.
    const p = Promise.resolve()
      .then(loader)
      .then((value) => {
        this.set(key, value);
        return value;
      })
      .finally(() => {
        this.#inflight.delete(key);
      });
    this.#inflight.set(key, p);
    return p;
  }

  /** Drop every entry. */
  clear(): void {
    this.#slots.clear();
  }

  /** @returns a redacted description */
  toString(): string {
    return `DekCache(${this.#slots.size}/${Math.max(this.#capacity, 0)} entries, redacted)`;
  }

  /** @returns a redacted description */
  toJSON(): string {
    return this.toString();
  }

  /** @returns a redacted description */
  [INSPECT](): string {
    return this.toString();
  }
}
