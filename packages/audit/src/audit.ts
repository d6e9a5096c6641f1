/**
 * The audit's two entry points, one per kind of source, both thin loops around {@link AuditRun}:
 * - {@link auditSnapshot} reads an etcd snapshot file synchronously, in revision order (the order
 *   of etcd's bucket `key`), its values as views into the reader's buffer;
 * - {@link auditRevisions} reads batches of revisions from an asynchronous source such as a
 *   running etcd (`@atrest/etcd-live`), awaiting once per batch, not per revision.
 *
 * The same revisions give the same report from either.
 *
 * @module
 */
import type { AtrestError } from '@atrest/core';
import type { EtcdSnapshot } from '@atrest/etcd-snapshot';
import { AuditRun, type AuditOptions, damagedArea } from './audit-run.js';
import type { AuditReport, DamagedArea } from './report-types.js';
import type { AuditRevision, SourceFacts } from './source.js';

/**
 * Audit a snapshot.
 *
 * One pass over the file in revision order: each put is decrypted, checked to decode and
 * classified as it is read, and counted as latest or history once the key's next revision, its
 * delete, or the end of the file says which. Memory is a few tens of bytes per key up to
 * `keysInMemory` keys, then flat: key state moves to temporary files (plus, with `details`, every
 * revision's summary is kept in memory); it never depends on the values' size.
 *
 * @param snapshot - from `openSnapshot(path)` of `@atrest/etcd-snapshot`
 * @param options - configuration, resource filter, details, salvage, progress
 * @returns the report
 * @throws AtrestError only for an unreadable snapshot (`ERR_INVALID_DATA`); problems with single
 *   values become findings
 * @example
 * ```ts
 * import { auditSnapshot } from '@atrest/audit';
 * import { loadEncryptionConfiguration } from '@atrest/config';
 * import { openSnapshot } from '@atrest/etcd-snapshot';
 * declare const configYaml: string;
 * const snapshot = openSnapshot('backup.db');
 * const report = await auditSnapshot(snapshot, { config: loadEncryptionConfiguration(configYaml) });
 * snapshot.close();
 * report.totals.latest.byStatus; // { encrypted, plaintext, undecryptable }
 * ```
 */
export async function auditSnapshot(snapshot: EtcdSnapshot, options: AuditOptions): Promise<AuditReport> {
  const info = snapshot.info();
  const salvage = options.salvage === true;
  const damage: DamagedArea[] = [];
  if (salvage && info.missingBytes > 0) {
    damage.push({ reason: `file is truncated: the last ${info.missingBytes} bytes of the database are missing`, offset: info.fileSize });
  }
  const run = new AuditRun(
    { source: { kind: 'snapshot', fileSize: info.fileSize }, compactRevision: info.meta.finishedCompactRev?.main ?? null, damage },
    options,
  );
  const onDamage = (err: AtrestError): void => run.damage(damagedArea(err));
  try {
    for (const entry of snapshot.revisionViews(salvage ? { onDamage } : {})) {
      const pending = run.push(entry);
      if (pending !== undefined) await pending;
    }
    if (options.freePages === true) {
      // Damage of the tree was reported by the pass above; the walk for reachable pages meets it again.
      const scan = snapshot.freePageRevisions({ excludeLive: true, ...(salvage ? { onDamage: () => undefined } : {}) });
      for (const entry of scan) {
        const pending = run.residue(entry, entry.pageId);
        if (pending !== undefined) await pending;
      }
      const s = scan.stats;
      run.freePageCounts({ pages: s.freePages, duplicates: s.liveDuplicates + s.duplicates, skippedElements: s.skippedElements });
    }
    return run.finish();
  } finally {
    run.close();
  }
}

/**
 * Audit revisions from an asynchronous source, a batch at a time: a running etcd's
 * `latestRevisions()` or `history()` from `@atrest/etcd-live`, or any source that keeps the
 * contract of {@link AuditRevision} (each key's revisions in ascending order).
 *
 * @param batches - the revisions, in batches (a page of a Range, a Watch response)
 * @param facts - what the source is, for the report's header; `latestOnly` when older
 *   revisions were not read
 * @param options - configuration, resource filter, details, progress (`salvage` has no effect)
 * @returns the report, the same as {@link auditSnapshot}'s for the same revisions
 * @throws whatever the source throws (a connection failure, a compaction during the read)
 * @example
 * ```ts
 * import { auditRevisions, type AuditRevision } from '@atrest/audit';
 * import { loadEncryptionConfiguration } from '@atrest/config';
 * declare const configYaml: string;
 * declare const pages: AsyncIterable<readonly AuditRevision[]>;
 * const report = await auditRevisions(pages, { source: { kind: 'snapshot', fileSize: 0 }, compactRevision: null }, { config: loadEncryptionConfiguration(configYaml) });
 * report.findings.length;
 * ```
 */
export async function auditRevisions(batches: AsyncIterable<readonly AuditRevision[]>, facts: SourceFacts, options: AuditOptions): Promise<AuditReport> {
  const run = new AuditRun(facts, options);
  try {
    for await (const batch of batches) {
      for (const entry of batch) {
        const pending = run.push(entry);
        if (pending !== undefined) await pending;
      }
    }
    return run.finish();
  } finally {
    run.close();
  }
}
