/**
 * bbolt meta pages (`db.go`): pages 0 and 1 each hold, after the 16-byte page header,
 *
 * | offset | field | type |
 * |---|---|---|
 * | 0 | magic `0xED0CDAED` | u32 |
 * | 4 | version `2` | u32 |
 * | 8 | pageSize | u32 |
 * | 12 | flags | u32 |
 * | 16 | root bucket: root pgid, sequence | u64, u64 |
 * | 32 | freelist pgid | u64 |
 * | 40 | high-water pgid (first page past the end) | u64 |
 * | 48 | txid | u64 |
 * | 56 | checksum: FNV-1a 64 of bytes 0..56 | u64 |
 *
 * Writers alternate between the two pages (`txid % 2`), so after a torn write one is still good;
 * a reader takes the valid one with the higher txid. Error texts are bbolt's (`invalid database`,
 * `version mismatch`, `checksum error`). Unlike some bbolt versions, a zero checksum is not
 * accepted: every meta etcd 3.4 writes has one, and accepting zero would hide a zeroed page.
 *
 * @module
 */
import { fnv1a64 } from './_fnv.js';
import { PAGE_HEADER_SIZE, PageFlag } from './_page-file.js';

/** bbolt's magic number. */
export const BOLT_MAGIC = 0xed0cdaed;
/** The only bbolt data format version. */
export const BOLT_VERSION = 2;
/** Bytes from the page start to the end of the meta fields. */
export const META_SPAN = PAGE_HEADER_SIZE + 64;

/** A decoded bbolt meta page. */
export interface BoltMeta {
  /** Which meta page (0 or 1) this came from. */
  readonly pageIndex: 0 | 1;
  readonly pageSize: number;
  readonly flags: number;
  /** Root page of the root bucket. */
  readonly rootPgid: bigint;
  readonly rootSequence: bigint;
  /** Freelist page id (etcd does not persist the freelist; unused here). */
  readonly freelistPgid: bigint;
  /** First page id past the end of the database. */
  readonly highWaterPgid: bigint;
  readonly txid: bigint;
  readonly checksum: bigint;
}

/** The outcome of decoding one meta page: the meta, or why it is unusable. */
export type MetaResult = { ok: true; meta: BoltMeta } | { ok: false; problem: string };

function isPlausiblePageSize(n: number): boolean {
  // Every OS page size bbolt defaults to is a power of two; 512 B .. 1 MiB covers them all.
  return n >= 512 && n <= 1 << 20 && (n & (n - 1)) === 0;
}

/**
 * Decode and validate a meta page from its first {@link META_SPAN} bytes.
 * @internal
 */
export function parseMeta(bytes: Uint8Array, pageIndex: 0 | 1): MetaResult {
  if (bytes.length < META_SPAN) return { ok: false, problem: 'invalid database' };
  const v = new DataView(bytes.buffer, bytes.byteOffset, META_SPAN);
  const m = PAGE_HEADER_SIZE;
  if (v.getUint32(m, true) !== BOLT_MAGIC) return { ok: false, problem: 'invalid database' };
  if (v.getUint32(m + 4, true) !== BOLT_VERSION) return { ok: false, problem: 'version mismatch' };
  const checksum = v.getBigUint64(m + 56, true);
  if (checksum !== fnv1a64(bytes.subarray(m, m + 56))) return { ok: false, problem: 'checksum error' };
  // Checked after the checksum: with a good checksum these are what bbolt wrote.
  if ((v.getUint16(8, true) & PageFlag.meta) === 0) return { ok: false, problem: 'invalid database' };
  const pageSize = v.getUint32(m + 8, true);
  if (!isPlausiblePageSize(pageSize)) return { ok: false, problem: 'invalid database' };
  return {
    ok: true,
    meta: {
      pageIndex,
      pageSize,
      flags: v.getUint32(m + 12, true),
      rootPgid: v.getBigUint64(m + 16, true),
      rootSequence: v.getBigUint64(m + 24, true),
      freelistPgid: v.getBigUint64(m + 32, true),
      highWaterPgid: v.getBigUint64(m + 40, true),
      txid: v.getBigUint64(m + 48, true),
      checksum,
    },
  };
}

/** Page sizes tried for meta page 1 when meta page 0 is unreadable (so its page size is unknown). */
export const CANDIDATE_PAGE_SIZES: readonly number[] = [512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072, 262144, 524288, 1048576];
