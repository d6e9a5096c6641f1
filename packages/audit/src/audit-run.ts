/**
 * One audit in progress, fed revisions one at a time by whatever reads them (a snapshot file, a
 * running etcd). `auditSnapshot` and `auditRevisions` are thin loops around it.
 *
 * The rules:
 * - A key's revisions come in ascending order (see `source.ts`). Its last put is its *latest*
 *   value unless a delete follows it; every earlier put is *history*. Which one a put is becomes
 *   known only when the key's next revision, or the end, comes; until then it waits, classified,
 *   as the key's one pending put (`_key-book.ts`). Memory is a few numbers per key plus the key's
 *   bytes, never values: a value is decrypted, checked to decode, classified and dropped.
 * - Past `keysInMemory` keys, key state moves to temporary files (`_key-spill.ts`) and is settled
 *   at the end, a partition of keys at a time, by the same rules: memory stays flat.
 * - Every put also counts at once in the totals over all revisions and the KMS v2 inventory.
 * - Undecryptable or undecodable values are findings; they never stop the audit.
 * - Keys outside `/registry/<resource>/...` are counted, not audited; a resource filter leaves
 *   other resources out entirely.
 *
 * @module
 */
import { AtrestError, ErrorCode, fromUtf8, isPromise, type Transformer } from '@atrest/core';
import type { LoadedEncryptionConfiguration } from '@atrest/config';
import { Accumulator } from './_accumulator.js';
import { Classifier, type Outcome } from './_classifier.js';
import { KeyBook, keyNameOf, type Leftover, type Mismatch } from './_key-book.js';
import { FILTERED, OTHER } from './_key-states.js';
import { KeySpill, PARTITIONS } from './_key-spill.js';
import type { Classification } from './classify.js';
import { type AuditReport, compareKeyNames, DAMAGE_LISTED, type DamagedArea, type FreePagesReport, type KeyReport, type ResidualRevision, type RevisionSummary } from './report-types.js';
import { bump, own, sortedRecord } from './_tally.js';
import { groupResourceOf } from './resource-of-key.js';
import { builtinResourceOfKind } from './resource-names.js';
import type { AuditRevision, SourceFacts } from './source.js';

/** Options of an audit. */
export interface AuditOptions {
  /** The configuration to audit against (every key still needed for reading). */
  readonly config: LoadedEncryptionConfiguration;
  /** Only this group-resource (`secrets`, `deployments.apps`). */
  readonly resource?: string;
  /**
   * Keep every key's revisions in `report.keys` (memory grows with the source, and key state
   * never spills). Default false: only totals, keys still needed and findings, in memory of tens
   * of bytes per key up to `keysInMemory` keys, flat past it, never proportional to the values.
   */
  readonly details?: boolean;
  /**
   * Salvage a damaged snapshot: damage inside the `key` bucket's tree and revisions that do not
   * decode are skipped and listed in {@link AuditReport.damage} instead of ending the audit.
   * Default false (such damage throws `ERR_INVALID_DATA`). A live source has no damage to salvage.
   */
  readonly salvage?: boolean;
  /**
   * Snapshots only: also read the file's free pages for revisions compaction left behind
   * (`report.freePages`). Default false.
   */
  readonly freePages?: boolean;
  /**
   * The most keys whose state the audit keeps in memory (about 60 bytes each). Past it, and
   * without `details`, key state moves to temporary files under `tmpDir`: tens of bytes per
   * revision on disk, never values, unlinked as soon as they are made, and read back one 64th at
   * a time at the end. The report is the same either way. Default {@link DEFAULT_KEYS_IN_MEMORY};
   * `Infinity` never spills.
   */
  readonly keysInMemory?: number;
  /** Where the temporary files are made when key state spills (default: the system's, `$TMPDIR`). */
  readonly tmpDir?: string;
  /** Called every 1000 revisions read and at the end, with the revisions read and the bytes of audited values so far. */
  readonly onProgress?: (progress: { readonly revisions: number; readonly bytes: number }) => void;
}

/** Keys whose state an audit keeps in memory by default: about 16 MB of it. */
export const DEFAULT_KEYS_IN_MEMORY = 250_000;

function keysInMemoryOf(options: AuditOptions): number {
  const n = options.keysInMemory === undefined ? DEFAULT_KEYS_IN_MEMORY : options.keysInMemory;
  if (typeof n !== 'number' || !(n >= 0) || (Number.isFinite(n) && !Number.isInteger(n))) {
    throw new AtrestError(ErrorCode.InvalidArgument, 'keysInMemory must be a whole number of keys, 0 or more, or Infinity', { field: 'keysInMemory' });
  }
  if (options.tmpDir !== undefined && (typeof options.tmpDir !== 'string' || options.tmpDir === '')) {
    throw new AtrestError(ErrorCode.InvalidArgument, 'tmpDir must be a directory path', { field: 'tmpDir' });
  }
  return n;
}

function summaryOf(entry: AuditRevision, out: Outcome, classification: Classification): RevisionSummary {
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
 * An audit being fed: {@link AuditRun.push} each revision, {@link AuditRun.damage} each damaged
 * area met, then {@link AuditRun.finish} once for the report.
 * @example
 * ```ts
 * import { AuditRun } from '@atrest/audit';
 * import { loadEncryptionConfiguration } from '@atrest/config';
 * declare const configYaml: string;
 * const run = new AuditRun({ source: { kind: 'snapshot', fileSize: 0 }, compactRevision: null }, { config: loadEncryptionConfiguration(configYaml) });
 * const value = new TextEncoder().encode('k8s:enc:aescbc:v1:key1:...');
 * await run.push({ revision: { main: 2, sub: 0 }, tombstone: false, kv: { key: new TextEncoder().encode('/registry/secrets/default/a'), value, createRevision: 2, version: 1 } });
 * const report = run.finish();
 * report.totals.latest.byStatus; // { encrypted: 0, plaintext: 0, undecryptable: 1 }
 * ```
 */
export class AuditRun {
  readonly #facts: SourceFacts;
  readonly #options: AuditOptions;
  readonly #details: boolean;
  readonly #classifier: Classifier;
  readonly #acc: Accumulator;
  readonly #keysInMemory: number;
  /** Every key's state while they fit in memory; null once they spill. */
  #book: KeyBook | null;
  #spill: KeySpill | null = null;
  readonly #resources: string[] = [];
  readonly #resourceIds = new Map<string, number>();
  readonly #transformers: (Transformer | undefined)[] = [];
  readonly #damage: DamagedArea[] = [];
  #damageCount = 0;
  #otherKeyRevisions = 0;
  #head = 0;
  #seen = 0;
  #bytes = 0;
  #finished = false;
  /** Residual revisions from free pages, with the free-page scan's counts (see {@link AuditRun.residue}). */
  #residue: { revisions: ResidualRevision[]; pages: number; duplicates: number; skippedElements: number } | undefined;

  /**
   * @param facts - what the source is, its compaction revision, damage known up front
   * @param options - configuration, resource filter, details, memory, progress
   * @throws AtrestError (`ERR_INVALID_ARGUMENT`) for a `keysInMemory` or `tmpDir` of the wrong kind
   */
  constructor(facts: SourceFacts, options: AuditOptions) {
    this.#facts = facts;
    this.#options = options;
    this.#details = options.details === true;
    this.#keysInMemory = this.#details ? Number.POSITIVE_INFINITY : keysInMemoryOf(options);
    this.#classifier = new Classifier(this.#details);
    this.#acc = new Accumulator(this.#classifier);
    this.#book = new KeyBook(this.#acc, this.#classifier, this.#resources, this.#details);
    for (const area of facts.damage ?? []) this.damage(area);
  }

  /** Revisions pushed so far. */
  get revisions(): number {
    return this.#seen;
  }

  /** Bytes of audited values so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Bytes of key state written to temporary files so far (0 while it fits in memory). */
  get spilledBytes(): number {
    return this.#spill?.bytes ?? 0;
  }

  /**
   * Audit one revision. Its bytes are read before this returns or, when a KMS plugin is asked,
   * before the returned promise settles; await it before pushing the next one.
   * @returns undefined, or a promise when the value's provider answers asynchronously
   */
  push(entry: AuditRevision): Promise<void> | undefined {
    const main = entry.revision.main;
    if (main > this.#head) this.#head = main;
    if (++this.#seen % 1000 === 0) this.#options.onProgress?.({ revisions: this.#seen, bytes: this.#bytes });
    const key = entry.kv.key;
    const book = this.#book;
    /** The key's number in the book, or -1 once key state is spilled (`inBook` null). */
    let k = -1;
    let r: number;
    if (book === null) r = this.#resourceOf(key);
    else {
      k = book.find(key);
      if (k >= 0) r = book.resource(k);
      else {
        r = this.#resourceOf(key);
        if (book.size < this.#keysInMemory) k = book.add(key, r);
        else this.#spillKeys(book);
      }
    }
    if (r === OTHER) {
      this.#otherKeyRevisions++;
      return undefined;
    }
    if (r === FILTERED) return undefined;
    const inBook = k >= 0 ? book : null;
    inBook?.settlePending(k);
    if (entry.tombstone) {
      if (inBook !== null) inBook.tombstone(k, main);
      else this.#spill?.tombstone(key, r, main);
      return undefined;
    }
    const value = entry.kv.value;
    this.#bytes += value.length;
    let transformer = this.#transformers[r];
    if (transformer === undefined) {
      transformer = this.#options.config.transformerForResource(this.#resources[r] as string);
      this.#transformers[r] = transformer;
    }
    const out = this.#classifier.classify(transformer, key, value);
    if (isPromise(out)) return out.then((o) => this.#record(entry, k, r, o));
    this.#record(entry, k, r, out);
    return undefined;
  }

  /** Classified put `entry` of key `k` in the book (or, -1, of a spilled key) of resource `r`. */
  #record(entry: AuditRevision, k: number, r: number, out: Outcome): void {
    const resource = this.#resources[r] as string;
    this.#acc.revision(resource, out.cls, out.fingerprint);
    let mismatch: Mismatch | undefined;
    if (out.kind !== undefined) {
      const typeResource = builtinResourceOfKind(out.apiVersion ?? '', out.kind);
      if (typeResource !== undefined && typeResource !== resource) mismatch = { typeResource, apiVersion: out.apiVersion ?? '', kind: out.kind };
    }
    const main = entry.revision.main;
    if (k >= 0) (this.#book as KeyBook).put(k, out, main, this.#details ? summaryOf(entry, out, this.#classifier.classification(out.cls)) : undefined, mismatch);
    else this.#spill?.put(entry.kv.key, r, main, out.cls, out.decodeError, mismatch);
  }

  /** The book is full: its audited keys' state moves to temporary files, and every later revision goes there too. */
  #spillKeys(book: KeyBook): void {
    const spill = new KeySpill(this.#options.tmpDir);
    for (const { k, bytes, resource } of book.keys()) if (resource >= 0) spill.state(bytes, resource, book.takeState(k));
    this.#spill = spill;
    this.#book = null;
  }

  /**
   * A revision found in a free page of a snapshot, not in its tree: classified like any revision
   * and reported apart (`report.freePages`); it counts toward the keys still needed. Tombstones and
   * keys that are not objects are not residue of interest and are ignored.
   * @returns undefined, or a promise when the value's provider answers asynchronously
   */
  residue(entry: AuditRevision, page: number): Promise<void> | undefined {
    this.#residue ??= { revisions: [], pages: 0, duplicates: 0, skippedElements: 0 };
    if (entry.tombstone) return undefined;
    const text = fromUtf8(entry.kv.key);
    const resource = groupResourceOf(text);
    if (resource === null || (this.#options.resource !== undefined && resource !== this.#options.resource)) return undefined;
    const out = this.#classifier.classify(this.#options.config.transformerForResource(resource), entry.kv.key, entry.kv.value);
    const record = (o: Outcome): void => {
      this.#acc.residue(o.cls);
      const c = this.#classifier.classification(o.cls);
      const name = keyNameOf(entry.kv.key, text);
      this.#residue?.revisions.push({ ...name, revision: entry.revision.main, subRevision: entry.revision.sub, status: c.status, id: c.id, resource, page });
    };
    if (isPromise(out)) return out.then(record);
    record(out);
    return undefined;
  }

  /** The free-page scan's counts, once it is done. */
  freePageCounts(counts: { readonly pages: number; readonly duplicates: number; readonly skippedElements: number }): void {
    this.#residue ??= { revisions: [], pages: 0, duplicates: 0, skippedElements: 0 };
    this.#acc.residueRead();
    Object.assign(this.#residue, counts);
  }

  /** A damaged area of the source, skipped: the report lists it and its counts become lower bounds. */
  damage(area: DamagedArea): void {
    if (this.#damageCount++ < DAMAGE_LISTED) this.#damage.push(area);
  }

  /** The resource index of a key's resource, {@link OTHER} or {@link FILTERED}; new resources are numbered. */
  #resourceOf(key: Uint8Array): number {
    const groupResource = groupResourceOf(fromUtf8(key));
    if (groupResource === null) return OTHER;
    if (this.#options.resource !== undefined && groupResource !== this.#options.resource) return FILTERED;
    let resource = this.#resourceIds.get(groupResource);
    if (resource === undefined) {
      resource = this.#resources.length;
      this.#resources.push(groupResource);
      this.#resourceIds.set(groupResource, resource);
    }
    return resource;
  }

  /**
   * Free the temporary files of an audit that will not be finished ({@link AuditRun.finish}
   * frees them itself). Safe to call at any time, and twice.
   */
  close(): void {
    this.#spill?.close();
  }

  /**
   * The end of the source: every key's pending put is its latest. Call once.
   * @returns the report
   */
  finish(): AuditReport {
    if (this.#finished) throw new Error('AuditRun.finish() was already called');
    this.#finished = true;
    this.#options.onProgress?.({ revisions: this.#seen, bytes: this.#bytes });
    const acc = this.#acc;
    const leftovers: Leftover[] = [];
    let reports: KeyReport[] = [];
    const book = this.#book;
    if (book !== null) {
      book.settleAll(leftovers);
      if (this.#details) reports = book.reports().sort((a, b) => compareKeyNames(a.name, b.name)).map((r) => r.report);
    } else {
      const spill = this.#spill as KeySpill;
      try {
        for (let p = 0; p < PARTITIONS; p++) {
          const part = new KeyBook(acc, this.#classifier, this.#resources, false);
          spill.replay(p, part);
          part.settleAll(leftovers);
        }
      } finally {
        spill.close();
      }
    }
    leftovers.sort((a, b) => compareKeyNames(a.name, b.name));
    for (const l of leftovers) acc.leftovers(l.name, l.resource, l.revisions);

    const damaged = this.#damageCount > 0;
    const undecryptable = acc.undecryptable();
    const cannotTell = damaged
      ? 'parts of the source were damaged and skipped; a value there may need any key'
      : undecryptable > 0
        ? `${undecryptable} value(s) could not be decrypted with the configured keys; they may be under any key (is this the cluster's config?)`
        : this.#facts.latestOnly === true
          ? 'only latest values were read; older revisions may still need a key (audit with --history)'
          : undefined;
    const findings = acc.findings();
    const totals = acc.totals(this.#otherKeyRevisions);
    const warnings = acc.warnings(this.#options.config);
    return {
      source: this.#facts.source,
      headRevision: this.#head,
      compactRevision: this.#facts.compactRevision,
      keys: reports,
      otherKeyRevisions: this.#otherKeyRevisions,
      totals,
      keysStillNeeded: acc.keysStillNeeded(this.#options.config, cannotTell),
      findings,
      ...(warnings.length > 0 ? { warnings } : {}),
      ...(this.#residue === undefined ? {} : { freePages: freePagesReport(this.#residue) }),
      ...(damaged ? { damage: { count: this.#damageCount, areas: this.#damage } } : {}),
    };
  }
}

/** The free-page section: counts by status, provider key and resource, revisions in key order. */
function freePagesReport(r: { revisions: ResidualRevision[]; pages: number; duplicates: number; skippedElements: number }): FreePagesReport {
  const byStatus: Record<string, number> = {};
  const byProviderKey: Record<string, number> = {};
  const byResource: Record<string, Record<string, number>> = {};
  for (const v of r.revisions) {
    bump(byStatus, v.status);
    bump(byProviderKey, v.id);
    bump(own(byResource, v.resource, () => ({})), v.status);
  }
  const revisions = [...r.revisions].sort((a, b) => compareKeyNames(a, b) || a.revision - b.revision || a.subRevision - b.subRevision);
  return {
    pages: r.pages,
    duplicates: r.duplicates,
    skippedElements: r.skippedElements,
    totals: { byStatus: sortedRecord(byStatus), byProviderKey: sortedRecord(byProviderKey), byResource: sortedRecord(byResource) },
    revisions,
  };
}

/** The place of a damage report, from its error's context (names and numbers only). @internal */
export function damagedArea(err: AtrestError): DamagedArea {
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
