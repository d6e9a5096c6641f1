/**
 * `@atrest/audit`: audits of etcd (a snapshot file or a running cluster) under an EncryptionConfiguration: what is
 * encrypted with which key, what is stale, what is plaintext, old revisions included, and which
 * keys are still needed.
 *
 * @example
 * ```ts
 * import { auditSnapshot, renderTable } from '@atrest/audit';
 * import { loadEncryptionConfiguration } from '@atrest/config';
 * import { openSnapshot } from '@atrest/etcd-snapshot';
 * declare const configYaml: string;
 * const snapshot = openSnapshot('backup.db');
 * const report = await auditSnapshot(snapshot, { config: loadEncryptionConfiguration(configYaml) });
 * console.log(renderTable(report, { history: true }));
 * ```
 * @module
 */
export { locateKey, type KeyLocation } from './resource-of-key.js';
export { etcdKeyOf, resolveResource, type ResourceName } from './resource-names.js';
export { inspectEnvelope, type Envelope, type KmsEnvelope } from './envelope.js';
export { classifyValue, type Classification, type ClassifiedValue, type ObjectSummary } from './classify.js';
export { auditSnapshot, auditRevisions } from './audit.js';
export { AuditRun, type AuditOptions, DEFAULT_KEYS_IN_MEMORY } from './audit-run.js';
export type { AuditRevision, SourceFacts } from './source.js';
export {
  DAMAGE_LISTED,
  type AuditDamage,
  type AuditedSource,
  type AuditReport,
  type AuditTotals,
  type DamagedArea,
  type Finding,
  type FreePagesReport,
  type ResidualRevision,
  type KeyName,
  type KeyReport,
  type KeysStillNeeded,
  type RevisionSummary,
  type StatusCounts,
} from './report-types.js';
export { offlineKmsFactory } from './offline-kms.js';
export { renderTable, renderJson, type TableOptions } from './report.js';
export { dumpObjects, dumpRevisions, toYamlDocument, type DumpOptions, type DumpedObject } from './dump.js';
