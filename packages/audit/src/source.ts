/**
 * What the auditor reads, whatever its source: one revision of one etcd key. A snapshot file
 * (`@atrest/etcd-snapshot`'s `RevisionEntry`) and a running etcd (`@atrest/etcd-live`'s
 * `LiveRevision`) both produce records of this shape, so one audit serves both.
 *
 * The contract a source keeps:
 * - each key's revisions arrive in ascending revision order (keys may interleave: a snapshot
 *   gives revision order, a live source gives key order and then revision order);
 * - the bytes of a record are borrowed: the audit reads them before it asks for the next record
 *   and keeps no reference.
 *
 * @module
 */
import type { AuditedSource, DamagedArea } from './report-types.js';

/** One revision of one key: what the audit's inner loop reads. */
export interface AuditRevision {
  /** etcd's revision: `main` is the key's mod_revision, `sub` its place in a transaction. */
  readonly revision: { readonly main: number; readonly sub: number };
  /** True for a delete (its `kv.value` is empty). */
  readonly tombstone: boolean;
  readonly kv: {
    /** The etcd key's exact bytes. */
    readonly key: Uint8Array;
    /** The stored value's bytes (borrowed). */
    readonly value: Uint8Array;
    readonly createRevision: number;
    readonly version: number;
  };
}

/** What a source says about itself before its revisions are read. */
export interface SourceFacts {
  /** What is audited, for the report's header. */
  readonly source: AuditedSource;
  /** The compaction revision, or null when the source does not know one. */
  readonly compactRevision: number | null;
  /**
   * Revisions older than the latest were not read (a live audit without history): the report's
   * history counts are then empty, and no configured key is called removable.
   */
  readonly latestOnly?: boolean;
  /** Damage known before reading (a truncated file). */
  readonly damage?: readonly DamagedArea[];
}
