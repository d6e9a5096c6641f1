/**
 * `@atrest/etcd-snapshot`: a read-only, pure TypeScript reader of etcd snapshot files: the bbolt
 * file format ({@link BoltReader}), etcd's SHA-256 trailer, and etcd's MVCC store
 * ({@link openSnapshot}: revisions of bucket `key` decoded as `mvccpb.KeyValue`, bucket `meta`).
 *
 * Built for offline audits of backups: positional reads through a bounded read-ahead window and
 * page cache (memory stays flat), every pointer bounds-checked, cycles detected, every malformed input an
 * `AtrestError` with code `ERR_INVALID_DATA` and the byte offset or page id in its context.
 *
 * @example
 * ```ts
 * import { openSnapshot } from '@atrest/etcd-snapshot';
 * const snap = openSnapshot('backup.db');
 * for (const r of snap.revisions()) console.log(r.revision.main, r.tombstone);
 * snap.close();
 * ```
 * @module
 */
export { BoltReader, DEFAULT_PAGE_CACHE_SIZE } from './bolt-reader.js';
export { DEFAULT_READ_AHEAD } from './_page-file.js';
export type { BoltEntry, BoltMeta, BoltReaderOptions, BucketName, IterateOptions } from './bolt-reader.js';
export { openSnapshot, TRAILER_MISMATCH } from './snapshot.js';
export type {
  EtcdSnapshot,
  KeyValue,
  OpenSnapshotOptions,
  RevisionEntry,
  RevisionOptions,
  SnapshotInfo,
  SnapshotMetaValues,
  TrailerCheck,
} from './snapshot.js';
export { freePageRevisions } from './free-pages.js';
export type { FreePageOptions, FreePageRevision, FreePageScan, FreePageStats } from './free-pages.js';
export { parseRevisionKey, revisionKey, REVISION_KEY_SIZE, TOMBSTONE_KEY_SIZE } from './revision.js';
export type { Revision } from './revision.js';
