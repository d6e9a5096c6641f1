/**
 * Residue in a snapshot's free pages: revisions of bucket `key` that compaction unlinked from the
 * tree but whose bytes are still in the file (issue 14).
 *
 * bbolt never clears a page it frees; etcd does not persist a freelist, and `etcdctl snapshot save`
 * copies every page below the high-water mark, so old revisions (a Secret's plaintext before it was
 * encrypted) survive compaction until the page is reused or the database is defragmented. This file
 * owns finding them: which pages are free (every page id below the meta's high-water mark that is
 * not reachable from the meta's root, see `BoltReader.reachablePages`; any freelist page is not
 * trusted), and reading those pages as they were last written.
 *
 * A free page is hostile input: half overwritten, a stale element count, a continuation page of an
 * old overflow run, a branch, meta or freelist page. It is read like a leaf page only when its
 * header names its own id and the leaf flag; an overflow run is followed only over pages that are
 * themselves free and do not start with a page header of their own, and never past `maxRunBytes`.
 * An element whose bounds do not fit what was read is skipped and counted; an element is kept only
 * when its key is a revision key (17 bytes, or 18 ending in `t`) and its value decodes as a
 * `mvccpb.KeyValue` whose key is not empty and, for a put, whose `mod_revision` is the revision.
 * Memory: one page-run buffer (at most `maxRunBytes`), a bitmap of the pages, and the set of
 * revisions found (for deduplication).
 *
 * @module
 */
import { AtrestError, ErrorCode } from '@atrest/core';
import { decodeKeyValue, decodeKeyValueView } from './_keyvalue.js';
import { PAGE_HEADER_SIZE, PageFile, PageFlag, pageFromBytes, u32 } from './_page-file.js';
import { ELEMENT_SIZE } from './_tree.js';
import type { EtcdSnapshot, RevisionEntry } from './snapshot.js';
import { parseRevisionKey, REVISION_KEY_SIZE, TOMBSTONE_KEY_SIZE, type Revision } from './revision.js';

/** One revision read from a free page: shaped like a live {@link RevisionEntry}. */
export type FreePageRevision = RevisionEntry;

/** Options of {@link freePageRevisions}. */
export interface FreePageOptions {
  /**
   * Drop records whose (etcd key, revision, tombstone) is also in the live tree (counted in
   * {@link FreePageStats.liveDuplicates}); costs a decode of each live revision and a set of them.
   * Default false: the caller tells residue of live revisions apart.
   */
  readonly excludeLive?: boolean;
  /** Largest page run (a page and its overflow) read at once, in bytes. Default 16 MiB. */
  readonly maxRunBytes?: number;
  /**
   * Salvage of the live tree while finding the reachable pages: receives each `ERR_INVALID_DATA`
   * error, and the damaged subtree is skipped (its pages then count as free). Without it, tree
   * damage throws.
   */
  readonly onDamage?: (damage: AtrestError) => void;
}

/** Counts of a free-page scan; final once the generator is done. */
export interface FreePageStats {
  /** Page ids below the high-water mark not reachable from the root. */
  freePages: number;
  /** Free pages read as the start of a page (the rest are continuations of a run read with them). */
  scannedPages: number;
  /** Scanned pages read as leaf pages. */
  leafPages: number;
  /** Scanned pages that are not leaf pages: branch, meta, freelist, or no page header of their id. */
  otherPages: number;
  /** Leaf elements looked at. */
  elements: number;
  /** Elements whose table entry or key/value bounds do not fit the bytes read. */
  skippedElements: number;
  /** Elements that fit but are not etcd revisions (another bucket's, or garbage). */
  otherElements: number;
  /** Records yielded. */
  revisions: number;
  /** Records found again on another free page (not yielded again). */
  duplicates: number;
  /** Records dropped as live revisions (with `excludeLive`). */
  liveDuplicates: number;
  /** Tree damage reported to `onDamage` while finding the reachable pages. */
  treeDamage: number;
}

/** The generator of {@link freePageRevisions}, with its counts. */
export type FreePageScan = Generator<FreePageRevision, FreePageStats, undefined> & { readonly stats: Readonly<FreePageStats> };

const DEFAULT_MAX_RUN_BYTES = 16 << 20;
const KEY_BUCKET = new Uint8Array([0x6b, 0x65, 0x79]); // 'key'
const PAGE_FLAGS = new Set<number>([PageFlag.branch, PageFlag.leaf, PageFlag.meta, PageFlag.freelist]);

const identity = (revision: Revision, tombstone: boolean, key: Uint8Array): string =>
  `${revision.main}:${revision.sub}:${tombstone ? 't' : ''}:${Buffer.from(key.buffer, key.byteOffset, key.length).toString('latin1')}`;

/** True when `b[at..]` starts with the header of page `id` (its id, and a bbolt page flag). */
function headerOf(b: Uint8Array, at: number, id: number): boolean {
  return u32(b, at) === id % 2 ** 32 && u32(b, at + 4) === Math.floor(id / 2 ** 32) && PAGE_FLAGS.has((b[at + 8] as number) | ((b[at + 9] as number) << 8));
}

/** A revision key's shape, checked without throwing (most free-page elements are not). */
function looksLikeRevisionKey(key: Uint8Array): boolean {
  return (key.length === REVISION_KEY_SIZE || (key.length === TOMBSTONE_KEY_SIZE && key[REVISION_KEY_SIZE] === 0x74)) && key[8] === 0x5f;
}

/**
 * The revisions of bucket `key` left in a snapshot's free pages, deduplicated, in page order.
 *
 * Finds the free pages by walking the whole live tree (every bucket), then reads each free page
 * defensively (see the module notes). `kv.key` and `kv.value` are copies. The live tree's
 * revisions are never yielded from a reachable page; a free page may hold an older copy of a live
 * revision (use `excludeLive` to drop those).
 *
 * @param snapshot - an open snapshot
 * @param options - `excludeLive`, `maxRunBytes`, `onDamage`
 * @returns a generator of records; its `stats` (also its return value) count pages and elements
 * @throws AtrestError `ERR_INVALID_DATA` when the live tree is corrupt (without `onDamage`) or the
 *   file cannot be read; `ERR_INVALID_ARGUMENT` for a bad `maxRunBytes`
 * @example
 * ```ts
 * import { freePageRevisions, openSnapshot } from '@atrest/etcd-snapshot';
 * const snap = openSnapshot('backup.db');
 * try {
 *   const scan = freePageRevisions(snap, { excludeLive: true });
 *   for (const r of scan) console.log(r.pageId, r.revision.main, Buffer.from(r.kv.key).toString());
 *   console.log(scan.stats.freePages, scan.stats.skippedElements);
 * } finally {
 *   snap.close();
 * }
 * ```
 */
export function freePageRevisions(snapshot: EtcdSnapshot, options: FreePageOptions = {}): FreePageScan {
  const maxRunBytes = options.maxRunBytes ?? DEFAULT_MAX_RUN_BYTES;
  if (!Number.isSafeInteger(maxRunBytes) || maxRunBytes < 1) {
    throw new AtrestError(ErrorCode.InvalidArgument, 'maxRunBytes must be a positive integer', { maxRunBytes: String(maxRunBytes) });
  }
  const stats: FreePageStats = {
    freePages: 0,
    scannedPages: 0,
    leafPages: 0,
    otherPages: 0,
    elements: 0,
    skippedElements: 0,
    otherElements: 0,
    revisions: 0,
    duplicates: 0,
    liveDuplicates: 0,
    treeDamage: 0,
  };
  const gen = scan(snapshot, options, maxRunBytes, stats);
  return Object.assign(gen, { stats });
}

function* scan(snapshot: EtcdSnapshot, options: FreePageOptions, maxRunBytes: number, stats: FreePageStats): Generator<FreePageRevision, FreePageStats, undefined> {
  const bolt = snapshot.bolt;
  const live = options.excludeLive === true ? new Set<string>() : null;
  const onDamage = options.onDamage;
  const ctx = { file: bolt.path, bucket: 'key', pageId: 0, offset: 0 };
  const reachable = bolt.reachablePages({
    onDamage:
      onDamage === undefined
        ? undefined
        : (err) => {
            stats.treeDamage++;
            onDamage(err);
          },
    onLeaf:
      live === null
        ? undefined
        : (path, e) => {
            const p = path[0];
            if (path.length !== 1 || p === undefined || Buffer.compare(p, KEY_BUCKET) !== 0 || e.value === null || !looksLikeRevisionKey(e.key)) return;
            try {
              const { revision, tombstone } = parseRevisionKey(e.key, ctx);
              live.add(identity(revision, tombstone, decodeKeyValueView(e.value, ctx).key));
            } catch {
              // A damaged live entry: nothing to compare with.
            }
          },
  });
  const isReachable = (id: number): boolean => ((reachable[id >>> 3] as number) & (1 << (id & 7))) !== 0;
  const pageSize = bolt.pageSize;
  // Pages past the end of a tolerated truncated file are not there to read.
  const end = Math.min(Number(bolt.meta.highWaterPgid), Math.floor(bolt.dataEnd / pageSize));
  for (let id = 2; id < Number(bolt.meta.highWaterPgid); id++) if (!isReachable(id)) stats.freePages++;
  const maxRunPages = Math.max(1, Math.floor(maxRunBytes / pageSize));
  const file = new PageFile(bolt.path);
  const found = new Set<string>();
  let buf = new Uint8Array(pageSize);
  try {
    file.configure(pageSize, Number(bolt.meta.highWaterPgid), bolt.dataEnd, 0, 0);
    let id = 2;
    while (id < end) {
      if (isReachable(id)) {
        id++;
        continue;
      }
      stats.scannedPages++;
      const first = file.readInto(buf, id * pageSize, pageSize);
      if (!headerOf(first, 0, id) || ((first[8] as number) | ((first[9] as number) << 8)) !== PageFlag.leaf) {
        stats.otherPages++;
        id++;
        continue;
      }
      stats.leafPages++;
      // The run: continuation pages that are free, in the file, and not a page of their own.
      const overflow = Math.min(u32(first, 12), maxRunPages - 1, end - 1 - id);
      let pages = 1;
      while (pages <= overflow && !isReachable(id + pages)) pages++;
      if (pages > 1) {
        if (buf.length < pages * pageSize) {
          const grown = new Uint8Array(pages * pageSize);
          grown.set(first);
          buf = grown;
        }
        file.readInto(buf.subarray(pageSize), (id + 1) * pageSize, (pages - 1) * pageSize);
        for (let k = 1; k < pages; k++) {
          if (headerOf(buf, k * pageSize, id + k)) {
            pages = k;
            break;
          }
        }
      }
      const page = pageFromBytes(buf.subarray(0, pages * pageSize), id, id * pageSize, false);
      for (const r of leafRevisions(page, stats, ctx)) {
        const key = identity(r.revision, r.tombstone, r.kv.key);
        if (found.has(key)) {
          stats.duplicates++;
          continue;
        }
        found.add(key);
        if (live?.has(key)) {
          stats.liveDuplicates++;
          continue;
        }
        stats.revisions++;
        yield r;
      }
      id += pages;
    }
  } finally {
    file.close();
  }
  return stats;
}

/** The revision entries of a free leaf page (copies), counting what does not fit or decode. */
function* leafRevisions(page: ReturnType<typeof pageFromBytes>, stats: FreePageStats, ctx: { file: string; bucket: string; pageId: number; offset: number }): Generator<FreePageRevision> {
  const b = page.bytes;
  const fits = Math.floor((b.length - PAGE_HEADER_SIZE) / ELEMENT_SIZE);
  const count = Math.min(page.count, fits);
  stats.elements += page.count;
  stats.skippedElements += page.count - count;
  for (let i = 0; i < count; i++) {
    const at = PAGE_HEADER_SIZE + i * ELEMENT_SIZE;
    const flags = u32(b, at);
    const keyStart = at + u32(b, at + 4);
    const ksize = u32(b, at + 8);
    const vsize = u32(b, at + 12);
    if (keyStart + ksize + vsize > b.length) {
      stats.skippedElements++;
      continue;
    }
    const key = b.subarray(keyStart, keyStart + ksize);
    if (flags !== 0 || !looksLikeRevisionKey(key)) {
      stats.otherElements++;
      continue;
    }
    ctx.pageId = page.id;
    ctx.offset = page.fileOffset + keyStart;
    let entry: FreePageRevision | null = null;
    try {
      const { revision, tombstone } = parseRevisionKey(key, ctx);
      const kv = decodeKeyValue(b.subarray(keyStart + ksize, keyStart + ksize + vsize), ctx);
      // etcd writes a put's KeyValue with mod_revision = the revision, a delete's with the key only.
      if (kv.key.length > 0 && (tombstone || kv.modRevision === revision.main)) {
        entry = { revision, tombstone, kv, pageId: page.id, keyOffset: page.fileOffset + keyStart, valueOffset: page.fileOffset + keyStart + ksize };
      }
    } catch (err) {
      if (!(err instanceof AtrestError)) throw err;
    }
    if (entry === null) stats.otherElements++;
    else yield entry;
  }
}
