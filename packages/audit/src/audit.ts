/**
 * The audit of an etcd snapshot: every surviving revision of every object classified under a
 * configuration, then summed the way an auditor asks: latest values per resource and provider
 * key, old revisions (plaintext left behind, values under keys no longer first), which keys are
 * still needed, KMS v2 inventory, and a list of findings with etcd key and revision.
 *
 * Memory: values are read one at a time from the snapshot (bounded page cache); only a small
 * summary per revision is kept until the end, when latest and history can be told apart.
 * Undecryptable or undecodable values never stop the audit.
 *
 * @module
 */
import { fromUtf8, isPromise } from '@atrest/core';
import type { LoadedEncryptionConfiguration } from '@atrest/config';
import type { EtcdSnapshot } from '@atrest/etcd-snapshot';
import { type Classification, classifyValue, type ObjectSummary } from './classify.js';
import { locateKey } from './resource-of-key.js';

/** Options of {@link auditSnapshot}. */
export interface AuditOptions {
  /** The configuration to audit against (every key still needed for reading). */
  readonly config: LoadedEncryptionConfiguration;
  /** Only this group-resource (`secrets`, `deployments.apps`). */
  readonly resource?: string;
  /** Called every 1000 revisions and at the end. */
  readonly onProgress?: (progress: { readonly revisions: number; readonly bytes: number }) => void;
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
}

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

const bump = (o: Record<string, number>, k: string, n = 1): void => {
  o[k] = (o[k] ?? 0) + n;
};

/**
 * Audit a snapshot.
 *
 * @param snapshot - from `openSnapshot(path)` of `@atrest/etcd-snapshot`
 * @param options - configuration, resource filter, progress
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
  type Event = { revision: number; tombstone: true } | { revision: number; tombstone: false; summary: RevisionSummary };
  const perKey = new Map<string, { resource: string; events: Event[] }>();
  let otherKeyRevisions = 0;
  let head = 0;
  let seen = 0;
  let bytes = 0;
  const transformers = new Map<string, ReturnType<LoadedEncryptionConfiguration['transformerForResource']>>();

  for (const entry of snapshot.revisions()) {
    seen++;
    head = Math.max(head, entry.revision.main);
    const key = fromUtf8(entry.kv.key);
    const loc = locateKey(key);
    bytes += entry.kv.value.length;
    if (options.onProgress && seen % 1000 === 0) options.onProgress({ revisions: seen, bytes });
    if (loc.kind === 'other') {
      otherKeyRevisions++;
      continue;
    }
    if (options.resource !== undefined && loc.groupResource !== options.resource) continue;
    let slot = perKey.get(key);
    if (!slot) {
      slot = { resource: loc.groupResource, events: [] };
      perKey.set(key, slot);
    }
    if (entry.tombstone) {
      slot.events.push({ revision: entry.revision.main, tombstone: true });
      continue;
    }
    let t = transformers.get(loc.groupResource);
    if (!t) {
      t = options.config.transformerForResource(loc.groupResource);
      transformers.set(loc.groupResource, t);
    }
    let c = classifyValue(t, key, entry.kv.value);
    if (isPromise(c)) c = await c;
    const fp = c.envelope.kms?.wrappedDEKFingerprint;
    slot.events.push({
      revision: entry.revision.main,
      tombstone: false,
      summary: {
        revision: entry.revision.main,
        subRevision: entry.revision.sub,
        createRevision: entry.kv.createRevision,
        version: entry.kv.version,
        valueBytes: entry.kv.value.length,
        classification: c.classification,
        ...(c.object ? { object: c.object } : {}),
        ...(c.decodeError !== undefined ? { decodeError: c.decodeError } : {}),
        ...(fp !== undefined ? { wrappedDEKFingerprint: fp } : {}),
      },
    });
  }
  options.onProgress?.({ revisions: seen, bytes });

  const keys: KeyReport[] = [];
  for (const [key, { resource, events }] of [...perKey].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    events.sort((a, b) => a.revision - b.revision);
    const puts = events.filter((e): e is Extract<Event, { tombstone: false }> => !e.tombstone).map((e) => e.summary);
    const last = events[events.length - 1];
    const deleted = last?.tombstone === true;
    keys.push({
      key,
      resource,
      state: deleted ? 'deleted' : 'present',
      latest: deleted ? null : (puts[puts.length - 1] ?? null),
      history: deleted ? puts : puts.slice(0, -1),
      tombstones: events.filter((e) => e.tombstone).map((e) => e.revision),
    });
  }
  const compact = info.meta.finishedCompactRev?.main ?? null;
  const totals = sumUp(keys, otherKeyRevisions);
  return {
    headRevision: head,
    compactRevision: compact,
    keys,
    otherKeyRevisions,
    totals,
    keysStillNeeded: keysStillNeeded(keys, options.config),
    findings: findingsOf(keys),
  };
}

function sumUp(keys: readonly KeyReport[], otherKeyRevisions: number): AuditTotals {
  const latest: AuditTotals['latest'] = { byStatus: { encrypted: 0, plaintext: 0, undecryptable: 0 }, stale: 0, byProviderKey: {}, byResource: {} };
  const history: AuditTotals['history'] = { revisions: 0, byStatus: {}, byProviderKey: {}, plaintextRevisionsOfKeysNowEncrypted: [] };
  const snap: AuditTotals['snapshot'] = { putRevisions: 0, tombstones: 0, otherKeyRevisions, byStatus: {}, byProviderKey: {}, byResource: {} };
  const kmsV2: AuditTotals['kmsV2'] = {};
  const dekSets = new Map<string, Set<string>>();
  let present = 0;
  let deleted = 0;
  const count = (s: RevisionSummary, resource: string): void => {
    const c = s.classification;
    snap.putRevisions++;
    bump(snap.byStatus as Record<string, number>, c.status);
    bump(snap.byProviderKey, c.id);
    const r = (snap.byResource[resource] ??= { revisions: 0, encrypted: 0, plaintext: 0, undecryptable: 0, stale: 0 });
    r.revisions++;
    r[c.status]++;
    if (c.stale === true) r.stale++;
    if (c.kmsApiVersion === 'v2') {
      const k = (kmsV2[c.id] ??= { values: 0, byKeyID: {}, distinctWrappedDEKs: 0 });
      k.values++;
      bump(k.byKeyID, c.kmsKeyID ?? '');
      if (s.wrappedDEKFingerprint !== undefined) {
        const set = dekSets.get(c.id) ?? new Set<string>();
        set.add(s.wrappedDEKFingerprint);
        dekSets.set(c.id, set);
        k.distinctWrappedDEKs = set.size;
      }
    }
  };
  for (const k of keys) {
    snap.tombstones += k.tombstones.length;
    if (k.state === 'present') present++;
    else deleted++;
    if (k.latest) {
      const c = k.latest.classification;
      latest.byStatus[c.status]++;
      if (c.stale === true) latest.stale++;
      bump(latest.byProviderKey, c.id);
      const r = (latest.byResource[k.resource] ??= { encrypted: 0, plaintext: 0, undecryptable: 0, stale: 0, objects: 0 });
      r.objects++;
      r[c.status]++;
      if (c.stale === true) r.stale++;
      count(k.latest, k.resource);
    }
    for (const h of k.history) {
      history.revisions++;
      bump(history.byStatus as Record<string, number>, h.classification.status);
      bump(history.byProviderKey, h.classification.id);
      if (h.classification.status === 'plaintext' && k.latest?.classification.status === 'encrypted') {
        history.plaintextRevisionsOfKeysNowEncrypted.push({ key: k.key, revision: h.revision });
      }
      count(h, k.resource);
    }
  }
  return { keys: { present, deleted, otherKeys: otherKeyRevisions > 0 ? 1 : 0 }, latest, history, snapshot: snap, kmsV2 };
}

function keysStillNeeded(keys: readonly KeyReport[], config: LoadedEncryptionConfiguration): KeysStillNeeded {
  const configured = new Set<string>();
  for (const r of config.resources) for (const id of r.chain) if (id !== 'identity') configured.add(id);
  const need = new Map<string, { latest: number; history: number }>();
  for (const k of keys) {
    const all = [...(k.latest ? [{ s: k.latest, latest: true }] : []), ...k.history.map((s) => ({ s, latest: false }))];
    for (const { s, latest } of all) {
      const id = s.classification.id;
      if (id === 'identity' || id === 'unknown') continue;
      const n = need.get(id) ?? { latest: 0, history: 0 };
      if (latest) n.latest++;
      else n.history++;
      need.set(id, n);
    }
  }
  return {
    needed: [...need].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([id, n]) => ({ id, ...n, configured: configured.has(id) })),
    removable: [...configured].filter((id) => !need.has(id)).sort(),
  };
}

function findingsOf(keys: readonly KeyReport[]): Finding[] {
  const out: Finding[] = [];
  for (const k of keys) {
    const push = (kind: Finding['kind'], s: RevisionSummary, reason?: string): void => {
      out.push({ kind, key: k.key, revision: s.revision, resource: k.resource, id: s.classification.id, ...(reason === undefined ? {} : { reason }) });
    };
    if (k.latest) {
      const c = k.latest.classification;
      if (c.status === 'undecryptable') push('undecryptable', k.latest, c.error);
      else if (c.status === 'plaintext' && c.stale === true) push('plaintext', k.latest, 'plaintext under a configuration that encrypts this resource');
      else if (c.stale === true) push('stale', k.latest, 'not under the first provider key of the chain');
      if (k.latest.decodeError !== undefined) push('undecodable', k.latest, k.latest.decodeError);
    }
    for (const h of k.history) {
      const c = h.classification;
      if (c.status === 'undecryptable') push('undecryptable', h, c.error);
      else if (c.status === 'plaintext' && k.latest?.classification.status === 'encrypted') push('history-plaintext', h, 'old revision still holds the plaintext');
      else if (c.status === 'encrypted' && c.stale === true) push('history-stale', h, 'old revision under a key that is no longer first');
    }
  }
  return out;
}
