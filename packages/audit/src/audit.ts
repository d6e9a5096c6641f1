/**
 * The audit of an etcd snapshot: every surviving revision of every object classified under a
 * configuration, then summed the way an auditor asks: latest values per resource and provider
 * key, old revisions (plaintext left behind, values under keys no longer first), which keys are
 * still needed, KMS v2 inventory, and a list of findings with etcd key and revision.
 *
 * One pass over the file, in revision order (the order of etcd's bucket `key`). Whether a revision
 * is its key's latest is known only when the key's next revision, its delete, or the end of the
 * file comes; until then the revision waits, classified, as its key's one *pending* revision
 * (`_key-states.ts`). So memory holds, per key, a few numbers and the key's bytes
 * (`_key-index.ts`), never values; values are read as views into the reader's buffer, decrypted,
 * checked to decode, and dropped. Undecryptable or undecodable values never stop the audit.
 *
 * @module
 */
import { type AtrestError, fromUtf8, isPromise, type Transformer } from '@atrest/core';
import type { LoadedEncryptionConfiguration } from '@atrest/config';
import type { EtcdSnapshot, RevisionEntry } from '@atrest/etcd-snapshot';
import { Accumulator } from './_accumulator.js';
import { Classifier, type Outcome } from './_classifier.js';
import { KeyIndex } from './_key-index.js';
import { FILTERED, KeyStates, OTHER, type PendingPut } from './_key-states.js';
import type { Classification, ObjectSummary } from './classify.js';
import { groupResourceOf } from './resource-of-key.js';

/** Options of {@link auditSnapshot}. */
export interface AuditOptions {
  /** The configuration to audit against (every key still needed for reading). */
  readonly config: LoadedEncryptionConfiguration;
  /** Only this group-resource (`secrets`, `deployments.apps`). */
  readonly resource?: string;
  /**
   * Keep every key's revisions in `report.keys` (memory grows with the snapshot). Default false:
   * only totals, keys still needed and findings, in memory proportional to the number of keys
   * (tens of bytes each), not to their values.
   */
  readonly details?: boolean;
  /**
   * Salvage a damaged snapshot: damage inside the `key` bucket's tree and revisions that do not
   * decode are skipped and listed in {@link AuditReport.damage} instead of ending the audit.
   * Default false (such damage throws `ERR_INVALID_DATA`).
   */
  readonly salvage?: boolean;
  /**
   * Called every 1000 revisions read and at the end, with the revisions read and the bytes of
   * audited values so far. The audit reads the file once, so `pass` is always 1 (2 stays in the
   * type for callers written for the earlier two-pass audit).
   */
  readonly onProgress?: (progress: { readonly pass: 1 | 2; readonly revisions: number; readonly bytes: number }) => void;
}

/** One surviving put revision, summarized. */
export interface RevisionSummary {
  readonly revision: number;
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

/** One object key and what survives of it. */
export interface KeyReport {
  readonly key: string;
  readonly resource: string;
  readonly state: 'present' | 'deleted';
  readonly latest: RevisionSummary | null;
  /** Older surviving put revisions, ascending. */
  readonly history: readonly RevisionSummary[];
  readonly tombstones: readonly number[];
}

type StatusCounts = { encrypted: number; plaintext: number; undecryptable: number };

/** Something an auditor should look at. */
export interface Finding {
  readonly kind: 'undecryptable' | 'plaintext' | 'stale' | 'history-plaintext' | 'history-stale' | 'undecodable';
  readonly key: string;
  readonly revision: number;
  readonly resource: string;
  readonly id: string;
  readonly reason?: string;
}

/** The audit's result. */
export interface AuditReport {
  readonly headRevision: number;
  readonly compactRevision: number | null;
  readonly keys: readonly KeyReport[];
  readonly otherKeyRevisions: number;
  readonly totals: AuditTotals;
  readonly keysStillNeeded: KeysStillNeeded;
  readonly findings: readonly Finding[];
  /**
   * Only when salvaging found damage: the parts of the snapshot that could not be read and were
   * skipped. Whatever they held is missing from every count, so totals, findings and keys still
   * needed are then lower bounds.
   */
  readonly damage?: SnapshotDamage;
}

/** Damage met while salvaging. */
export interface SnapshotDamage {
  /** Damaged areas met. */
  readonly count: number;
  /** The first {@link DAMAGE_LISTED} of them, in the order they were met. */
  readonly areas: readonly DamagedArea[];
}

/** One skipped part of a snapshot: what was wrong and where (never any value bytes). */
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
    plaintextRevisionsOfKeysNowEncrypted: { key: string; revision: number }[];
  };
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
  /** Every provider key (id) some latest or historical value is under, with counts. */
  readonly needed: readonly { id: string; latest: number; history: number; configured: boolean }[];
  /** Configured keys no surviving value needs: removable as far as this snapshot goes. */
  readonly removable: readonly string[];
}

function summaryOf(entry: RevisionEntry, out: Outcome, classification: Classification): RevisionSummary {
  return {
    revision: entry.revision.main,
    subRevision: entry.revision.sub,
    createRevision: entry.kv.createRevision,
    version: entry.kv.version,
    valueBytes: entry.kv.value.length,
    classification: { ...classification },
    ...(out.object ? { object: out.object } : {}),
    ...(out.decodeError !== undefined ? { decodeError: out.decodeError } : {}),
    ...(out.fingerprint !== undefined ? { wrappedDEKFingerprint: out.fingerprint } : {}),
  };
}

/**
 * Audit a snapshot.
 *
 * One pass over the file in revision order: each put is decrypted, checked to decode and
 * classified as it is read, counted in the snapshot totals at once, and counted as latest or
 * history once the key's next revision, delete, or the end of the file says which. Memory is a
 * few tens of bytes per key (plus, with `details`, every revision's summary), independent of the
 * values' size.
 *
 * @param snapshot - from `openSnapshot(path)` of `@atrest/etcd-snapshot`
 * @param options - configuration, resource filter, details, progress
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
  const details = options.details === true;
  const classifier = new Classifier(details);
  const acc = new Accumulator(classifier);
  const index = new KeyIndex();
  const keys = new KeyStates(details);
  // Keys whose text holds U+FFFD: byte-distinct keys that read as the same text are one key, as
  // the report names keys by text.
  const aliases = new Map<string, number>();
  const resources: string[] = [];
  const resourceIds = new Map<string, number>();
  const transformers: (Transformer | undefined)[] = [];
  let otherKeyRevisions = 0;
  let head = 0;
  let seen = 0;
  let bytes = 0;

  const newKey = (key: Uint8Array): number => {
    const text = fromUtf8(key);
    const replaced = text.includes('\uFFFD');
    const alias = replaced ? aliases.get(text) : undefined;
    if (alias !== undefined) {
      index.add(key, alias);
      return alias;
    }
    const groupResource = groupResourceOf(text);
    let resource = OTHER;
    if (groupResource !== null) {
      if (options.resource !== undefined && groupResource !== options.resource) resource = FILTERED;
      else {
        resource = resourceIds.get(groupResource) ?? resources.length;
        if (resource === resources.length) {
          resources.push(groupResource);
          resourceIds.set(groupResource, resource);
        }
      }
    }
    const k = keys.add(resource, index.add(key, keys.size));
    if (replaced) aliases.set(text, k);
    return k;
  };
  const keyText = (k: number): string => index.text(keys.entry(k));
  const settleHistory = (k: number, puts: readonly PendingPut[]): void => {
    const resource = resources[keys.resource(k)] as string;
    for (const p of puts) {
      if (acc.history(() => keyText(k), resource, p.cls, p.revision, p.position)) keys.addPlaintextHistory(k, p.revision);
      keys.addHistory(k, p.summary);
    }
  };

  const damage: DamagedArea[] = [];
  let damageCount = 0;
  if (options.salvage === true && info.missingBytes > 0) {
    damage.push({ reason: `file is truncated: the last ${info.missingBytes} bytes of the database are missing`, offset: info.fileSize });
    damageCount++;
  }
  const onDamage = (err: AtrestError): void => {
    if (damageCount++ < DAMAGE_LISTED) damage.push(damagedArea(err));
  };
  for (const entry of snapshot.revisionViews(options.salvage === true ? { onDamage } : {})) {
    const main = entry.revision.main;
    if (main > head) head = main;
    if (++seen % 1000 === 0) options.onProgress?.({ pass: 1, revisions: seen, bytes });
    const key = entry.kv.key;
    let k = index.get(key);
    if (k < 0) k = newKey(key);
    const r = keys.resource(k);
    if (r === OTHER) {
      otherKeyRevisions++;
      continue;
    }
    if (r === FILTERED) continue;
    const pending = keys.pendingRevision(k);
    if (pending === main) keys.keepAsSameRevision(k);
    else if (pending >= 0) settleHistory(k, keys.takePending(k));
    if (entry.tombstone) {
      keys.tombstone(k, main);
      continue;
    }
    const value = entry.kv.value;
    bytes += value.length;
    let transformer = transformers[r];
    if (transformer === undefined) {
      transformer = options.config.transformerForResource(resources[r] as string);
      transformers[r] = transformer;
    }
    let out = classifier.classify(transformer, key, value);
    if (isPromise(out)) out = await out;
    acc.revision(resources[r] as string, out.cls, out.fingerprint);
    keys.put(k, out, main, seen, details ? summaryOf(entry, out, classifier.classification(out.cls)) : undefined);
  }
  options.onProgress?.({ pass: 1, revisions: seen, bytes });

  // The end of the file: every key's pending puts are its latest.
  const plaintextHistory = keys.plaintextHistory();
  const leftovers: { key: string; k: number; revisions: readonly number[] }[] = [];
  for (let k = 0; k < keys.size; k++) {
    const r = keys.resource(k);
    if (r < 0) continue;
    const deleted = keys.deleted(k);
    acc.key(deleted, keys.tombstones(k));
    if (deleted) {
      // Puts in the revision of the delete, set aside in case the key came back in it.
      settleHistory(k, keys.takePending(k));
      continue;
    }
    const resource = resources[r] as string;
    const puts = keys.takePending(k);
    let text: string | undefined;
    const name = (): string => (text ??= keyText(k));
    for (const p of puts) acc.latest(name, resource, p.cls, p.revision, p.position, p.decodeError);
    const last = puts[puts.length - 1];
    keys.setLatest(k, last?.summary);
    const history = plaintextHistory.get(k);
    if (history !== undefined && last !== undefined && classifier.classification(last.cls).status === 'encrypted') {
      leftovers.push({ key: name(), k, revisions: history });
    }
  }
  leftovers.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const l of leftovers) acc.leftovers(l.key, resources[keys.resource(l.k)] as string, l.revisions);

  const reports: KeyReport[] = [];
  if (details) {
    const audited: { key: string; k: number }[] = [];
    for (let k = 0; k < keys.size; k++) if (keys.resource(k) >= 0) audited.push({ key: keyText(k), k });
    audited.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const { key, k } of audited) {
      const d = keys.details(k);
      reports.push({
        key,
        resource: resources[keys.resource(k)] as string,
        state: keys.deleted(k) ? 'deleted' : 'present',
        latest: d?.latest ?? null,
        history: d?.history ?? [],
        tombstones: d?.tombstones ?? [],
      });
    }
  }
  return {
    headRevision: head,
    compactRevision: info.meta.finishedCompactRev?.main ?? null,
    keys: reports,
    otherKeyRevisions,
    totals: acc.totals(otherKeyRevisions),
    keysStillNeeded: acc.keysStillNeeded(options.config),
    findings: acc.findings(),
    ...(damageCount === 0 ? {} : { damage: { count: damageCount, areas: damage } }),
  };
}

/** The place of a damage report, from its error's context (names and numbers only). */
function damagedArea(err: AtrestError): DamagedArea {
  const c = err.context;
  // Page ids travel as decimal strings (they may exceed 2^53 in a corrupt file).
  const num = (v: unknown): number | undefined =>
    typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : undefined;
  const area: { -readonly [K in keyof DamagedArea]: DamagedArea[K] } = { reason: err.message };
  const pageId = num(c['pageId']);
  if (pageId !== undefined) area.pageId = pageId;
  const offset = num(c['offset']);
  if (offset !== undefined) area.offset = offset;
  const parent = num(c['parentPageId']);
  if (parent !== undefined) area.parentPageId = parent;
  const element = num(c['element']);
  if (element !== undefined) area.element = element;
  const revision = num(c['revision']);
  if (revision !== undefined) area.revision = revision;
  return area;
}
