/**
 * An etcd snapshot (`etcdctl snapshot save` output, or an etcd data directory's `member/snap/db`)
 * read as etcd's MVCC store: the revisions of bucket `key` with their `mvccpb.KeyValue`, and the
 * bookkeeping of bucket `meta`.
 *
 * Opening checks etcd's SHA-256 trailer by default (streamed, so it reads the file once more);
 * a mismatch is an `ERR_INVALID_DATA` error with `context.check = 'trailer'`, unless the caller
 * asks to tolerate it (`trailer: 'tolerate'`, then {@link EtcdSnapshot.info} reports
 * `valid: false`) or to skip the hash (`'skip'`, `valid: null`).
 *
 * Numbers: revisions, versions, the consistent index and the txid are JS numbers, refused as corrupt
 * above 2^53 - 1 (etcd would need 2^53 writes to get there); lease ids are random 64-bit values
 * and are bigints.
 *
 * @module
 */
import { AtrestError, ErrorCode, fromUtf8 } from '@atrest/core';
import { invalidData, safeNumber } from './_errors.js';
import { decodeKeyValue, decodeKeyValueView, type KeyValue } from './_keyvalue.js';
import { BoltReader, type BoltReaderOptions } from './bolt-reader.js';
import { digestsOnWorker } from './_trailer-worker.js';
import { type FreePageOptions, type FreePageScan, freePageRevisions } from './free-pages.js';
import { parseRevisionKey, type Revision } from './revision.js';

export type { KeyValue } from './_keyvalue.js';

/** Options of {@link openSnapshot}. */
export interface OpenSnapshotOptions extends BoltReaderOptions {
  /**
   * What to do with etcd's SHA-256 trailer: `'verify'` (default) throws on a mismatch,
   * `'tolerate'` reports it in {@link SnapshotInfo.trailer}, `'skip'` does not hash the file.
   */
  readonly trailer?: 'verify' | 'tolerate' | 'skip';
}

/** The trailer check. */
export interface TrailerCheck {
  /** The file ends with a 32-byte SHA-256 (`size % 512 == 32`). */
  readonly present: boolean;
  /** The stored hash matches the data; `null` when absent or not checked. */
  readonly valid: boolean | null;
  /** Stored hash (hex), when present and checked. */
  readonly expected?: string;
  /** Computed hash (hex), when present and checked. */
  readonly actual?: string;
}

/** Values of etcd's bucket `meta`; `null` when the key is absent. */
export interface SnapshotMetaValues {
  /** `consistent_index`: the raft index the store has applied. */
  readonly consistentIndex: number | null;
  /** `finishedCompactRev`: the compact revision; revisions below it are gone. */
  readonly finishedCompactRev: Revision | null;
  /** `scheduledCompactRev`: the last compaction requested (equal to finished once it completed). */
  readonly scheduledCompactRev: Revision | null;
}

/** What {@link EtcdSnapshot.info} reports. */
export interface SnapshotInfo {
  readonly path: string;
  /** File size in bytes, trailer included. */
  readonly fileSize: number;
  readonly pageSize: number;
  /** bbolt transaction id of the meta page in use. */
  readonly txid: number;
  /** Which meta page is in use (0 or 1). */
  readonly metaPage: 0 | 1;
  /** What is wrong with the other meta page, or `null` when it is valid too. */
  readonly otherMetaProblem: string | null;
  /** First page id past the end of the database. */
  readonly highWaterPgid: number;
  /** Bytes between the end of the database and the trailer (0 for `etcdctl snapshot save` files). */
  readonly unusedTrailingBytes: number;
  /** Bytes of the database missing at the end of a truncated file (opened with `truncated: 'tolerate'`). */
  readonly missingBytes: number;
  /** Why bucket `meta` could not be read (a tolerated truncation), or null. */
  readonly metaProblem: string | null;
  readonly trailer: TrailerCheck;
  readonly meta: SnapshotMetaValues;
}

/** One entry of bucket `key`: one revision of one etcd key. */
export interface RevisionEntry {
  /** The revision (the bbolt key). */
  readonly revision: Revision;
  /** True for a delete; its `kv` holds only the key. */
  readonly tombstone: boolean;
  /** The decoded value. */
  readonly kv: KeyValue;
  /** bbolt page holding the entry. */
  readonly pageId: number;
  /** Absolute file offset of the bbolt key (the revision bytes). */
  readonly keyOffset: number;
  /** Absolute file offset of the encoded KeyValue. */
  readonly valueOffset: number;
}

/** Options of {@link EtcdSnapshot.revisions}. */
export interface RevisionOptions {
  /**
   * Salvage: receives each `ERR_INVALID_DATA` error of bucket `key` (a damaged page, subtree or
   * element, a malformed revision key, a KeyValue that does not decode; `context` names the page
   * id and byte offset, and the revision and etcd key when they could be read) and the scan
   * skips what is damaged and goes on.
   */
  readonly onDamage?: (damage: AtrestError) => void;
}

/** An open snapshot. */
export interface EtcdSnapshot {
  /** The underlying bbolt reader, for other buckets (`lease`, `members`, `auth`...). */
  readonly bolt: BoltReader;
  /** File, page and meta facts, the trailer check and the `meta` bucket values. */
  info(): SnapshotInfo;
  /** Names of the top-level bbolt buckets. */
  buckets(): string[];
  /**
   * Every entry of bucket `key` in revision order, streamed. With `onDamage` (salvage), damage in
   * the tree and entries whose revision key or KeyValue does not decode are reported there and
   * skipped (see {@link RevisionOptions}); without it they throw.
   */
  revisions(options?: RevisionOptions): Generator<RevisionEntry, void, undefined>;
  /**
   * As {@link EtcdSnapshot.revisions}, without copies: `kv.key` and `kv.value` are views into
   * the reader's page buffer, **valid only until the generator is resumed**. For one-look scans
   * (an audit); copy anything kept.
   */
  revisionViews(options?: RevisionOptions): Generator<RevisionEntry, void, undefined>;
  /**
   * Check etcd's SHA-256 trailer on a worker thread, whatever `trailer` the snapshot was opened
   * with: open with `trailer: 'skip'`, start this, and read the snapshot meanwhile; the hash then
   * costs no time on the reading thread. Call it while the snapshot is open; files under 8 MiB
   * are hashed on the calling thread, larger ones by a worker that opens the file anew.
   *
   * @returns the check (`present: false, valid: null` for a file without a trailer)
   * @throws AtrestError (rejects) {@link TRAILER_MISMATCH}, exactly as `openSnapshot` with
   *   `trailer: 'verify'` throws it; `ERR_INVALID_DATA` when the file cannot be read
   */
  verifyTrailer(): Promise<TrailerCheck>;
  /**
   * The revisions of bucket `key` left in free pages (compaction residue), deduplicated; see
   * {@link freePageRevisions}. Walks the whole live tree first to know which pages are free.
   */
  freePageRevisions(options?: FreePageOptions): FreePageScan;
  /** Release the file. */
  close(): void;
}

/** The message of a trailer mismatch (context: `check: 'trailer'`, `expected`, `actual`). */
export const TRAILER_MISMATCH = 'snapshot SHA-256 trailer does not match its data';

const KEY_BUCKET = ['key'] as const;
/** Files below this size have their trailer checked on the calling thread. */
const INLINE_TRAILER_CHECK = 8 << 20;
const META_BUCKET = ['meta'] as const;

function readMetaValues(bolt: BoltReader): SnapshotMetaValues {
  const values: { consistentIndex: number | null; finishedCompactRev: Revision | null; scheduledCompactRev: Revision | null } = {
    consistentIndex: null,
    finishedCompactRev: null,
    scheduledCompactRev: null,
  };
  if (!bolt.hasBucket(META_BUCKET)) return values;
  for (const e of bolt.iterate(META_BUCKET)) {
    if (e.value === null) continue;
    const name = fromUtf8(e.key);
    const ctx = { file: bolt.path, bucket: 'meta', key: name, pageId: e.pageId, offset: e.valueOffset };
    if (name === 'consistent_index') {
      if (e.value.length !== 8) throw invalidData('consistent_index is not 8 bytes', { ...ctx, length: e.value.length });
      const v = new DataView(e.value.buffer, e.value.byteOffset, 8).getBigUint64(0, false);
      values.consistentIndex = safeNumber(v, 'consistent_index', ctx);
    } else if (name === 'finishedCompactRev' || name === 'scheduledCompactRev') {
      const { revision, tombstone } = parseRevisionKey(e.value, ctx);
      if (tombstone) throw invalidData('compact revision carries a tombstone mark', ctx);
      values[name] = revision;
    }
  }
  return values;
}

/**
 * Open an etcd snapshot file read-only.
 *
 * @param path - the snapshot file
 * @param options - `pageCacheSize` (pages, default 256), `trailer` handling (default `'verify'`)
 * @returns the open snapshot; call {@link EtcdSnapshot.close} when done
 * @throws AtrestError `ERR_INVALID_DATA`: empty, truncated or non-bbolt file, both meta pages
 *   invalid, corrupt `meta` bucket, or (with `trailer: 'verify'`) {@link TRAILER_MISMATCH}
 * @throws AtrestError `ERR_INVALID_ARGUMENT` when the file cannot be opened (`context.errno`)
 * @example
 * ```ts
 * import { openSnapshot } from '@atrest/etcd-snapshot';
 * const snap = openSnapshot('backup.db');
 * try {
 *   console.log(snap.info().meta.finishedCompactRev);
 *   for (const r of snap.revisions()) {
 *     if (!r.tombstone) console.log(r.revision.main, Buffer.from(r.kv.key).toString(), r.kv.value.length);
 *   }
 * } finally {
 *   snap.close();
 * }
 * ```
 */
export function openSnapshot(path: string, options: OpenSnapshotOptions = {}): EtcdSnapshot {
  const mode = options.trailer ?? 'verify';
  const bolt = BoltReader.open(path, options);
  const mismatch = (expected: string, actual: string) =>
    invalidData(TRAILER_MISMATCH, { file: path, check: 'trailer', offset: bolt.dataEnd, expected, actual });
  try {
    let trailer: TrailerCheck = { present: bolt.trailerPresent, valid: null };
    if (bolt.trailerPresent && mode !== 'skip') {
      const d = bolt.trailerDigests();
      if (d !== null) {
        trailer = { present: true, valid: d.expected === d.actual, expected: d.expected, actual: d.actual };
        if (!trailer.valid && mode === 'verify') throw mismatch(d.expected, d.actual);
      }
    }
    let meta: SnapshotMetaValues;
    let metaProblem: string | null = null;
    try {
      meta = readMetaValues(bolt);
    } catch (err) {
      // A tolerated truncation may have cut bucket meta off; its values are then unknown.
      if (bolt.missingBytes === 0 || !(err instanceof AtrestError)) throw err;
      meta = { consistentIndex: null, finishedCompactRev: null, scheduledCompactRev: null };
      metaProblem = err.message;
    }
    const info: SnapshotInfo = Object.freeze({
      path,
      fileSize: bolt.fileSize,
      pageSize: bolt.pageSize,
      txid: safeNumber(bolt.meta.txid, 'txid', { file: path }),
      metaPage: bolt.meta.pageIndex,
      otherMetaProblem: bolt.otherMetaProblem,
      highWaterPgid: Number(bolt.meta.highWaterPgid),
      unusedTrailingBytes: bolt.unusedTrailingBytes,
      missingBytes: bolt.missingBytes,
      metaProblem,
      trailer: Object.freeze(trailer),
      meta: Object.freeze(meta),
    });
    const snapshot: EtcdSnapshot = {
      bolt,
      info: () => info,
      buckets: () => bolt.buckets(),
      revisions: (options = {}) => revisions(bolt, decodeKeyValue, options.onDamage),
      revisionViews: (options = {}) => revisions(bolt, decodeKeyValueView, options.onDamage),
      verifyTrailer: async () => {
        if (!bolt.trailerPresent) return Object.freeze({ present: false, valid: null });
        // A worker costs ~30 ms to start: small files are hashed here.
        const d = bolt.dataEnd < INLINE_TRAILER_CHECK ? (bolt.trailerDigests() as { expected: string; actual: string }) : await digestsOnWorker(path, bolt.dataEnd);
        if (d.expected !== d.actual) throw mismatch(d.expected, d.actual);
        return Object.freeze({ present: true, valid: true, expected: d.expected, actual: d.actual });
      },
      freePageRevisions: (options) => freePageRevisions(snapshot, options),
      close: () => bolt.close(),
    };
    return snapshot;
  } catch (err) {
    bolt.close();
    throw err;
  }
}

/**
 * Bucket `key` through borrowed entries; `decode` copies the KeyValue's bytes or not. With
 * `onDamage`, an entry that does not decode is reported and skipped.
 */
function* revisions(bolt: BoltReader, decode: typeof decodeKeyValue, onDamage?: (damage: AtrestError) => void): Generator<RevisionEntry, void, undefined> {
  // Error contexts, reused for every entry: errors copy them (`{ ...context }`) when thrown, so
  // the hot path allocates none.
  const at = { file: bolt.path, bucket: 'key', pageId: 0, offset: 0 };
  const value = { file: bolt.path, bucket: 'key', pageId: 0, offset: 0, revision: 0, subRevision: 0 };
  const entries = onDamage === undefined ? bolt.iterateViews(KEY_BUCKET) : bolt.iterateViews(KEY_BUCKET, { onDamage });
  for (const e of entries) {
    at.pageId = e.pageId;
    at.offset = e.keyOffset;
    let entry: RevisionEntry;
    try {
      if (e.value === null) throw invalidData('unexpected nested bucket in bucket key', { ...at });
      const { revision, tombstone } = parseRevisionKey(e.key, at);
      value.pageId = e.pageId;
      value.offset = e.valueOffset;
      value.revision = revision.main;
      value.subRevision = revision.sub;
      const kv = decode(e.value, value);
      entry = { revision, tombstone, kv, pageId: e.pageId, keyOffset: e.keyOffset, valueOffset: e.valueOffset };
    } catch (err) {
      if (onDamage === undefined || !(err instanceof AtrestError) || err.code !== ErrorCode.InvalidData) throw err;
      onDamage(err);
      continue;
    }
    yield entry;
  }
}
