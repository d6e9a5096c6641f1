/**
 * Memory for the values atrest hands back: stored bytes from writes, plaintexts from reads.
 *
 * Allocating a fresh `ArrayBuffer` costs about 0.8 us in V8, more than encrypting 1 KiB with
 * AES-NI, so small results are carved out of larger slabs, as Node's own `Buffer.allocUnsafe`
 * does. Each result is a `Uint8Array` view of exactly its own bytes; a slab is never reused, so
 * no two results ever share a byte.
 *
 * **What pooling changes for callers**, and why it is safe to keep on:
 * - `result.buffer` is the whole slab, not just the result, and `result.byteOffset` may be
 *   non-zero. Code that serializes `.buffer` (instead of the view) would send its neighbours too.
 *   To limit what such a bug could expose, stored bytes and plaintexts never share a slab:
 *   neighbours of a stored value are other stored (encrypted) values.
 * - A slab is freed when the last of its views is collected, so one small plaintext kept alive
 *   keeps up to 64 KiB of other plaintexts in memory too, and `wipe(plaintext)` zeroes exactly its
 *   own bytes. Long-lived processes that must limit how long plaintext stays in memory should turn
 *   pooling off.
 * - Slabs are marked untransferable: naming `result.buffer` in a transfer list copies it instead
 *   of detaching every neighbouring result.
 *
 * Results larger than {@link POOLED_MAX} bytes get their own `ArrayBuffer`. Turn pooling off with
 * {@link setOutputPooling}(false) (or `ATREST_POOLED_OUTPUT=0`), and every result is standalone.
 * Use `copyBytes(result)` when one value needs a buffer of its own.
 *
 * @module
 */
import { markUntransferable, poolingFromEnvironment } from '#output-platform';

/** Results up to this many bytes come from a slab. */
export const POOLED_MAX = 4096;
/** Slab size: sixteen maximal results. */
const SLAB_SIZE = 64 * 1024;

/** What a result holds: ciphertext to store, or decrypted plaintext. Each kind has its own slabs. */
export type OutputKind = 'stored' | 'plaintext';

/**
 * Transferring one result's `.buffer` to a worker would detach the whole slab, and with it every
 * neighbouring result. Node's own Buffer pool is marked untransferable for that reason; so are
 * these slabs: a transfer list naming one is ignored and the data copied (newer Node versions
 * refuse such a transfer instead).
 */
class Slab {
  #buffer = new ArrayBuffer(0);
  #offset = 0;

  take(length: number): Uint8Array {
    if (this.#offset + length > this.#buffer.byteLength) {
      this.#buffer = new ArrayBuffer(SLAB_SIZE);
      markUntransferable(this.#buffer);
      this.#offset = 0;
    }
    const view = new Uint8Array(this.#buffer, this.#offset, length);
    // Keep views 8-byte aligned: cheaper for the ciphers, and noble requires 4.
    this.#offset += (length + 7) & ~7;
    return view;
  }
}

const slabs: Record<OutputKind, Slab> = { stored: new Slab(), plaintext: new Slab() };

let pooling = poolingFromEnvironment();

/**
 * Zero-filled memory for one result of `length` bytes.
 *
 * @param kind - `stored` for values to write to etcd, `plaintext` for decrypted values
 * @param length - bytes
 * @returns a view of exactly `length` bytes, pooled when small and pooling is on
 * @example
 * ```ts
 * import { allocOutput } from '@atrest/core/internal';
 * const out = allocOutput('stored', 64); // out.length === 64
 * ```
 */
export function allocOutput(kind: OutputKind, length: number): Uint8Array {
  if (!pooling || length > POOLED_MAX || length === 0) return new Uint8Array(length);
  return slabs[kind].take(length);
}

/**
 * Turn slab pooling of small results on or off (see the module notes). Affects results
 * allocated afterwards.
 *
 * @param enabled - false: every result gets its own ArrayBuffer
 * @returns the previous setting
 * @example
 * ```ts
 * import { setOutputPooling } from '@atrest/core/internal';
 * const previous = setOutputPooling(false);
 * setOutputPooling(previous);
 * ```
 */
export function setOutputPooling(enabled: boolean): boolean {
  const previous = pooling;
  pooling = enabled;
  return previous;
}
