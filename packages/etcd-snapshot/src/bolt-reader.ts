/**
 * A read-only reader of bbolt database files (the storage engine of etcd), written from the file
 * format alone: no mmap, no locks, no writes, no freelist (etcd does not persist it, and a reader
 * does not need it).
 *
 * Opening reads both meta pages, keeps the valid one with the higher txid (falling back to the
 * other when the newer one is corrupt, as bbolt does), and checks the geometry (page size, high
 * water mark against the file size). Traversal is iterative with an explicit stack and a set of
 * visited pages, so a hostile file with a page cycle or a huge depth yields a typed error, never a
 * hang or a stack overflow. Every pointer and length is checked against the file before it is
 * followed, and keys must strictly increase within a bucket (which catches many misdirected
 * pointers that would otherwise yield plausible-looking garbage).
 *
 * Pages are read with positional reads into a reused read-ahead window (`readAhead`, default
 * 1 MiB) and branch pages kept in a bounded LRU cache (`pageCacheSize` pages, default 256), so
 * memory stays flat as the file grows. A file that ends with etcd's 32-byte
 * SHA-256 trailer (`size % 512 == 32`) is read without it; {@link BoltReader.trailerDigests}
 * hashes the data to check it.
 *
 * @module
 */
import { AtrestError, ErrorCode, fromUtf8, utf8 } from '@atrest/core';
import { copyBytes } from '@atrest/core/internal';
import { invalidData, safeNumber } from './_errors.js';
import { type BoltMeta, CANDIDATE_PAGE_SIZES, META_SPAN, type MetaResult, parseMeta } from './_meta.js';
import { DEFAULT_READ_AHEAD, type Page, PageFile, PageFlag, pageFromBytes, u32 } from './_page-file.js';
import { compareBytes } from '@atrest/core/go';
import { BUCKET_HEADER_SIZE, BUCKET_LEAF_FLAG, branchElement, leafElement } from './_tree.js';
import { checkTrailer, hasTrailer, TRAILER_SIZE } from './_trailer.js';

export type { BoltMeta } from './_meta.js';

/** Options of {@link BoltReader.open}. */
export interface BoltReaderOptions {
  /**
   * Page budget, in bbolt pages (an overflow page counts as all the pages it spans). Default 256.
   * It bounds the cache of branch pages, and the read-ahead window holds at most this many pages.
   */
  readonly pageCacheSize?: number;
  /**
   * Largest read-ahead, in bytes (default 1 MiB, and never more than the page budget): pages that
   * follow each other in the file are read together into one reused buffer. `0` reads each page
   * on its own into fresh memory and caches leaf pages too (fewer bytes read, many more reads).
   */
  readonly readAhead?: number;
  /**
   * A file shorter than its meta page says (an interrupted copy): `'refuse'` (default) throws;
   * `'tolerate'` opens it, reports the shortfall in {@link BoltReader.missingBytes}, and pages
   * past the end then fail like other damaged pages (see {@link IterateOptions.onDamage}).
   */
  readonly truncated?: 'refuse' | 'tolerate';
}

/** Options of {@link BoltReader.iterate} and {@link BoltReader.iterateViews}. */
export interface IterateOptions {
  /**
   * Salvage: called with each `ERR_INVALID_DATA` error met inside the bucket's tree (a child page
   * out of range or unreadable, a page cycle, an unexpected page type, an element past its page,
   * keys out of order), after which the walk skips what is damaged (the child's subtree, the rest
   * of the page, or the one element) and goes on. Without it such damage throws. A missing
   * bucket on the path still throws.
   */
  readonly onDamage?: (damage: AtrestError) => void;
}

/** A bucket name: UTF-8 text or raw bytes. */
export type BucketName = string | Uint8Array;

/** One key of a bucket, in key order. */
export interface BoltEntry {
  /** The key (a copy). */
  readonly key: Uint8Array;
  /** The value (a copy); `null` for a nested bucket. */
  readonly value: Uint8Array | null;
  /** True when the key names a nested bucket. */
  readonly bucket: boolean;
  /** Id of the page holding the element (for an inline bucket: the page holding the bucket). */
  readonly pageId: number;
  /** Absolute file offset of the key bytes, for error reports. */
  readonly keyOffset: number;
  /** Absolute file offset of the value bytes. */
  readonly valueOffset: number;
}

/** Where a bucket's tree starts. */
interface BucketRef {
  readonly root: number | bigint;
  /** The inline page when `root == 0`. */
  readonly inline: Page | null;
  readonly name: string;
}

/** Default page cache budget in pages (1 MiB at 4 KiB pages). */
export const DEFAULT_PAGE_CACHE_SIZE = 256;

function describePath(path: readonly BucketName[]): string {
  return path.map((p) => (typeof p === 'string' ? p : `0x${Buffer.from(p).toString('hex')}`)).join('/');
}

/**
 * A read-only bbolt file. Create with {@link BoltReader.open}; release with {@link BoltReader.close}.
 *
 * @example
 * ```ts
 * import { BoltReader } from '@atrest/etcd-snapshot';
 * const db = BoltReader.open('snapshot.db');
 * try {
 *   for (const e of db.iterate(['meta'])) console.log(Buffer.from(e.key).toString());
 * } finally {
 *   db.close();
 * }
 * ```
 */
export class BoltReader {
  readonly #file: PageFile;
  /** The meta page in use. */
  readonly meta: BoltMeta;
  /** What was wrong with the other meta page, or `null` when both are valid. */
  readonly otherMetaProblem: string | null;
  /** True when the file ends with etcd's 32-byte SHA-256 trailer (`size % 512 == 32`). */
  readonly trailerPresent: boolean;
  /** End of the bbolt data: the file size without the trailer. */
  readonly dataEnd: number;

  private constructor(file: PageFile, meta: BoltMeta, otherMetaProblem: string | null, trailerPresent: boolean, dataEnd: number) {
    this.#file = file;
    this.meta = meta;
    this.otherMetaProblem = otherMetaProblem;
    this.trailerPresent = trailerPresent;
    this.dataEnd = dataEnd;
  }

  /**
   * Open a bbolt file read-only and select its meta page.
   *
   * @param path - file path
   * @param options - cache size
   * @returns the reader (holds a file descriptor until {@link BoltReader.close})
   * @throws AtrestError `ERR_INVALID_DATA` for an empty, truncated or non-bbolt file, or when
   *   neither meta page is valid (message: bbolt's `invalid database`, `version mismatch` or
   *   `checksum error` for meta page 0; `context` has both pages' problems and the offset)
   * @throws AtrestError `ERR_INVALID_ARGUMENT` when the file cannot be opened (`context.errno`:
   *   ENOENT, EACCES...; the system error is the `cause`) or `pageCacheSize` is not a
   *   non-negative integer
   * @example
   * ```ts
   * import { BoltReader } from '@atrest/etcd-snapshot';
   * const db = BoltReader.open('snapshot.db', { pageCacheSize: 64 });
   * db.meta.pageSize; // 4096
   * db.close();
   * ```
   */
  static open(path: string, options: BoltReaderOptions = {}): BoltReader {
    const cachePages = options.pageCacheSize ?? DEFAULT_PAGE_CACHE_SIZE;
    if (!Number.isSafeInteger(cachePages) || cachePages < 0) {
      throw new AtrestError(ErrorCode.InvalidArgument, 'pageCacheSize must be a non-negative integer', { pageCacheSize: String(cachePages) });
    }
    const readAhead = options.readAhead ?? DEFAULT_READ_AHEAD;
    if (!Number.isSafeInteger(readAhead) || readAhead < 0) {
      throw new AtrestError(ErrorCode.InvalidArgument, 'readAhead must be a non-negative integer', { readAhead: String(readAhead) });
    }
    const file = new PageFile(path);
    try {
      return BoltReader.#init(file, cachePages, readAhead, options.truncated === 'tolerate');
    } catch (err) {
      file.close();
      throw err;
    }
  }

  static #init(file: PageFile, cachePages: number, readAhead: number, tolerateTruncation: boolean): BoltReader {
    const size = file.fileSize;
    const ctx = { file: file.path, fileSize: size };
    if (size === 0) throw invalidData('empty file: not a bbolt database', { ...ctx, offset: 0 });
    const trailer = hasTrailer(size);
    const dataEnd = trailer ? size - TRAILER_SIZE : size;
    if (dataEnd < META_SPAN) {
      throw invalidData('file too small to hold a bbolt meta page', { ...ctx, offset: dataEnd, needed: META_SPAN });
    }
    const meta0 = parseMeta(file.readAt(0, META_SPAN, dataEnd), 0);
    let meta1: MetaResult = { ok: false, problem: 'truncated' };
    if (meta0.ok) {
      const at = meta0.meta.pageSize;
      if (at + META_SPAN <= dataEnd) meta1 = parseMeta(file.readAt(at, META_SPAN, dataEnd), 1);
    } else {
      meta1 = { ok: false, problem: 'not found at any plausible page size' };
      // Page 0 is unreadable, so the page size is unknown: look for a valid meta page 1 at each
      // plausible page size, and accept it only if it names that same page size.
      for (const at of CANDIDATE_PAGE_SIZES) {
        if (at + META_SPAN > dataEnd) break;
        const r = parseMeta(file.readAt(at, META_SPAN, dataEnd), 1);
        if (r.ok && r.meta.pageSize === at) {
          meta1 = r;
          break;
        }
      }
    }
    const problems = {
      meta0: meta0.ok ? 'ok' : meta0.problem,
      meta1: meta1.ok ? 'ok' : meta1.problem,
    };
    const valid = [meta0, meta1].flatMap((r) => (r.ok ? [r.meta] : []));
    if (valid.length === 0) {
      throw invalidData(meta0.ok ? 'invalid database' : meta0.problem, { ...ctx, ...problems, offset: 0 });
    }
    if (valid.length === 2 && valid[0]?.pageSize !== valid[1]?.pageSize) {
      throw invalidData('the two meta pages disagree on the page size', { ...ctx, offset: 0 });
    }
    // The valid meta with the higher txid wins, as in bbolt. There is no further fallback: a
    // geometry problem (truncation) concerns the file, not one meta page, and must be reported.
    const meta = valid.reduce((a, b) => (b.txid > a.txid ? b : a));
    const highWater = BoltReader.#checkGeometry(meta, dataEnd, ctx, tolerateTruncation);
    file.configure(meta.pageSize, highWater, dataEnd, cachePages, readAhead);
    const other = meta.pageIndex === 0 ? meta1 : meta0;
    return new BoltReader(file, meta, other.ok ? null : other.problem, trailer, dataEnd);
  }

  static #checkGeometry(meta: BoltMeta, dataEnd: number, ctx: Readonly<Record<string, string | number>>, tolerateTruncation: boolean): number {
    const mctx = { ...ctx, metaPage: meta.pageIndex };
    const highWater = safeNumber(meta.highWaterPgid, 'high-water page id', mctx);
    const needed = highWater * meta.pageSize;
    if (highWater < 3) throw invalidData('high-water page id is too small', { ...mctx, highWater });
    if (needed > dataEnd && !tolerateTruncation) {
      throw invalidData('file is truncated: the database extends past the end of the file', {
        ...mctx,
        offset: dataEnd,
        needed,
        highWater,
      });
    }
    if (meta.rootPgid < 2n || meta.rootPgid >= meta.highWaterPgid) {
      throw invalidData('root bucket page id out of range', { ...mctx, pageId: meta.rootPgid.toString(), highWater });
    }
    return highWater;
  }

  /** The file path. */
  get path(): string {
    return this.#file.path;
  }

  /** The file size in bytes, trailer included. */
  get fileSize(): number {
    return this.#file.fileSize;
  }

  /** The page size from the meta page. */
  get pageSize(): number {
    return this.meta.pageSize;
  }

  /**
   * Bytes between the end of the database (`highWater * pageSize`) and {@link BoltReader.dataEnd}.
   * Zero for files written by `etcdctl snapshot save`; a live bbolt file may have preallocated room.
   */
  get unusedTrailingBytes(): number {
    return Math.max(0, this.dataEnd - this.#file.highWater * this.meta.pageSize);
  }

  /**
   * Bytes of the database missing from the end of the file (opened with `truncated: 'tolerate'`);
   * 0 for a complete file.
   */
  get missingBytes(): number {
    return Math.max(0, this.#file.highWater * this.meta.pageSize - this.dataEnd);
  }

  /**
   * Every key of the bucket at `bucketPath` (`[]` is the root bucket, whose keys are the
   * top-level buckets), in key order, streamed.
   *
   * @param bucketPath - bucket names from the root, e.g. `['key']`
   * @param options - `onDamage` to skip damaged parts of the tree instead of throwing
   * @returns a generator of entries; keys and values are copies
   * @throws AtrestError `ERR_INVALID_DATA` when a bucket on the path does not exist, or the tree is
   *   corrupt (page out of range, page cycle, element past its page, keys out of order); `context`
   *   names the page id and byte offset
   * @example
   * ```ts
   * import { BoltReader } from '@atrest/etcd-snapshot';
   * const db = BoltReader.open('snapshot.db');
   * let n = 0;
   * for (const _ of db.iterate(['key'])) n++;
   * db.close();
   * ```
   */
  *iterate(bucketPath: readonly BucketName[], options: IterateOptions = {}): Generator<BoltEntry, void, undefined> {
    for (const e of this.#walk(this.#resolve(bucketPath), false, options.onDamage)) {
      yield { ...e, key: copyBytes(e.key), value: e.bucket ? null : copyBytes(e.value as Uint8Array) };
    }
  }

  /**
   * As {@link BoltReader.iterate}, without copies: `key` and `value` are views into the reader's
   * page buffer, **valid only until the generator is resumed** (the next page read may overwrite
   * them). For scans that look at each entry once, such as an audit; copy anything kept.
   *
   * @param bucketPath - bucket names from the root, e.g. `['key']`
   * @param options - `onDamage` as {@link BoltReader.iterate}
   * @returns a generator of entries whose bytes are borrowed
   * @throws AtrestError `ERR_INVALID_DATA` as {@link BoltReader.iterate}
   * @example
   * ```ts
   * import { BoltReader } from '@atrest/etcd-snapshot';
   * const db = BoltReader.open('snapshot.db');
   * let bytes = 0;
   * for (const e of db.iterateViews(['key'])) bytes += e.value?.length ?? 0;
   * db.close();
   * ```
   */
  iterateViews(bucketPath: readonly BucketName[], options: IterateOptions = {}): Generator<BoltEntry, void, undefined> {
    return this.#walk(this.#resolve(bucketPath), true, options.onDamage);
  }

  /**
   * The value stored under `key` in the bucket at `bucketPath`.
   *
   * @param bucketPath - bucket names from the root
   * @param key - the key
   * @returns the value (a copy), or `undefined` when the key is absent or names a nested bucket
   * @throws AtrestError `ERR_INVALID_DATA` as {@link BoltReader.iterate}
   * @example
   * ```ts
   * import { BoltReader } from '@atrest/etcd-snapshot';
   * const db = BoltReader.open('snapshot.db');
   * db.get(['meta'], 'consistent_index'); // Uint8Array(8)
   * db.close();
   * ```
   */
  get(bucketPath: readonly BucketName[], key: BucketName): Uint8Array | undefined {
    const e = this.#seek(this.#resolve(bucketPath), typeof key === 'string' ? utf8(key) : key);
    return e === undefined || e.bucket ? undefined : copyBytes(e.value as Uint8Array);
  }

  /**
   * Whether the bucket at `bucketPath` exists.
   *
   * @param bucketPath - bucket names from the root
   * @returns true when every bucket on the path exists
   * @throws AtrestError `ERR_INVALID_DATA` when the tree on the way is corrupt
   * @example
   * ```ts
   * import { BoltReader } from '@atrest/etcd-snapshot';
   * const db = BoltReader.open('snapshot.db');
   * db.hasBucket(['key']); // true for an etcd snapshot
   * db.close();
   * ```
   */
  hasBucket(bucketPath: readonly BucketName[]): boolean {
    return this.#lookup(bucketPath) !== undefined;
  }

  /**
   * Names of the nested buckets of the bucket at `bucketPath` (UTF-8 decoded).
   *
   * @param bucketPath - bucket names from the root; `[]` (default) lists the top-level buckets
   * @returns bucket names in key order
   * @throws AtrestError `ERR_INVALID_DATA` as {@link BoltReader.iterate}
   * @example
   * ```ts
   * import { BoltReader } from '@atrest/etcd-snapshot';
   * const db = BoltReader.open('snapshot.db');
   * db.buckets(); // ['alarm', 'auth', ..., 'key', 'lease', 'members', 'meta', ...]
   * db.close();
   * ```
   */
  buckets(bucketPath: readonly BucketName[] = []): string[] {
    const names: string[] = [];
    for (const e of this.iterate(bucketPath)) if (e.bucket) names.push(fromUtf8(e.key));
    return names;
  }

  /**
   * Hash the bbolt data in streaming chunks and read the stored trailer.
   *
   * @returns hex digests (`expected` is the stored trailer), or `null` when the file has none
   * @throws AtrestError `ERR_INVALID_DATA` when the file shrank while reading
   * @example
   * ```ts
   * import { BoltReader } from '@atrest/etcd-snapshot';
   * const db = BoltReader.open('snapshot.db');
   * const d = db.trailerDigests();
   * d === null || d.expected === d.actual; // true for an intact snapshot
   * db.close();
   * ```
   */
  trailerDigests(): { expected: string; actual: string } | null {
    return this.trailerPresent ? checkTrailer(this.#file) : null;
  }

  /**
   * Release the file descriptor and the cache. Further reads throw `ERR_INVALID_DATA`.
   * @example
   * ```ts
   * import { BoltReader } from '@atrest/etcd-snapshot';
   * BoltReader.open('snapshot.db').close();
   * ```
   */
  close(): void {
    this.#file.close();
  }

  /**
   * Every page reachable from the meta page's root: the two meta pages, and the branch and leaf
   * pages (overflow included) of every bucket and nested bucket. Pages below the high-water mark
   * that are not reachable are free (etcd does not persist a freelist; none is read).
   *
   * @param options - `onDamage` to skip damaged parts of the tree instead of throwing (their pages
   *   then look free); `onLeaf` sees every plain key/value (views, valid during the call) with the
   *   path of its bucket
   * @returns a bitmap, one bit per page id below the high-water mark (`bits[id >>> 3] & (1 << (id & 7))`)
   * @throws AtrestError `ERR_INVALID_DATA` as {@link BoltReader.iterate}
   * @example
   * ```ts
   * import { BoltReader } from '@atrest/etcd-snapshot';
   * const db = BoltReader.open('snapshot.db');
   * const bits = db.reachablePages();
   * const isFree = (id: number) => id < Number(db.meta.highWaterPgid) && ((bits[id >>> 3] ?? 0) & (1 << (id & 7))) === 0;
   * isFree(0); // false: a meta page
   * db.close();
   * ```
   * @internal
   */
  reachablePages(
    options: IterateOptions & { readonly onLeaf?: (bucketPath: readonly Uint8Array[], entry: BoltEntry) => void } = {},
  ): Uint8Array {
    const { onDamage, onLeaf } = options;
    const bits = new Uint8Array((this.#file.highWater >>> 3) + 1);
    const seen = (id: number): boolean => ((bits[id >>> 3] as number) & (1 << (id & 7))) !== 0;
    const mark = (page: Page): void => {
      for (let id = page.id; id <= page.id + page.overflow; id++) bits[id >>> 3] = (bits[id >>> 3] as number) | (1 << (id & 7));
    };
    bits[0] = 0b11; // the meta pages
    const roots = new Set<number>();
    const queue: { ref: BucketRef; path: Uint8Array[] }[] = [{ ref: { root: this.meta.rootPgid, inline: null, name: '' }, path: [] }];
    while (queue.length > 0) {
      const { ref, path } = queue.pop() as { ref: BucketRef; path: Uint8Array[] };
      for (const e of this.#walk(ref, false, onDamage, mark)) {
        if (!e.bucket) {
          onLeaf?.(path, e);
          continue;
        }
        const name = describePath([...path, e.key]);
        try {
          const child = this.#bucketRef(e, name);
          // A bucket whose root was already walked (or queued) would loop: corrupt.
          if (child.inline === null) {
            const id = typeof child.root === 'bigint' ? -1 : child.root;
            if (id >= 0 && id < this.#file.highWater && (roots.has(id) || seen(id))) {
              throw invalidData('page cycle: a bucket root is reachable twice', { file: this.path, bucket: name, pageId: id });
            }
            roots.add(id);
          }
          queue.push({ ref: child, path: [...path, copyBytes(e.key)] });
        } catch (err) {
          if (onDamage === undefined || !(err instanceof AtrestError) || err.code !== ErrorCode.InvalidData) throw err;
          onDamage(err);
        }
      }
    }
    return bits;
  }

  #resolve(bucketPath: readonly BucketName[]): BucketRef {
    const ref = this.#lookup(bucketPath);
    if (ref === undefined) throw invalidData('bucket not found', { file: this.path, bucket: describePath(bucketPath) });
    return ref;
  }

  #lookup(bucketPath: readonly BucketName[]): BucketRef | undefined {
    let ref: BucketRef = { root: this.meta.rootPgid, inline: null, name: '' };
    for (let depth = 0; depth < bucketPath.length; depth++) {
      const part = bucketPath[depth] as BucketName;
      const wanted = typeof part === 'string' ? utf8(part) : part;
      const name = describePath(bucketPath.slice(0, depth + 1));
      const el = this.#seek(ref, wanted);
      if (el === undefined || !el.bucket || el.value === null) return undefined;
      ref = this.#bucketRef(el, name);
    }
    return ref;
  }

  /**
   * The entry of `wanted` in a bucket, found by descending the tree by key as bbolt's cursor does
   * (in a branch page, the last element whose key is not after `wanted`; in the leaf, an exact
   * match), reading one page per level instead of the whole bucket. Key and value are views into
   * the leaf page, valid until the next read.
   */
  #seek(ref: BucketRef, wanted: Uint8Array): BoltEntry | undefined {
    const file = this.path;
    let page: Page = ref.inline ?? this.#file.page(ref.root, { bucket: ref.name });
    // A bbolt tree is a handful of levels deep; more means a cycle of branch pages.
    for (let depth = 0; depth <= 64; depth++) {
      if (page.count === 0) return undefined;
      if (page.flags === PageFlag.branch) {
        let lo = 0;
        let hi = page.count - 1;
        let at = 0;
        while (lo <= hi) {
          const mid = (lo + hi) >>> 1;
          if (compareBytes(branchElement(page, mid, file).key, wanted) <= 0) {
            at = mid;
            lo = mid + 1;
          } else hi = mid - 1;
        }
        const child = branchElement(page, at, file).child;
        page = this.#file.page(child, { bucket: ref.name, parentPageId: page.id, element: at });
        continue;
      }
      if (page.flags !== PageFlag.leaf) {
        throw invalidData('unexpected page type in a bucket tree', { file, bucket: ref.name, pageId: page.id, offset: page.fileOffset, flags: page.flags });
      }
      let lo = 0;
      let hi = page.count - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const el = leafElement(page, mid, file);
        const c = compareBytes(el.key, wanted);
        if (c === 0) {
          const bucket = (el.flags & BUCKET_LEAF_FLAG) !== 0;
          return { key: el.key, value: el.value, bucket, pageId: page.id, keyOffset: el.keyOffset, valueOffset: el.valueOffset };
        }
        if (c < 0) lo = mid + 1;
        else hi = mid - 1;
      }
      return undefined;
    }
    throw invalidData('page cycle: the tree is deeper than any bbolt tree', { file, bucket: ref.name, pageId: page.id });
  }

  #bucketRef(el: BoltEntry, name: string): BucketRef {
    const value = el.value as Uint8Array;
    const ctx = { file: this.path, bucket: name, pageId: el.pageId, offset: el.valueOffset };
    if (value.length < BUCKET_HEADER_SIZE) throw invalidData('bucket header is truncated', { ...ctx, length: value.length });
    const lo = u32(value, 0);
    const hi = u32(value, 4);
    if (lo !== 0 || hi !== 0) return { root: hi < 0x200000 ? hi * 2 ** 32 + lo : (BigInt(hi) << 32n) | BigInt(lo), inline: null, name };
    // A copy: the value is a view into a page that the next read may overwrite.
    const inline = pageFromBytes(copyBytes(value.subarray(BUCKET_HEADER_SIZE)), el.pageId, el.valueOffset + BUCKET_HEADER_SIZE, true);
    if (inline.flags !== PageFlag.leaf) {
      throw invalidData('inline bucket page is not a leaf page', { ...ctx, flags: inline.flags });
    }
    return { root: 0n, inline, name };
  }

  /**
   * The entries of a bucket, in key order; keys and values are views into (possibly borrowed)
   * pages. A nested bucket's value is its raw bucket header, or `null` with `nullBuckets`.
   */
  *#walk(
    ref: BucketRef,
    nullBuckets = false,
    onDamage?: (damage: AtrestError) => void,
    onPage?: (page: Page) => void,
  ): Generator<BoltEntry, void, undefined> {
    const file = this.path;
    /** Report tree damage when salvaging (the caller then skips the damaged part), else throw. */
    const damaged = (err: unknown): void => {
      if (onDamage === undefined || !(err instanceof AtrestError) || err.code !== ErrorCode.InvalidData || this.#file.closed) throw err;
      onDamage(err);
    };
    // One bit per page id: a page reached twice in one bucket is a cycle (or a corrupt pointer).
    const visited = new Uint8Array((this.#file.highWater >>> 3) + 1);
    const stack: { page: Page; next: number }[] = [];
    // The read-ahead generation our borrowed leaf page was read at.
    let generation = this.#file.generation;
    const enter = (pgid: number | bigint, from: Readonly<Record<string, string | number>>): void => {
      let page = this.#file.page(pgid, { bucket: ref.name, ...from });
      const bit = 1 << (page.id & 7);
      if (((visited[page.id >>> 3] as number) & bit) !== 0) {
        throw invalidData('page cycle: a page is reachable twice in one bucket', { file, bucket: ref.name, ...from, pageId: page.id });
      }
      visited[page.id >>> 3] = (visited[page.id >>> 3] as number) | bit;
      if (page.flags !== PageFlag.branch && page.flags !== PageFlag.leaf) {
        throw invalidData('unexpected page type in a bucket tree', { file, bucket: ref.name, ...from, pageId: page.id, offset: page.fileOffset, flags: page.flags });
      }
      onPage?.(page);
      // A branch page stays on the stack while its children are read: it must outlive them.
      if (page.flags === PageFlag.branch) page = this.#file.keep(page);
      generation = this.#file.generation;
      stack.push({ page, next: 0 });
    };
    /** Enter a child page; when salvaging, a child that cannot be entered is reported and skipped. */
    const tryEnter = (pgid: number | bigint, from: Readonly<Record<string, string | number>>): void => {
      try {
        enter(pgid, from);
      } catch (err) {
        damaged(err);
      }
    };
    if (ref.inline !== null) stack.push({ page: ref.inline, next: 0 });
    else tryEnter(ref.root, {});

    // The previous key, for the order check. It is a view into the current leaf page; before the
    // next page is read it is copied here, as that read may overwrite the page.
    let saved = new Uint8Array(64);
    let previous: Uint8Array | null = null;
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { page: Page; next: number };
      if (top.next >= top.page.count) {
        stack.pop();
        continue;
      }
      const index = top.next++;
      if (top.page.flags === PageFlag.branch) {
        let el: ReturnType<typeof branchElement>;
        try {
          el = branchElement(top.page, index, file);
        } catch (err) {
          damaged(err);
          top.next = top.page.count; // the page's element table is not to be trusted further
          continue;
        }
        if (previous !== null && previous.buffer !== saved.buffer) {
          if (previous.length > saved.length) saved = new Uint8Array(previous.length);
          saved.set(previous);
          previous = saved.subarray(0, previous.length);
        }
        tryEnter(el.child, { parentPageId: top.page.id, element: index });
        continue;
      }
      let el: ReturnType<typeof leafElement>;
      try {
        el = leafElement(top.page, index, file);
      } catch (err) {
        damaged(err);
        top.next = top.page.count;
        continue;
      }
      if (previous !== null && compareBytes(previous, el.key) >= 0) {
        damaged(
          invalidData('bucket keys out of order: the tree is corrupt', {
            file,
            bucket: ref.name,
            pageId: top.page.id,
            offset: el.keyOffset,
            element: index,
          }),
        );
        continue; // salvaging: this element is skipped, the order check goes on from the last good key
      }
      previous = el.key;
      const bucket = (el.flags & BUCKET_LEAF_FLAG) !== 0;
      yield {
        key: el.key,
        value: bucket && nullBuckets ? null : el.value,
        bucket,
        pageId: top.page.id,
        keyOffset: el.keyOffset,
        valueOffset: el.valueOffset,
      };
      // While suspended, another iteration of this reader may have refilled the window under
      // the borrowed leaf page: read it again (same id, same checks) and find our place in it.
      if (this.#file.generation !== generation && this.#file.isBorrowed(top.page)) {
        top.page = this.#file.page(top.page.id, { bucket: ref.name });
        generation = this.#file.generation;
        previous = leafElement(top.page, index, file).key;
      }
    }
  }
}
