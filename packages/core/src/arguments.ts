/**
 * Runtime checks of the arguments at atrest's public entry points.
 *
 * TypeScript's types vanish at run time, and JavaScript callers pass what they have: a string, a
 * `number[]`, a `Uint16Array`. Left unchecked, such a value is silently read as something else (a
 * string's `length` with no bytes behind it encrypts as zeros), so a secret could be stored as
 * garbage and the loss noticed only when it is read back. Every transformer's `read`, `readAt`,
 * `write` and `writeAfter` therefore checks its byte arguments first and throws the same
 * {@link AtrestError} (`ERR_INVALID_ARGUMENT`) on every backend. The error names the argument and
 * the kind of value received, never the value itself.
 *
 * The check costs one `instanceof` on the common path.
 * @module
 */
import { wipe } from './bytes.js';
import { AtrestError, ErrorCode } from './errors.js';
import type { ReadResult } from './transformer.js';

/** A short description of what a value is (`string`, `Array`, `Uint16Array`, `null`), never its content. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? name : 'object';
}

/**
 * True for a `Uint8Array` (a `Buffer` included), also one made in another realm (a `vm` context,
 * an iframe), where `instanceof` answers false.
 */
function isBytes(value: unknown): value is Uint8Array {
  return (
    value instanceof Uint8Array ||
    (ArrayBuffer.isView(value) && Object.prototype.toString.call(value) === '[object Uint8Array]')
  );
}

/**
 * Check that an argument is a `Uint8Array`.
 *
 * @param value - the argument as received
 * @param name - the parameter's name, used in the error (`plaintext`, `context`, `data`)
 * @throws AtrestError `ERR_INVALID_ARGUMENT` (`plaintext must be a Uint8Array, got string`), with
 *   `argument` and `received` in its context
 * @example
 * ```ts
 * import { checkBytes } from '@atrest/core/internal';
 * checkBytes(new Uint8Array(2), 'plaintext'); // passes
 * checkBytes('password=hunter2', 'plaintext'); // throws ERR_INVALID_ARGUMENT
 * ```
 */
export function checkBytes(value: unknown, name: string): asserts value is Uint8Array {
  if (!isBytes(value)) {
    const received = kindOf(value);
    throw new AtrestError(ErrorCode.InvalidArgument, `${name} must be a Uint8Array, got ${received}`, { argument: name, received });
  }
}

/**
 * Check that an offset is a whole number within `data` (`0 <= offset <= data.length`).
 *
 * @param offset - the argument as received
 * @param data - the bytes it indexes (already checked with {@link checkBytes})
 * @throws AtrestError `ERR_INVALID_ARGUMENT` naming the offset and the data's length
 * @example
 * ```ts
 * import { checkOffset } from '@atrest/core/internal';
 * checkOffset(3, new Uint8Array(8)); // passes
 * ```
 */
export function checkOffset(offset: unknown, data: Uint8Array): asserts offset is number {
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0 || offset > data.length) {
    throw new AtrestError(ErrorCode.InvalidArgument, `offset must be a whole number from 0 to ${data.length}`, {
      argument: 'offset',
      received: typeof offset === 'number' ? offset : kindOf(offset),
      length: data.length,
    });
  }
}

/**
 * The checks of a transformer's `readAt(data, offset, context)` (and of `read`, which is `readAt`
 * at offset 0).
 * @param data - stored bytes
 * @param offset - where the payload starts in `data`
 * @param context - the etcd key
 * @throws AtrestError `ERR_INVALID_ARGUMENT`
 * @example
 * ```ts
 * import { utf8 } from '@atrest/core';
 * import { checkReadArguments } from '@atrest/core/internal';
 * checkReadArguments(utf8('k8s:enc:aesgcm:v1:key1:...'), 0, utf8('/registry/secrets/default/db'));
 * ```
 */
export function checkReadArguments(data: unknown, offset: unknown, context: unknown): void {
  checkBytes(data, 'data');
  checkOffset(offset, data);
  checkBytes(context, 'context');
}

/**
 * The checks of a transformer's `writeAfter(header, plaintext, context)` (and of `write`, which is
 * `writeAfter` with an empty header).
 * @param header - bytes to put before the payload
 * @param plaintext - the bytes to store
 * @param context - the etcd key
 * @throws AtrestError `ERR_INVALID_ARGUMENT`
 * @example
 * ```ts
 * import { utf8 } from '@atrest/core';
 * import { checkWriteArguments } from '@atrest/core/internal';
 * checkWriteArguments(new Uint8Array(0), utf8('{"kind":"Secret"}'), utf8('/registry/secrets/default/db'));
 * ```
 */
export function checkWriteArguments(header: unknown, plaintext: unknown, context: unknown): void {
  checkBytes(header, 'header');
  checkBytes(plaintext, 'plaintext');
  checkBytes(context, 'context');
}

/** True when two views share at least one byte of the same buffer. */
function overlaps(a: Uint8Array, b: Uint8Array): boolean {
  if (a.buffer !== b.buffer || a.length === 0 || b.length === 0) return false;
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

/**
 * The checks of a hot-loop entry point's caller-provided output (`readInto`, `writeInto`): `out`
 * must be a Uint8Array of at least `needed` bytes that shares no byte with `input`.
 * @param out - the caller's output memory
 * @param needed - bytes the result needs
 * @param input - the call's input (`data` for reads, `plaintext` for writes)
 * @param inputName - its argument name, for the error
 * @throws AtrestError `ERR_INVALID_ARGUMENT` (`out must be a Uint8Array, got ...`,
 *   `out is too small: N bytes needed, M given` with `needed` and `length` in the context, or
 *   `out must not overlap data`)
 * @example
 * ```ts
 * import { checkOut } from '@atrest/core/internal';
 * checkOut(new Uint8Array(64), 48, new Uint8Array(16), 'plaintext');
 * ```
 */
export function checkOut(out: unknown, needed: number, input: Uint8Array, inputName: string): asserts out is Uint8Array {
  checkBytes(out, 'out');
  if (out.length < needed) {
    throw new AtrestError(ErrorCode.InvalidArgument, `out is too small: ${needed} bytes needed, ${out.length} given`, { argument: 'out', needed, length: out.length });
  }
  if (overlaps(out, input)) throw new AtrestError(ErrorCode.InvalidArgument, `out must not overlap ${inputName}`, { argument: 'out' });
}

/**
 * A read's plaintext moved into the caller's `out` (checked with {@link checkOut} now that its
 * length is known); the original plaintext is wiped either way, unless it is a view of `data`
 * itself (identity's reads are): the stored bytes are the caller's. For `readInto`
 * implementations whose cipher cannot write into `out` itself.
 */
export function copyInto(r: ReadResult, out: Uint8Array, data: Uint8Array): ReadResult {
  const n = r.plaintext.length;
  try {
    checkOut(out, n, data, 'data');
    out.set(r.plaintext, 0);
  } finally {
    if (!overlaps(r.plaintext, data)) wipe(r.plaintext);
  }
  const plaintext = out.subarray(0, n);
  return r.source === undefined ? { plaintext, stale: r.stale } : { plaintext, stale: r.stale, source: r.source };
}
