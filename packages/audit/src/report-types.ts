/**
 * The audit report's schema: what `auditSnapshot` and `auditRevisions` return and `renderJson`
 * prints. It is the same whatever the revisions came from (a snapshot file or a running etcd);
 * only {@link AuditReport.source} says which.
 *
 * Names in records (`byProviderKey`, `byResource`, ...) are listed in sorted order, so a report
 * does not depend on the order its source delivered revisions in.
 *
 * @module
 */
import type { Classification, ObjectSummary } from './classify.js';

/** One surviving put revision, summarized. */
export interface RevisionSummary {
  readonly revision: number;
  /**
   * The revision's sub revision (its place in a transaction). A live source knows it only for
   * revisions it watched; for the state at the compaction revision etcd's Range gives none, and
   * it is 0.
   */
  readonly subRevision: number;
  readonly createRevision: number;
  readonly version: number;
  readonly valueBytes: number;
  readonly classification: Classification;
  readonly object?: ObjectSummary;
  readonly decodeError?: string;
  /** kms: fingerprint of the wrapped DEK (counts distinct DEKs). */
  readonly wrappedDEKFingerprint?: string;
}

/**
 * An etcd key as the report names it: its text (UTF-8; bytes that are not UTF-8 read as U+FFFD)
 * and, only when the text does not give the bytes back, the exact bytes in base64. Two keys whose
 * bytes differ are two keys, even when their texts are alike.
 */
export interface KeyName {
  readonly key: string;
  readonly keyBase64?: string;
}

/** One object key and what survives of it. */
export interface KeyReport extends KeyName {
  readonly resource: string;
  readonly state: 'present' | 'deleted';
  readonly latest: RevisionSummary | null;
  /** Older surviving put revisions, ascending. */
  readonly history: readonly RevisionSummary[];
  readonly tombstones: readonly number[];
}

/** Values by status. */
export type StatusCounts = { encrypted: number; plaintext: number; undecryptable: number };

/** Report order of keys: by text, then by bytes (keys alike as text). @internal */
export function compareKeyNames(a: KeyName, b: KeyName): number {
  if (a.key !== b.key) return a.key < b.key ? -1 : 1;
  const x = a.keyBase64 ?? '';
  const y = b.keyBase64 ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Something an auditor should look at. */
export interface Finding extends KeyName {
  readonly kind: 'undecryptable' | 'plaintext' | 'stale' | 'history-plaintext' | 'history-stale' | 'undecodable' | 'resource-mismatch';
  readonly revision: number;
  readonly resource: string;
  readonly id: string;
  readonly reason?: string;
}

/** What was audited. */
export type AuditedSource =
  | {
      readonly kind: 'snapshot';
      /** The database's size in bytes. */
      readonly fileSize: number;
    }
  | {
      readonly kind: 'etcd';
      readonly endpoints: readonly string[];
      /** Cluster and member ID, as etcdctl prints them (hex). */
      readonly clusterId: string;
      readonly memberId: string;
      /** The revision the audit read at. */
      readonly revision: number;
      /** etcd's compaction revision when the audit started (0: never compacted). */
      readonly compactRevision: number;
      /** Whether older revisions were read (`--history`); without, only latest values were. */
      readonly history: boolean;
      /** etcd's database file size, and the part of it in use: the rest is free pages, which may hold old revisions until `etcdctl defrag`. */
      readonly dbSize?: number;
      readonly dbSizeInUse?: number;
    };

/** The audit's result. */
export interface AuditReport {
  /** What was audited. */
  readonly source: AuditedSource;
  readonly headRevision: number;
  readonly compactRevision: number | null;
  readonly keys: readonly KeyReport[];
  readonly otherKeyRevisions: number;
  readonly totals: AuditTotals;
  readonly keysStillNeeded: KeysStillNeeded;
  readonly findings: readonly Finding[];
  /**
   * Only when there is something to say before any count: most values under a provider key could
   * not be decrypted with the configured keys (the wrong cluster's config?).
   */
  readonly warnings?: readonly string[];
  /** Only with the free-page scan (`freePages`): revisions compaction left in the file's free pages. */
  readonly freePages?: FreePagesReport;
  /**
   * Only when damage was met: the parts of the source that could not be read and were skipped.
   * Whatever they held is missing from every count, so totals, findings and keys still needed are
   * then lower bounds.
   */
  readonly damage?: AuditDamage;
}

/** Residue in a snapshot's free pages: revisions the tree no longer holds but the file does. */
export interface FreePagesReport {
  /** Free pages scanned (pages below the high-water mark the tree does not reach). */
  readonly pages: number;
  /** Copies of revisions still in the tree, found again in free pages (not findings). */
  readonly duplicates: number;
  /** Elements whose bounds did not fit (half-overwritten pages): skipped, never trusted. */
  readonly skippedElements: number;
  readonly totals: {
    readonly byStatus: Partial<StatusCounts>;
    readonly byProviderKey: Record<string, number>;
    readonly byResource: Record<string, Partial<StatusCounts>>;
  };
  /** One per residual put revision of an object, in key order. */
  readonly revisions: readonly ResidualRevision[];
}

/** A revision found in a free page. */
export interface ResidualRevision extends KeyName {
  readonly revision: number;
  readonly subRevision: number;
  readonly status: StatusCounts extends Record<infer K, number> ? K : never;
  readonly id: string;
  readonly resource: string;
  /** The free page it was read from. */
  readonly page: number;
}

/** Damage met while auditing (a snapshot salvaged; a live source never reports damage). */
export interface AuditDamage {
  /** Damaged areas met. */
  readonly count: number;
  /** The first {@link DAMAGE_LISTED} of them, in the order they were met. */
  readonly areas: readonly DamagedArea[];
}

/** One skipped part of the source: what was wrong and where (never any value bytes). */
export interface DamagedArea {
  readonly reason: string;
  readonly pageId?: number;
  /** Byte offset in the file. */
  readonly offset?: number;
  /** The branch page and element that pointed at a damaged child page. */
  readonly parentPageId?: number;
  readonly element?: number;
  /** The revision, when its key could be read. */
  readonly revision?: number;
}

/** How many damaged areas a report lists (all are counted). */
export const DAMAGE_LISTED = 1000;

/** Counts, named as in the sample manifest's `totals`. */
export interface AuditTotals {
  readonly keys: { present: number; deleted: number; otherKeys: number };
  readonly latest: {
    byStatus: StatusCounts;
    stale: number;
    byProviderKey: Record<string, number>;
    byResource: Record<string, StatusCounts & { stale: number; objects: number }>;
  };
  readonly history: {
    revisions: number;
    byStatus: Partial<StatusCounts>;
    byProviderKey: Record<string, number>;
    plaintextRevisionsOfKeysNowEncrypted: (KeyName & { revision: number })[];
  };
  /** Every revision read, latest and history together (named `snapshot` for its first source). */
  readonly snapshot: {
    putRevisions: number;
    tombstones: number;
    otherKeyRevisions: number;
    byStatus: Partial<StatusCounts>;
    byProviderKey: Record<string, number>;
    byResource: Record<string, StatusCounts & { revisions: number; stale: number }>;
  };
  readonly kmsV2: Record<string, { values: number; byKeyID: Record<string, number>; distinctWrappedDEKs: number }>;
}

/** Which configured keys values still need. */
export interface KeysStillNeeded {
  /**
   * Every provider key (id) some latest or historical value is under, with counts; `residue`
   * (only when free pages were read) counts revisions left in free pages: a key the tree no
   * longer needs may still be needed to read what the file physically holds.
   */
  readonly needed: readonly { id: string; latest: number; history: number; residue?: number; configured: boolean }[];
  /**
   * Configured keys no surviving value needs: removable as far as this source goes. Empty when
   * the audit cannot tell ({@link KeysStillNeeded.cannotTell}).
   */
  readonly removable: readonly string[];
  /**
   * Why no key is called removable although some configured key had no value: a value that
   * could not be decrypted may be under any key, damage hid revisions, and a live audit without
   * history did not read older revisions.
   */
  readonly cannotTell?: string;
}
