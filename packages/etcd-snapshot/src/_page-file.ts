/**
 * Positional, bounds-checked reads of a bbolt file, and its pages through a bounded cache.
 *
 * Nothing here reads the whole file: every read is `fs.readSync(fd, buf, 0, len, pos)` after
 * checking `pos + len` against the end of the bbolt data (the file size minus etcd's SHA-256
 * trailer), and memory for pages is bounded by the page budget however large the file is.
 *
 * Two ways to read pages, chosen by `readAhead`:
 *
 * - read-ahead (default): pages are served from a reusable window (`_read-window.ts`) that reads
 *   up to `readAhead` bytes at a time (at most the page budget). A page from {@link PageFile.page}
 *   is then **borrowed**: its bytes are valid until the next `page()` call. Callers that hold a
 *   page longer (a branch page while its children are walked) call {@link PageFile.keep}, which
 *   copies it into the LRU cache. Leaf pages, the bulk of a file, are never copied.
 * - exact (`readAhead: 0`): each page is read on its own into fresh memory and every page is
 *   cached, so pages stay valid as long as they are referenced.
 *
 * A page (bbolt `page.go`, little-endian): `id u64 | flags u16 | count u16 | overflow u32`, then
 * `count` elements. A page with `overflow = n` spans `1 + n` consecutive pages of the file. The id
 * stored in the header must equal the id it was reached by (bbolt asserts the same): a mismatch
 * means a wrong pointer or a wrong page size.
 *
 * @module
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { AtrestError, ErrorCode } from '@atrest/core';
import { invalidData } from './_errors.js';
import { WeightedLru } from './_lru.js';
import { ReadWindow } from './_read-window.js';

/** Size of a page header. */
export const PAGE_HEADER_SIZE = 16;

/** bbolt page flags. */
export const PageFlag = Object.freeze({ branch: 0x01, leaf: 0x02, meta: 0x04, freelist: 0x10 });

/** Little-endian u32 at `at`. @internal */
export const u32 = (b: Uint8Array, at: number): number =>
  ((b[at] as number) | ((b[at + 1] as number) << 8) | ((b[at + 2] as number) << 16) | ((b[at + 3] as number) << 24)) >>> 0;

/**
 * One page as read from the file, or an inline bucket's page embedded in a value.
 * @internal
 */
export interface Page {
  /** The page id (for an inline page: the id of the page holding the bucket value). */
  readonly id: number;
  readonly flags: number;
  readonly count: number;
  readonly overflow: number;
  /** The page's bytes from its header on (all `1 + overflow` pages). */
  readonly bytes: Uint8Array;
  /** Absolute file offset of `bytes[0]`, for error reports. */
  readonly fileOffset: number;
  /** True for an inline bucket's page. */
  readonly inline: boolean;
}

/**
 * Parse a page header at the start of `bytes`.
 * @internal
 */
export function pageFromBytes(bytes: Uint8Array, id: number, fileOffset: number, inline: boolean): Page {
  if (bytes.length < PAGE_HEADER_SIZE) {
    throw invalidData('page header is truncated', { pageId: id, offset: fileOffset, length: bytes.length });
  }
  return {
    id,
    flags: (bytes[8] as number) | ((bytes[9] as number) << 8),
    count: (bytes[10] as number) | ((bytes[11] as number) << 8),
    overflow: u32(bytes, 12),
    bytes,
    fileOffset,
    inline,
  };
}

/** An I/O failure as an AtrestError; the system error (ENOENT, EACCES, EIO) is its `cause`. */
function ioError(message: string, file: string, err: unknown, code: ErrorCode, offset?: number): AtrestError {
  const errno = (err as { code?: unknown } | null)?.code;
  return new AtrestError(code, message, { file, offset, errno: typeof errno === 'string' ? errno : undefined }, { cause: err });
}

/** Default read-ahead window, in bytes. */
export const DEFAULT_READ_AHEAD = 1 << 20;

/** @internal */
export class PageFile {
  readonly path: string;
  readonly fileSize: number;
  #fd: number | undefined;
  #limit: number;
  #pageSize = 0;
  #highWater = 0;
  #cache: WeightedLru<number, Page> = new WeightedLru(0);
  #window: ReadWindow | null = null;

  constructor(path: string) {
    this.path = path;
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (err) {
      throw ioError('cannot open the file', path, err, ErrorCode.InvalidArgument);
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw invalidData('not a regular file', { file: path });
      this.fileSize = st.size;
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    this.#fd = fd;
    this.#limit = this.fileSize;
  }

  /**
   * Fix the geometry once the meta page is known.
   * @param pageSize - bytes per page
   * @param highWater - first page id past the end of the database
   * @param dataEnd - end of bbolt data in the file (file size minus the trailer)
   * @param cachePages - page budget: cached pages, and the most the read-ahead window holds
   * @param readAhead - largest read-ahead in bytes; 0 reads each page on its own
   */
  configure(pageSize: number, highWater: number, dataEnd: number, cachePages: number, readAhead: number = DEFAULT_READ_AHEAD): void {
    this.#pageSize = pageSize;
    this.#highWater = highWater;
    this.#limit = dataEnd;
    this.#cache = new WeightedLru(cachePages);
    this.#window =
      readAhead > 0 ? new ReadWindow(Math.min(readAhead, cachePages * pageSize), pageSize, (buf, n, pos) => this.#fill(buf, n, pos)) : null;
  }

  get pageSize(): number {
    return this.#pageSize;
  }

  get highWater(): number {
    return this.#highWater;
  }

  #check(position: number, length: number, limit: number): void {
    if (this.#fd === undefined) throw invalidData('snapshot is closed', { file: this.path });
    if (!Number.isSafeInteger(position) || !Number.isSafeInteger(length) || position < 0 || length < 0 || position + length > limit) {
      throw invalidData('read past the end of the data: the file is truncated or a pointer is corrupt', {
        file: this.path,
        offset: position,
        length,
        dataEnd: limit,
      });
    }
  }

  /** Fill `buf[0..length)` from `position` (already bounds-checked). */
  #fill(buf: Uint8Array, length: number, position: number): void {
    const fd = this.#fd;
    if (fd === undefined) throw invalidData('snapshot is closed', { file: this.path });
    let done = 0;
    while (done < length) {
      let n: number;
      try {
        n = readSync(fd, buf, done, length - done, position + done);
      } catch (err) {
        throw ioError('cannot read the file', this.path, err, ErrorCode.InvalidData, position + done);
      }
      if (n === 0) {
        throw invalidData('unexpected end of file', { file: this.path, offset: position + done });
      }
      done += n;
    }
  }

  /** Read exactly `length` bytes at `position` into new memory, refusing anything past the data end. */
  readAt(position: number, length: number, limit: number = this.#limit): Uint8Array {
    this.#check(position, length, limit);
    const buf = new Uint8Array(length);
    this.#fill(buf, length, position);
    return buf;
  }

  /** Read `length` bytes at `position` into `buf` (reused by the caller); returns the filled view. */
  readInto(buf: Uint8Array, position: number, length: number, limit: number = this.#limit): Uint8Array {
    this.#check(position, length, limit);
    if (length > buf.length) throw new RangeError('readInto: buffer too small');
    this.#fill(buf, length, position);
    return buf.subarray(0, length);
  }

  /** The bytes at `[position, position + length)`: from the window when there is one (borrowed). */
  #bytes(position: number, length: number): Uint8Array {
    this.#check(position, length, this.#limit);
    const borrowed = this.#window?.view(position, length, this.#limit);
    if (borrowed !== undefined) return borrowed;
    const buf = new Uint8Array(length);
    this.#fill(buf, length, position);
    return buf;
  }

  /**
   * The tree page `pgid` (never a meta page), bounds-checked, header verified, overflow included.
   * With read-ahead on, the page is borrowed: valid until the next call (see {@link PageFile.keep}).
   * @param pgid - page id as stored (u64), as a number when it is a safe integer
   * @param context - where the pointer came from, for errors
   */
  page(pgid: number | bigint, context: Readonly<Record<string, string | number>>): Page {
    if (typeof pgid === 'bigint' ? pgid < 2n || pgid >= BigInt(this.#highWater) : pgid < 2 || pgid >= this.#highWater) {
      throw invalidData('page id out of range', { file: this.path, ...context, pageId: pgid.toString(), highWater: this.#highWater });
    }
    const id = Number(pgid);
    const cached = this.#cache.get(id);
    if (cached !== undefined) return cached;
    const offset = id * this.#pageSize;
    if (offset + this.#pageSize > this.#limit) {
      // Only a truncated file opened with truncated: 'tolerate' has pages below the high-water
      // mark past its end.
      throw invalidData('page past the end of the file: the file is truncated', { file: this.path, ...context, pageId: String(id), offset, dataEnd: this.#limit });
    }
    const first = this.#bytes(offset, this.#pageSize);
    const lo = u32(first, 0);
    const hi = u32(first, 4);
    if (lo !== id % 2 ** 32 || hi !== Math.floor(id / 2 ** 32)) {
      throw invalidData('page header id does not match the page it was reached at', {
        file: this.path,
        ...context,
        pageId: String(id),
        offset,
        storedId: ((BigInt(hi) << 32n) | BigInt(lo)).toString(),
      });
    }
    const overflow = u32(first, 12);
    let bytes = first;
    if (overflow > 0) {
      if (id + overflow >= this.#highWater) {
        throw invalidData('page overflow runs past the high-water mark', {
          file: this.path,
          ...context,
          pageId: String(id),
          offset,
          overflow,
          highWater: this.#highWater,
        });
      }
      bytes = this.#bytes(offset, (1 + overflow) * this.#pageSize);
    }
    const page = pageFromBytes(bytes, id, offset, false);
    if (this.#window === null) this.#cache.set(id, page, 1 + overflow);
    return page;
  }

  /** Changes whenever borrowed pages may have been overwritten (a read-ahead refill). */
  get generation(): number {
    return this.#window?.generation ?? 0;
  }

  /** True when `page` is borrowed from the read-ahead window (see {@link PageFile.generation}). */
  isBorrowed(page: Page): boolean {
    return this.#window?.owns(page.bytes) ?? false;
  }

  /**
   * A page that stays valid: with read-ahead on, a cached copy of a borrowed page; otherwise the
   * page itself (already fresh memory, already cached).
   */
  keep(page: Page): Page {
    if (this.#window === null || page.inline) return page;
    const kept = pageFromBytes(new Uint8Array(page.bytes), page.id, page.fileOffset, false);
    this.#cache.set(page.id, kept, 1 + page.overflow);
    return kept;
  }

  /** True once {@link PageFile.close} ran. */
  get closed(): boolean {
    return this.#fd === undefined;
  }

  close(): void {
    const fd = this.#fd;
    this.#fd = undefined;
    this.#cache.clear();
    this.#window?.clear();
    if (fd !== undefined) closeSync(fd);
  }
}
