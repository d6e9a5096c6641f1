/**
 * A small least-recently-used cache with a weight budget (page reads are weighted by how many
 * bbolt pages they span, so one huge overflow value cannot evict the whole cache or grow memory
 * past the budget). A `Map` keeps insertion order; re-inserting on hit makes it recency order.
 *
 * @module
 */

/** @internal */
export class WeightedLru<K, V> {
  readonly #entries = new Map<K, { value: V; weight: number }>();
  readonly #budget: number;
  #weight = 0;

  /** @param budget - total weight kept; an item heavier than this is never cached */
  constructor(budget: number) {
    this.#budget = budget;
  }

  get(key: K): V | undefined {
    const hit = this.#entries.get(key);
    if (hit === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, hit);
    return hit.value;
  }

  set(key: K, value: V, weight: number): void {
    if (weight > this.#budget) return;
    const old = this.#entries.get(key);
    if (old !== undefined) {
      this.#entries.delete(key);
      this.#weight -= old.weight;
    }
    this.#entries.set(key, { value, weight });
    this.#weight += weight;
    for (const [k, e] of this.#entries) {
      if (this.#weight <= this.#budget) break;
      this.#entries.delete(k);
      this.#weight -= e.weight;
    }
  }

  /** Current total weight (for tests of the memory bound). */
  get weight(): number {
    return this.#weight;
  }

  clear(): void {
    this.#entries.clear();
    this.#weight = 0;
  }
}
