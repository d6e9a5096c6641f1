/**
 * Read-ahead into one reusable buffer, so a walk over pages that lie one after another in the file
 * costs one system call per window instead of one per page.
 *
 * Why: on the machines this was measured on, a positional `readSync` costs 4-8 us whatever its
 * size up to a few pages, and allocating a fresh 8 KiB `Uint8Array` costs ~2 us; a 1 MiB read costs
 * ~170 us. etcd's bucket `key` is mostly written in revision order, so its leaf pages mostly follow
 * each other in the file: reading ahead turns ~250 reads (and allocations) into one.
 *
 * The policy is the usual sequential read-ahead: the amount read on a miss starts at one page,
 * doubles while misses land at or just past the end of the previous window, and falls back to a
 * quarter when a miss lands elsewhere, so random access reads little more than it needs. Reads
 * never go past `limit` (the end of the bbolt data), and the buffer never grows: a request larger
 * than the window is answered `undefined` and the caller reads it on its own.
 *
 * Views returned by {@link ReadWindow.view} are **borrowed**: the next miss overwrites them.
 *
 * @module
 */

/** Fills `buf[0..length)` from the file at `position`, or throws. @internal */
export type Fill = (buf: Uint8Array, length: number, position: number) => void;

/** @internal */
export class ReadWindow {
  readonly #buf: Uint8Array;
  readonly #unit: number;
  readonly #fill: Fill;
  #start = 0;
  #length = 0;
  #ahead: number;
  #generation = 0;

  /**
   * @param capacity - window size in bytes (at least `unit`)
   * @param unit - the smallest read (one page)
   * @param fill - reads file bytes into the window
   */
  constructor(capacity: number, unit: number, fill: Fill) {
    this.#buf = new Uint8Array(Math.max(capacity, unit));
    this.#unit = unit;
    this.#ahead = unit;
    this.#fill = fill;
  }

  /** Counts refills: a view taken at another generation has been overwritten. */
  get generation(): number {
    return this.#generation;
  }

  /** True when `bytes` is a view into this window's buffer. */
  owns(bytes: Uint8Array): boolean {
    return bytes.buffer === this.#buf.buffer;
  }

  /** Window size in bytes. */
  get capacity(): number {
    return this.#buf.length;
  }

  /**
   * The file bytes `[position, position + length)`, as a view valid until the next call that misses.
   * @param limit - reads stop here (the caller has checked `position + length <= limit`)
   * @returns the view, or `undefined` when `length` exceeds the window
   */
  view(position: number, length: number, limit: number): Uint8Array | undefined {
    const start = this.#start;
    if (position >= start && position + length <= start + this.#length) {
      return this.#buf.subarray(position - start, position - start + length);
    }
    const capacity = this.#buf.length;
    if (length > capacity) return undefined;
    const end = start + this.#length;
    const sequential = this.#length > 0 && position >= start && position <= end + this.#ahead;
    this.#ahead = sequential ? Math.min(capacity, this.#ahead * 2) : Math.max(this.#unit, this.#ahead >> 2);
    const n = Math.min(Math.max(length, this.#ahead), capacity, limit - position);
    // Forget the old range first: if the read fails, nothing stale is served afterwards.
    this.#length = 0;
    this.#generation++;
    this.#fill(this.#buf, n, position);
    this.#start = position;
    this.#length = n;
    return this.#buf.subarray(0, length);
  }

  /** Drop the window's contents. */
  clear(): void {
    this.#length = 0;
    this.#generation++;
    this.#ahead = this.#unit;
  }
}
