/**
 * `@atrest/audit`: offline audits of etcd snapshots under an EncryptionConfiguration: what is
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
export { inspectEnvelope, type Envelope, type KmsEnvelope } from './envelope.js';
export { classifyValue, type Classification, type ClassifiedValue, type ObjectSummary } from './classify.js';
export {
  auditSnapshot,
  DAMAGE_LISTED,
  type AuditOptions,
  type DamagedArea,
  type SnapshotDamage,
  type AuditReport,
  type AuditTotals,
  type Finding,
  type KeyReport,
  type KeysStillNeeded,
  type RevisionSummary,
} from './audit.js';
export { offlineKmsFactory } from './offline-kms.js';
export { renderTable, renderJson, type TableOptions } from './report.js';
export { dumpObjects, toYamlDocument, type DumpOptions, type DumpedObject } from './dump.js';
