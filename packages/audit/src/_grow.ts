/**
 * Growing the typed arrays the audit's key tables are built on.
 * @module
 */

/** The typed arrays the key tables use. */
export type Column = Float64Array | Uint32Array | Int32Array | Uint8Array;

/** A copy of `old` in an array of the same type and `length` elements, the rest zero. @internal */
export function grown<T extends Column>(old: T, length: number): T {
  const a = new (old.constructor as new (length: number) => T)(length);
  a.set(old);
  return a;
}
