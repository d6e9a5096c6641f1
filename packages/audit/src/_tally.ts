/**
 * Counters keyed by name whose report lists names in the order they were first counted *in the
 * snapshot's revision order*, whatever order the counting happens in.
 *
 * Why: the report's JSON objects (`byProviderKey`, `byResource`, ...) list names in insertion
 * order. The two-pass audit counted every revision in revision order; the single pass knows
 * whether a revision is a key's latest only when a later revision of the key (or the end) comes,
 * so it counts out of order. Each name keeps the smallest position it was counted at, and the
 * record is built sorted by it: the same JSON as before.
 *
 * Names come from snapshot data (a resource is a segment of an etcd key), so records get them as
 * own properties: `__proto__` is a name like any other, never the prototype.
 *
 * @module
 */

/**
 * `record[name]`, made by `make` when absent, as an own property even for `__proto__`.
 * @internal
 */
export function own<V>(record: Record<string, V>, name: string, make: () => V): V {
  if (Object.hasOwn(record, name)) return record[name] as V;
  const value = make();
  Object.defineProperty(record, name, { value, enumerable: true, writable: true, configurable: true });
  return value;
}

/** Add `n` to `record[name]` (an own property, see {@link own}). @internal */
export function bump(record: Record<string, number>, name: string, n = 1): void {
  if (Object.hasOwn(record, name)) record[name] = (record[name] as number) + n;
  else own(record, name, () => n);
}

/** @internal */
export class OrderedRecords<V> {
  readonly #entries = new Map<string, { value: V; first: number }>();

  /**
   * The value for `name`, made by `make` on first use.
   * @param position - where in the revision order this use is (any order of calls)
   */
  at(name: string, position: number, make: () => V): V {
    let e = this.#entries.get(name);
    if (e === undefined) {
      e = { value: make(), first: position };
      this.#entries.set(name, e);
    } else if (position < e.first) e.first = position;
    return e.value;
  }

  /** A plain record, names in the order of their first position. */
  toRecord(): Record<string, V> {
    const out: Record<string, V> = {};
    for (const [name, e] of [...this.#entries].sort((a, b) => a[1].first - b[1].first)) own(out, name, () => e.value);
    return out;
  }
}

/** @internal */
export class OrderedTally {
  readonly #records = new OrderedRecords<{ n: number }>();

  /** Count one for `name` at `position`. */
  add(name: string, position: number): void {
    this.#records.at(name, position, () => ({ n: 0 })).n++;
  }

  /** `{ name: count }`, names in the order of their first position. */
  toRecord(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, c] of Object.entries(this.#records.toRecord())) own(out, name, () => c.n);
    return out;
  }
}
