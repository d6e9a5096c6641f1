/**
 * The audit's totals, key needs and findings, fed one classified revision at a time: every
 * revision as soon as it is read (snapshot totals, KMS v2 inventory), and each one again once it
 * is known to be its key's latest or part of its history (that is known only when a later
 * revision of the key, a delete, or the end of the file comes).
 *
 * Names in the report's records are sorted (`_tally.ts`), so the JSON report is the same whatever
 * order revisions are read and settled in.
 *
 * @module
 */
import type { LoadedEncryptionConfiguration } from '@atrest/config';
import { type AuditTotals, compareKeyNames, type Finding, type KeyName, type KeysStillNeeded, type StatusCounts } from './report-types.js';
import type { Classifier } from './_classifier.js';
import { bump, own, sortedRecord } from './_tally.js';

/** @internal */
export class Accumulator {
  readonly #classes: Classifier;
  readonly #snapshot = {
    putRevisions: 0,
    tombstones: 0,
    byStatus: {} as Partial<StatusCounts>,
    byProviderKey: {} as Record<string, number>,
    byResource: {} as Record<string, StatusCounts & { revisions: number; stale: number }>,
  };
  readonly #kmsV2: AuditTotals['kmsV2'] = {};
  readonly #dekSets = new Map<string, Set<string>>();
  readonly #latest = {
    byStatus: { encrypted: 0, plaintext: 0, undecryptable: 0 },
    stale: 0,
    byProviderKey: {} as Record<string, number>,
    byResource: {} as Record<string, StatusCounts & { stale: number; objects: number }>,
  };
  readonly #history = {
    revisions: 0,
    byStatus: {} as Partial<StatusCounts>,
    byProviderKey: {} as Record<string, number>,
    plaintextRevisionsOfKeysNowEncrypted: [] as (KeyName & { revision: number })[],
  };
  readonly #need = new Map<string, { latest: number; history: number; residue: number }>();
  #residueRead = false;
  /** Latest values that could not be decrypted, by provider key. */
  readonly #latestFailed = new Map<string, number>();
  readonly #findings: Finding[] = [];
  #present = 0;
  #deleted = 0;

  /** @param classes - where classification indexes are looked up */
  constructor(classes: Classifier) {
    this.#classes = classes;
  }

  /** A put revision, as soon as it is read. */
  revision(resource: string, cls: number, fingerprint: string | undefined): void {
    const c = this.#classes.classification(cls);
    const s = this.#snapshot;
    s.putRevisions++;
    bump(s.byStatus as Record<string, number>, c.status);
    bump(s.byProviderKey, c.id);
    const r = own(s.byResource, resource, () => ({ revisions: 0, encrypted: 0, plaintext: 0, undecryptable: 0, stale: 0 }));
    r.revisions++;
    r[c.status]++;
    if (c.stale === true) r.stale++;
    if (c.kmsApiVersion === 'v2') {
      const k = own(this.#kmsV2, c.id, () => ({ values: 0, byKeyID: {}, distinctWrappedDEKs: 0 }));
      k.values++;
      bump(k.byKeyID, c.kmsKeyID ?? '');
      if (fingerprint !== undefined) {
        const set = this.#dekSets.get(c.id) ?? new Set<string>();
        set.add(fingerprint);
        this.#dekSets.set(c.id, set);
        k.distinctWrappedDEKs = set.size;
      }
    }
  }

  /** Tombstones of one key, and whether the key ends deleted. */
  key(deleted: boolean, tombstones: number): void {
    this.#snapshot.tombstones += tombstones;
    if (deleted) this.#deleted++;
    else this.#present++;
  }

  #needs(id: string, where: 'latest' | 'history' | 'residue'): void {
    if (id === 'identity' || id === 'unknown') return;
    const n = this.#need.get(id) ?? { latest: 0, history: 0, residue: 0 };
    n[where]++;
    this.#need.set(id, n);
  }

  /** A revision read from a free page: it needs its key to be read. */
  residue(cls: number): void {
    this.#residueRead = true;
    this.#needs(this.#classes.classification(cls).id, 'residue');
  }

  /** Free pages were read (even if they held nothing): keys still needed gain the residue column. */
  residueRead(): void {
    this.#residueRead = true;
  }

  #finding(kind: Finding['kind'], name: KeyName, revision: number, resource: string, id: string, reason?: string): void {
    this.#findings.push({ kind, ...name, revision, resource, id, ...(reason === undefined ? {} : { reason }) });
  }

  /**
   * A revision that is its key's latest.
   * @param key - the key's text, made only if a finding needs it
   */
  latest(key: () => KeyName, resource: string, cls: number, revision: number, decodeError: string | undefined): void {
    const c = this.#classes.classification(cls);
    this.#needs(c.id, 'latest');
    const t = this.#latest;
    t.byStatus[c.status]++;
    if (c.stale === true) t.stale++;
    bump(t.byProviderKey, c.id);
    const lr = own(t.byResource, resource, () => ({ encrypted: 0, plaintext: 0, undecryptable: 0, stale: 0, objects: 0 }));
    lr.objects++;
    lr[c.status]++;
    if (c.stale === true) lr.stale++;
    if (c.status === 'undecryptable') {
      this.#latestFailed.set(c.id, (this.#latestFailed.get(c.id) ?? 0) + 1);
      this.#finding('undecryptable', key(), revision, resource, c.id, c.error);
    } else if (c.status === 'plaintext' && c.stale === true) this.#finding('plaintext', key(), revision, resource, c.id, 'plaintext under a configuration that encrypts this resource');
    else if (c.stale === true) this.#finding('stale', key(), revision, resource, c.id, 'not under the first provider key of the chain');
    if (decodeError !== undefined) this.#finding('undecodable', key(), revision, resource, c.id, decodeError);
  }

  /**
   * A revision that is history (a later revision of its key, or a delete, exists).
   * @param key - the key's text, made only if a finding needs it
   * @returns true when it is plaintext: the caller keeps its revision for {@link Accumulator.leftovers}
   */
  history(key: () => KeyName, resource: string, cls: number, revision: number): boolean {
    const c = this.#classes.classification(cls);
    this.#needs(c.id, 'history');
    const t = this.#history;
    t.revisions++;
    bump(t.byStatus as Record<string, number>, c.status);
    bump(t.byProviderKey, c.id);
    if (c.status === 'undecryptable') this.#finding('undecryptable', key(), revision, resource, c.id, c.error);
    else if (c.status === 'plaintext') return true;
    else if (c.stale === true) this.#finding('history-stale', key(), revision, resource, c.id, 'old revision under a key that is no longer first');
    return false;
  }

  /**
   * Plaintext left in old revisions of a key whose latest value is encrypted; call in key order.
   * @param revisions - the key's plaintext history revisions, ascending
   */
  leftovers(key: KeyName, resource: string, revisions: readonly number[]): void {
    for (const revision of revisions) {
      this.#history.plaintextRevisionsOfKeysNowEncrypted.push({ ...key, revision });
      this.#finding('history-plaintext', key, revision, resource, 'identity', 'old revision still holds the plaintext');
    }
  }

  /** The totals, once every key is settled. */
  totals(otherKeyRevisions: number): AuditTotals {
    const s = this.#snapshot;
    const l = this.#latest;
    const h = this.#history;
    return {
      keys: { present: this.#present, deleted: this.#deleted, otherKeys: otherKeyRevisions > 0 ? 1 : 0 },
      latest: { byStatus: l.byStatus, stale: l.stale, byProviderKey: sortedRecord(l.byProviderKey), byResource: sortedRecord(l.byResource) },
      history: {
        revisions: h.revisions,
        byStatus: sortedRecord(h.byStatus),
        byProviderKey: sortedRecord(h.byProviderKey),
        plaintextRevisionsOfKeysNowEncrypted: h.plaintextRevisionsOfKeysNowEncrypted,
      },
      snapshot: {
        putRevisions: s.putRevisions,
        tombstones: s.tombstones,
        otherKeyRevisions,
        byStatus: sortedRecord(s.byStatus),
        byProviderKey: sortedRecord(s.byProviderKey),
        byResource: sortedRecord(s.byResource),
      },
      kmsV2: sortedRecord(Object.fromEntries(Object.entries(this.#kmsV2).map(([id, k]) => [id, { ...k, byKeyID: sortedRecord(k.byKeyID) }]))),
    };
  }

  /**
   * "Is this the cluster's config?": a provider key the configuration lacks although latest values
   * are under it, or one most of whose latest values the configured key could not decrypt.
   */
  warnings(config: LoadedEncryptionConfiguration): string[] {
    const configured = new Set<string>();
    for (const r of config.resources) for (const id of r.chain) configured.add(id);
    const warnings: string[] = [];
    for (const [id, failed] of [...this.#latestFailed].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const total = this.#latest.byProviderKey[id] ?? failed;
      const values = failed === 1 ? '1 latest value is' : `${failed} latest values are`;
      if (id === 'unknown') warnings.push(`${values} under a provider atrest does not know (not k8s:enc:aescbc|aesgcm|secretbox|kms): they cannot be read`);
      else if (!configured.has(id)) warnings.push(`${values} under ${id}, which the configuration does not have: they cannot be read (is this the cluster's config?)`);
      else if (failed * 2 > total) {
        const name = id.split(':')[2] ?? 'NAME';
        const endpoint = config.config.resources.flatMap((r) => r.providers).find((p) => p.kms?.name === name)?.kms?.endpoint;
        const kms = id.startsWith('kms:') ? ` or its KMS plugin${endpoint === undefined ? '' : ` at ${endpoint}`} did not answer (offline, use --kms-mock ${name}=base64)` : '';
        warnings.push(`${failed} of ${total} latest values under ${id} could not be decrypted with the configured key${kms}: is this the cluster's config?`);
      }
    }
    return warnings;
  }

  /**
   * A revision whose object says it is another resource than its key's: the object's TypeMeta is
   * what it is; the key decided which rule of the config it was read with.
   */
  mismatch(key: KeyName, revision: number, resource: string, id: string, typeResource: string, apiVersion: string, kind: string): void {
    this.#finding('resource-mismatch', key, revision, resource, id, `the object is a ${apiVersion} ${kind} (${typeResource}), stored under a key of ${resource}`);
  }

  /** Values, latest and history, that no configured key decrypted. */
  undecryptable(): number {
    return this.#latest.byStatus.undecryptable + (this.#history.byStatus.undecryptable ?? 0);
  }

  /**
   * @param cannotTell - why the audit cannot call a key removable, if it cannot: then none is,
   *   and the reason is reported instead
   */
  keysStillNeeded(config: LoadedEncryptionConfiguration, cannotTell: string | undefined): KeysStillNeeded {
    const configured = new Set<string>();
    for (const r of config.resources) for (const id of r.chain) if (id !== 'identity') configured.add(id);
    const unused = [...configured].filter((id) => !this.#need.has(id)).sort();
    return {
      needed: [...this.#need]
        .sort((a, b) => (a[0] < b[0] ? -1 : 1))
        .map(([id, n]) => ({ id, latest: n.latest, history: n.history, ...(this.#residueRead ? { residue: n.residue } : {}), configured: configured.has(id) })),
      removable: cannotTell === undefined ? unused : [],
      ...(cannotTell !== undefined && unused.length > 0 ? { cannotTell } : {}),
    };
  }

  /** Findings by key, then revision (stable: a revision's findings in the order they were made). */
  findings(): Finding[] {
    return this.#findings.sort((a, b) => compareKeyNames(a, b) || a.revision - b.revision);
  }
}
