/**
 * Read-ahead into reusable buffers, so a walk over pages that lie one after another in the file
 * costs one system call per run of pages instead of one per page.
 *
 * Why: on the machines this was measured on, a positional `readSync` costs 4-8 us whatever its
 * size up to a few pages, and allocating a fresh 8 KiB `Uint8Array` costs ~2 us; a 1 MiB read costs
 * ~170 us. etcd's bucket `key` is mostly written in revision order, so its leaf pages mostly follow
 * each other in the file: reading ahead turns ~100 reads (and allocations) into one.
 *
 * Two windows share the budget. The *stream* window follows the walk: a miss at or just past its
 * end (within {@link GAP}) is sequential, and the amount read doubles each time, up to the window
 * (the usual sequential read-ahead). Any other miss goes to the small *side* window, so the
 * stream survives the short excursions a copy-on-write B+tree is full of: a leaf rewritten later
 * and hence stored elsewhere, amid leaves written in order; the next branch page. When the side
 * window is itself read sequentially up to its size, the walk has moved: the stream jumps there.
 * Every read is at least {@link MIN_READ} pages (a page and one overflow page, the size of a
 * typical Secret, are one read, not two).
 * On the 100,000-secret benchmark snapshot (392 MiB) this reads 1.03 times the file in ~1,600
 * reads; random access reads little more than it needs. Reads never go past `limit` (the end of
 * the bbolt data), and the buffers never grow: a request larger than the stream window is
 * answered `undefined` and the caller reads it on its own.
 *
 * Views returned by {@link ReadWindow.view} are **borrowed**: a later miss may overwrite them
 * ({@link ReadWindow.generation} counts misses).
 *
 * @module
 */

/** Fills `buf[0..length)` from the file at `position`, or throws. @internal */
export type Fill = (buf: Uint8Array, length: number, position: number) => void;

/** Largest side window. */
const SIDE = 64 * 1024;
/** A miss at most this many units past a window's end continues its run. */
const GAP = 8;
/** Smallest read, in units (pages). */
const MIN_READ = 2;

/** One buffer and the file range it holds. */
class Buffered {
  readonly buf: Uint8Array;
  start = 0;
  length = 0;
  /** Bytes the next sequential miss reads. */
  ahead: number;
  constructor(capacity: number, ahead: number) {
    this.buf = new Uint8Array(capacity);
    this.ahead = ahead;
  }
  holds(position: number, length: number): boolean {
    return position >= this.start && position + length <= this.start + this.length;
  }
  /** True when `position` continues this buffer's run: at or just past its end. */
  follows(position: number, gap: number): boolean {
    const end = this.start + this.length;
    return this.length > 0 && position >= end && position <= end + gap;
  }
}

/** @internal */
export class ReadWindow {
  readonly #stream: Buffered;
  readonly #side: Buffered | null;
  /** Smallest read and gap, in bytes. */
  readonly #min: number;
  readonly #gap: number;
  readonly #fill: Fill;
  #generation = 0;

  /**
   * @param capacity - bytes for both windows (at least `unit`); the side window takes a quarter,
   *   at most 64 KiB, when that is at least a page
   * @param unit - one page
   * @param fill - reads file bytes into a window
   */
  constructor(capacity: number, unit: number, fill: Fill) {
    const total = Math.max(capacity, unit);
    const side = Math.min(SIDE, Math.floor(total / 4 / unit) * unit);
    this.#min = MIN_READ * unit;
    this.#gap = GAP * unit;
    this.#side = side >= unit ? new Buffered(side, this.#min) : null;
    this.#stream = new Buffered(total - (this.#side === null ? 0 : side), this.#min);
    this.#fill = fill;
  }

  /** Counts refills: a view taken at another generation may have been overwritten. */
  get generation(): number {
    return this.#generation;
  }

  /** True when `bytes` is a view into one of the windows. */
  owns(bytes: Uint8Array): boolean {
    return bytes.buffer === this.#stream.buf.buffer || bytes.buffer === this.#side?.buf.buffer;
  }

  /** Size of the stream window: the largest request answered. */
  get capacity(): number {
    return this.#stream.buf.length;
  }

  #refill(w: Buffered, position: number, length: number, limit: number): Uint8Array {
    const n = Math.min(Math.max(length, w.ahead), w.buf.length, limit - position);
    // Forget the old range first: if the read fails, nothing stale is served afterwards.
    w.length = 0;
    this.#generation++;
    this.#fill(w.buf, n, position);
    w.start = position;
    w.length = n;
    return w.buf.subarray(0, length);
  }

  /**
   * The file bytes `[position, position + length)`, as a view valid until a later miss.
   * @param limit - reads stop here (the caller has checked `position + length <= limit`)
   * @returns the view, or `undefined` when `length` exceeds the stream window
   */
  view(position: number, length: number, limit: number): Uint8Array | undefined {
    const stream = this.#stream;
    const side = this.#side;
    if (stream.holds(position, length)) return stream.buf.subarray(position - stream.start, position - stream.start + length);
    if (side?.holds(position, length)) return side.buf.subarray(position - side.start, position - side.start + length);
    if (length > stream.buf.length) return undefined;
    if (stream.follows(position, this.#gap)) {
      stream.ahead = Math.min(stream.buf.length, stream.ahead * 2);
      return this.#refill(stream, position, length, limit);
    }
    if (stream.length === 0 || side === null || length > side.buf.length) {
      stream.ahead = this.#min;
      return this.#refill(stream, position, length, limit);
    }
    if (side.follows(position, this.#gap)) {
      if (side.ahead >= side.buf.length) {
        // Read sequentially as far as the side window goes: the walk has moved. Follow it.
        stream.ahead = Math.min(stream.buf.length, side.buf.length * 2);
        side.length = 0;
        side.ahead = this.#min;
        return this.#refill(stream, position, length, limit);
      }
      side.ahead = Math.min(side.buf.length, side.ahead * 2);
    } else side.ahead = this.#min;
    return this.#refill(side, position, length, limit);
  }

  /** Drop both windows' contents. */
  clear(): void {
    for (const w of [this.#stream, this.#side]) {
      if (w === null) continue;
      w.length = 0;
      w.ahead = this.#min;
    }
    this.#generation++;
  }
}
