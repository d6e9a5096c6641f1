/**
 * Positional, bounds-checked reads of a bbolt file, and its pages through a bounded LRU cache.
 *
 * Nothing here reads the whole file: every read is `fs.readSync(fd, buf, 0, len, pos)` of exactly
 * the bytes asked for, after checking `pos + len` against the end of the bbolt data (the file size
 * minus etcd's SHA-256 trailer). Pages are cached by id with a budget counted in bbolt pages, so
 * memory stays flat however large the file is.
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
import { invalidData, safeNumber } from './_errors.js';
import { WeightedLru } from './_lru.js';

/** Size of a page header. */
export const PAGE_HEADER_SIZE = 16;

/** bbolt page flags. */
export const PageFlag = Object.freeze({ branch: 0x01, leaf: 0x02, meta: 0x04, freelist: 0x10 });

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
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    id,
    flags: view.getUint16(8, true),
    count: view.getUint16(10, true),
    overflow: view.getUint32(12, true),
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

/** @internal */
export class PageFile {
  readonly path: string;
  readonly fileSize: number;
  #fd: number | undefined;
  #limit: number;
  #pageSize = 0;
  #highWater = 0;
  #cache: WeightedLru<number, Page> = new WeightedLru(0);

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
   * @param cachePages - cache budget in pages
   */
  configure(pageSize: number, highWater: number, dataEnd: number, cachePages: number): void {
    this.#pageSize = pageSize;
    this.#highWater = highWater;
    this.#limit = dataEnd;
    this.#cache = new WeightedLru(cachePages);
  }

  get pageSize(): number {
    return this.#pageSize;
  }

  get highWater(): number {
    return this.#highWater;
  }

  /** Read exactly `length` bytes at `position`, refusing anything past the data end. */
  readAt(position: number, length: number, limit: number = this.#limit): Uint8Array {
    const fd = this.#fd;
    if (fd === undefined) throw invalidData('snapshot is closed', { file: this.path });
    if (!Number.isSafeInteger(position) || !Number.isSafeInteger(length) || position < 0 || length < 0 || position + length > limit) {
      throw invalidData('read past the end of the data: the file is truncated or a pointer is corrupt', {
        file: this.path,
        offset: position,
        length,
        dataEnd: limit,
      });
    }
    const buf = new Uint8Array(length);
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
    return buf;
  }

  /**
   * The tree page `pgid` (never a meta page), bounds-checked, header verified, overflow included.
   * @param pgid - page id as stored (u64)
   * @param context - where the pointer came from, for errors
   */
  page(pgid: bigint, context: Readonly<Record<string, string | number>>): Page {
    const ctx = { file: this.path, ...context, pageId: pgid.toString() };
    if (pgid < 2n || pgid >= BigInt(this.#highWater)) {
      throw invalidData('page id out of range', { ...ctx, highWater: this.#highWater });
    }
    const id = safeNumber(pgid, 'page id', ctx);
    const cached = this.#cache.get(id);
    if (cached !== undefined) return cached;
    const offset = id * this.#pageSize;
    const first = this.readAt(offset, this.#pageSize);
    const view = new DataView(first.buffer, first.byteOffset, first.byteLength);
    const storedId = view.getBigUint64(0, true);
    if (storedId !== pgid) {
      throw invalidData('page header id does not match the page it was reached at', {
        ...ctx,
        offset,
        storedId: storedId.toString(),
      });
    }
    const overflow = view.getUint32(12, true);
    let bytes = first;
    if (overflow > 0) {
      if (id + overflow >= this.#highWater) {
        throw invalidData('page overflow runs past the high-water mark', { ...ctx, offset, overflow, highWater: this.#highWater });
      }
      bytes = this.readAt(offset, (1 + overflow) * this.#pageSize);
    }
    const page = pageFromBytes(bytes, id, offset, false);
    this.#cache.set(id, page, 1 + overflow);
    return page;
  }

  close(): void {
    const fd = this.#fd;
    this.#fd = undefined;
    this.#cache.clear();
    if (fd !== undefined) closeSync(fd);
  }
}
