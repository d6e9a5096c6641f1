/**
 * Small byte helpers shared by every package. Nothing here touches secrets beyond copying them.
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * UTF-8 bytes of a string.
 * @example
 * ```ts
 * import { utf8 } from '@atrest/core';
 * utf8('k8s:enc:'); // Uint8Array(8)
 * ```
 */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/**
 * Decode UTF-8 bytes to a string (invalid sequences become U+FFFD).
 * @example
 * ```ts
 * import { fromUtf8, utf8 } from '@atrest/core';
 * fromUtf8(utf8('hi')); // 'hi'
 * ```
 */
export function fromUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/**
 * True when `data` starts with `prefix` (an empty prefix matches everything).
 * @example
 * ```ts
 * import { utf8 } from '@atrest/core';
 * import { hasPrefix } from '@atrest/core/internal';
 * hasPrefix(utf8('k8s:enc:aesgcm:v1:k:'), utf8('k8s:enc:')); // true
 * ```
 */
export function hasPrefix(data: Uint8Array, prefix: Uint8Array): boolean {
  const n = prefix.length;
  if (data.length < n) return false;
  for (let i = 0; i < n; i++) if (data[i] !== prefix[i]) return false;
  return true;
}

/**
 * True when `data[offset..]` starts with `prefix` (an empty prefix matches everything).
 * @example
 * ```ts
 * import { utf8 } from '@atrest/core';
 * import { hasPrefixAt } from '@atrest/core/internal';
 * hasPrefixAt(utf8('k8s:enc:aesgcm:v1:key1:'), 18, utf8('key1:')); // true
 * ```
 */
export function hasPrefixAt(data: Uint8Array, offset: number, prefix: Uint8Array): boolean {
  const n = prefix.length;
  if (data.length - offset < n) return false;
  for (let i = 0; i < n; i++) if (data[offset + i] !== prefix[i]) return false;
  return true;
}

/**
 * Concatenate byte arrays into one new array.
 * @example
 * ```ts
 * import { concatBytes } from '@atrest/core/internal';
 * concatBytes(new Uint8Array([1]), new Uint8Array([2, 3])); // Uint8Array [1, 2, 3]
 * ```
 */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/**
 * Compare two byte arrays in time that depends only on their lengths, not their contents.
 * Use it wherever secret-derived bytes are compared.
 * @example
 * ```ts
 * import { constantTimeEqual } from '@atrest/core';
 * constantTimeEqual(new Uint8Array([1]), new Uint8Array([1])); // true
 * ```
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/**
 * Overwrite a buffer with zeros. Use on key material and intermediate secrets you own.
 * @example
 * ```ts
 * import { wipe } from '@atrest/core';
 * const k = new Uint8Array([1, 2]); wipe(k); // k is now [0, 0]
 * ```
 */
export function wipe(...buffers: Uint8Array[]): void {
  for (const b of buffers) b.fill(0);
}

/**
 * An independent copy of `bytes`, as a plain `Uint8Array`.
 *
 * Use this, not `bytes.slice()`, wherever a copy is meant: callers pass Node `Buffer`s (a
 * `Uint8Array` subclass), and `Buffer#slice` returns a *view* of the same memory. A "copy" made
 * that way changes when the caller reuses its buffer, and is zeroed when the caller wipes it.
 *
 * @param bytes - any Uint8Array, Buffer included
 * @returns new memory holding the same bytes
 * @example
 * ```ts
 * import { copyBytes } from '@atrest/core/internal';
 * const b = Buffer.from([1, 2, 3]);
 * const c = copyBytes(b);
 * b.fill(0); // c is still [1, 2, 3]
 * ```
 */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}
