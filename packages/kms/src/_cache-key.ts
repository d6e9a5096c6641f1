/**
 * The KMS v2 DEK-cache key, laid out as upstream's `generateCacheKey`:
 *
 * ```
 * type (uint32 BE) | len16 | encryptedDEKSource | len16 | keyID | [count (uint32 BE) | (len16 | key | len16 | value)* sorted by key]
 * ```
 *
 * Why more than the wrapped bytes: the plugin's answer depends on the key ID and annotations sent
 * with the wrapped source, and the source type decides how the answer is used. Keying on all of
 * them means a value that reuses a wrapped DEK with another type or key ID cannot be served a
 * transformer unwrapped for a different request. Every field has been validated (source and key
 * ID <= 1024 bytes, annotations <= 32 KiB), so 16-bit lengths suffice.
 *
 * @module
 */
import { utf8 } from '@atrest/core';
import { sortedAnnotationKeys } from './_annotations.js';
import type { EncryptedObject } from './encrypted-object.js';

/**
 * @param o - a validated encrypted object
 * @returns the cache key bytes
 */
export function dekCacheKey(o: EncryptedObject): Uint8Array {
  const keyID = utf8(o.keyID);
  const entries = sortedAnnotationKeys(o.annotations);
  let size = 4 + 2 + o.encryptedDEKSource.length + 2 + keyID.length;
  if (entries.length > 0) {
    size += 4;
    for (const [k, kb] of entries) size += 4 + kb.length + (o.annotations[k] as Uint8Array).length;
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let off = 0;
  const put16 = (b: Uint8Array): void => {
    view.setUint16(off, b.length);
    out.set(b, off + 2);
    off += 2 + b.length;
  };
  view.setUint32(off, o.encryptedDEKSourceType >>> 0);
  off += 4;
  put16(o.encryptedDEKSource);
  put16(keyID);
  if (entries.length > 0) {
    view.setUint32(off, entries.length);
    off += 4;
    for (const [k, kb] of entries) {
      put16(kb);
      put16(o.annotations[k] as Uint8Array);
    }
  }
  return out;
}
