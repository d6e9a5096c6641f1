/**
 * The audit as it was before the single pass (two passes over the file, a JS object per key),
 * kept unchanged as the reference the single-pass audit must equal: same totals, same findings,
 * same keys still needed, same per-key details, and the same JSON (key order included).
 */
import { fromUtf8, isPromise } from '@atrest/core';
import type { LoadedEncryptionConfiguration } from '@atrest/config';
import type { EtcdSnapshot } from '@atrest/etcd-snapshot';
import {
  type AuditOptions,
  type AuditReport,
  type AuditTotals,
  type Classification,
  classifyValue,
  type Finding,
  type KeyReport,
  type KeysStillNeeded,
  locateKey,
  type RevisionSummary,
} from '@atrest/audit';

const bump = (o: Record<string, number>, k: string, n = 1): void => {
  o[k] = (o[k] ?? 0) + n;
};

/** What pass 1 learns of a key: enough to tell its latest revision from its history. */
interface KeyState {
  readonly resource: string;
  lastPut: number;
  deleted: boolean;
  tombstones: number[];
  /** Pass 2: history revisions that are plaintext, resolved once the latest's status is known. */
  plaintextHistory?: number[];
  latestStatus?: Classification['status'];
  details?: { latest: RevisionSummary | null; history: RevisionSummary[] };
}

export async function auditSnapshotTwoPass(snapshot: EtcdSnapshot, options: AuditOptions): Promise<AuditReport> {
  const info = snapshot.info();
  const states = new Map<string, KeyState>();
  let otherKeyRevisions = 0;
  let head = 0;
  let seen = 0;
  let bytes = 0;

  // Pass 1: keys and revisions only.
  for (const entry of snapshot.revisions()) {
    head = Math.max(head, entry.revision.main);
    if (++seen % 1000 === 0) options.onProgress?.({ pass: 1, revisions: seen, bytes });
    const key = fromUtf8(entry.kv.key);
    const loc = locateKey(key);
    if (loc.kind === 'other') {
      otherKeyRevisions++;
      continue;
    }
    if (options.resource !== undefined && loc.groupResource !== options.resource) continue;
    let st = states.get(key);
    if (!st) {
      st = { resource: loc.groupResource, lastPut: -1, deleted: false, tombstones: [] };
      states.set(key, st);
    }
    // Revisions arrive in ascending order, so the last event seen decides.
    if (entry.tombstone) {
      st.tombstones.push(entry.revision.main);
      st.deleted = true;
    } else {
      st.lastPut = entry.revision.main;
      st.deleted = false;
    }
  }
  options.onProgress?.({ pass: 1, revisions: seen, bytes });

  // Pass 2: classify and count.
  const acc = new Accumulator(otherKeyRevisions);
  const transformers = new Map<string, ReturnType<LoadedEncryptionConfiguration['transformerForResource']>>();
  seen = 0;
  for (const entry of snapshot.revisions()) {
    if (entry.tombstone) continue;
    const key = fromUtf8(entry.kv.key);
    const st = states.get(key);
    if (!st) continue;
    bytes += entry.kv.value.length;
    if (++seen % 1000 === 0) options.onProgress?.({ pass: 2, revisions: seen, bytes });
    let t = transformers.get(st.resource);
    if (!t) {
      t = options.config.transformerForResource(st.resource);
      transformers.set(st.resource, t);
    }
    let c = classifyValue(t, key, entry.kv.value);
    if (isPromise(c)) c = await c;
    const fp = c.envelope.kms?.wrappedDEKFingerprint;
    const summary: RevisionSummary = {
      revision: entry.revision.main,
      subRevision: entry.revision.sub,
      createRevision: entry.kv.createRevision,
      version: entry.kv.version,
      valueBytes: entry.kv.value.length,
      classification: c.classification,
      ...(c.object ? { object: c.object } : {}),
      ...(c.decodeError !== undefined ? { decodeError: c.decodeError } : {}),
      ...(fp !== undefined ? { wrappedDEKFingerprint: fp } : {}),
    };
    const latest = !st.deleted && entry.revision.main === st.lastPut;
    acc.add(key, st, summary, latest);
    if (options.details) {
      st.details ??= { latest: null, history: [] };
      if (latest) st.details.latest = summary;
      else st.details.history.push(summary);
    }
  }
  options.onProgress?.({ pass: 2, revisions: seen, bytes });

  const sortedKeys = [...states.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const keys: KeyReport[] = [];
  for (const key of sortedKeys) {
    const st = states.get(key) as KeyState;
    acc.finishKey(key, st);
    if (options.details) {
      keys.push({
        key,
        resource: st.resource,
        state: st.deleted ? 'deleted' : 'present',
        latest: st.details?.latest ?? null,
        history: st.details?.history ?? [],
        tombstones: st.tombstones,
      });
    }
  }
  return {
    headRevision: head,
    compactRevision: info.meta.finishedCompactRev?.main ?? null,
    keys,
    otherKeyRevisions,
    totals: acc.totals,
    keysStillNeeded: acc.keysStillNeeded(options.config),
    findings: acc.findings(),
  };
}

/** Totals, key needs and findings, added to one revision at a time. */
class Accumulator {
  readonly totals: AuditTotals;
  readonly #dekSets = new Map<string, Set<string>>();
  readonly #need = new Map<string, { latest: number; history: number }>();
  readonly #findings: Finding[] = [];

  constructor(otherKeyRevisions: number) {
    this.totals = {
      keys: { present: 0, deleted: 0, otherKeys: otherKeyRevisions > 0 ? 1 : 0 },
      latest: { byStatus: { encrypted: 0, plaintext: 0, undecryptable: 0 }, stale: 0, byProviderKey: {}, byResource: {} },
      history: { revisions: 0, byStatus: {}, byProviderKey: {}, plaintextRevisionsOfKeysNowEncrypted: [] },
      snapshot: { putRevisions: 0, tombstones: 0, otherKeyRevisions, byStatus: {}, byProviderKey: {}, byResource: {} },
      kmsV2: {},
    };
  }

  add(key: string, st: KeyState, s: RevisionSummary, latest: boolean): void {
    const t = this.totals;
    const c = s.classification;
    // every surviving put revision
    t.snapshot.putRevisions++;
    bump(t.snapshot.byStatus as Record<string, number>, c.status);
    bump(t.snapshot.byProviderKey, c.id);
    const r = (t.snapshot.byResource[st.resource] ??= { revisions: 0, encrypted: 0, plaintext: 0, undecryptable: 0, stale: 0 });
    r.revisions++;
    r[c.status]++;
    if (c.stale === true) r.stale++;
    if (c.kmsApiVersion === 'v2') {
      const k = (t.kmsV2[c.id] ??= { values: 0, byKeyID: {}, distinctWrappedDEKs: 0 });
      k.values++;
      bump(k.byKeyID, c.kmsKeyID ?? '');
      if (s.wrappedDEKFingerprint !== undefined) {
        const set = this.#dekSets.get(c.id) ?? new Set<string>();
        set.add(s.wrappedDEKFingerprint);
        this.#dekSets.set(c.id, set);
        k.distinctWrappedDEKs = set.size;
      }
    }
    if (c.id !== 'identity' && c.id !== 'unknown') {
      const n = this.#need.get(c.id) ?? { latest: 0, history: 0 };
      if (latest) n.latest++;
      else n.history++;
      this.#need.set(c.id, n);
    }
    const finding = (kind: Finding['kind'], reason?: string): void => {
      this.#findings.push({ kind, key, revision: s.revision, resource: st.resource, id: c.id, ...(reason === undefined ? {} : { reason }) });
    };
    if (latest) {
      st.latestStatus = c.status;
      t.latest.byStatus[c.status]++;
      if (c.stale === true) t.latest.stale++;
      bump(t.latest.byProviderKey, c.id);
      const lr = (t.latest.byResource[st.resource] ??= { encrypted: 0, plaintext: 0, undecryptable: 0, stale: 0, objects: 0 });
      lr.objects++;
      lr[c.status]++;
      if (c.stale === true) lr.stale++;
      if (c.status === 'undecryptable') finding('undecryptable', c.error);
      else if (c.status === 'plaintext' && c.stale === true) finding('plaintext', 'plaintext under a configuration that encrypts this resource');
      else if (c.stale === true) finding('stale', 'not under the first provider key of the chain');
      if (s.decodeError !== undefined) finding('undecodable', s.decodeError);
    } else {
      t.history.revisions++;
      bump(t.history.byStatus as Record<string, number>, c.status);
      bump(t.history.byProviderKey, c.id);
      if (c.status === 'undecryptable') finding('undecryptable', c.error);
      else if (c.status === 'plaintext') (st.plaintextHistory ??= []).push(s.revision);
      else if (c.stale === true) finding('history-stale', 'old revision under a key that is no longer first');
    }
  }

  /** Per-key results that need the whole key: presence, and plaintext left behind in its history. */
  finishKey(key: string, st: KeyState): void {
    const t = this.totals;
    t.snapshot.tombstones += st.tombstones.length;
    if (st.deleted) t.keys.deleted++;
    else t.keys.present++;
    if (st.latestStatus === 'encrypted') {
      for (const revision of st.plaintextHistory ?? []) {
        t.history.plaintextRevisionsOfKeysNowEncrypted.push({ key, revision });
        this.#findings.push({ kind: 'history-plaintext', key, revision, resource: st.resource, id: 'identity', reason: 'old revision still holds the plaintext' });
      }
    }
    st.plaintextHistory = undefined;
  }

  keysStillNeeded(config: LoadedEncryptionConfiguration): KeysStillNeeded {
    const configured = new Set<string>();
    for (const r of config.resources) for (const id of r.chain) if (id !== 'identity') configured.add(id);
    return {
      needed: [...this.#need].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([id, n]) => ({ id, ...n, configured: configured.has(id) })),
      removable: [...configured].filter((id) => !this.#need.has(id)).sort(),
    };
  }

  findings(): Finding[] {
    return this.#findings.sort((a, b) => (a.key === b.key ? a.revision - b.revision : a.key < b.key ? -1 : 1));
  }
}
