/**
 * Ordering of kms v2 annotations. Go's map has no order; wherever order matters to us (encoding,
 * cache keys, the order of validation messages) keys are sorted by their UTF-8 bytes, which is
 * Go's `sort.Strings` order and what upstream's cache key uses.
 *
 * @module
 */
import { utf8 } from '@atrest/core';
import { compareBytes } from '@atrest/core/go';

/**
 * @param annotations - annotation map
 * @returns `[key, keyUtf8Bytes]` pairs sorted by the key's bytes
 */
export function sortedAnnotationKeys(annotations: Readonly<Record<string, Uint8Array>>): [string, Uint8Array][] {
  return Object.keys(annotations)
    .map((k): [string, Uint8Array] => [k, utf8(k)])
    .sort((a, b) => compareBytes(a[1], b[1]));
}
