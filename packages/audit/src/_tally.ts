/**
 * Records keyed by names that come from the audited data (a resource is a segment of an etcd
 * key, a provider key's name is the config's), and their report order.
 *
 * - Names are own properties, even `__proto__`: a name like any other, never the prototype.
 * - The report lists names sorted (by UTF-16 code units, as `Array.prototype.sort` does), so a
 *   report does not depend on the order its source delivered revisions in.
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

/** A copy of `record` with its names in sorted order (values shared, not copied). @internal */
export function sortedRecord<V>(record: Record<string, V>): Record<string, V> {
  const out: Record<string, V> = {};
  for (const name of Object.keys(record).sort()) own(out, name, () => record[name] as V);
  return out;
}
