/**
 * Re-encryption of a running etcd in place: every latest value of the selected resources that the
 * configuration reads as stale is rewritten with the write provider, one key at a time, each in
 * its own compare-and-swap transaction.
 *
 * Why it is safe to stop at any moment and run again:
 * - values are read page by page at one pinned revision, decided (`decide.ts`: decrypt, encrypt,
 *   read back to the identical plaintext), and only then written;
 * - each write is `If(mod_revision == seen) Then(Put(new value, same lease))`: a key
 *   kube-apiserver wrote meanwhile is never overwritten; it is read again and decided again;
 * - nothing is kept between runs: a killed run leaves every key either as it was or rewritten,
 *   and the next run finds the rest stale.
 *
 * Before the first write it checks that the configuration can write (a KMS plugin that does not
 * answer stops it) and that a sample of values is readable (most values of a provider key
 * undecryptable means the wrong config: it stops unless forced).
 *
 * @module
 */
import { AtrestError, ErrorCode, fromUtf8, toAtrestError, utf8 } from '@atrest/core';
import type { LoadedEncryptionConfiguration } from '@atrest/config';
import type { LiveEtcd } from '@atrest/etcd-live';
import type { KeyValue } from '@atrest/etcd-snapshot';
import { mapConcurrently, RateLimit } from './_pool.js';
import { decide, type Decision, type SkipReason } from './decide.js';
import { Selection } from './select.js';

/** What re-encryption needs of a live etcd (`openLiveEtcd` gives it). */
export type ReencryptTarget = Pick<LiveEtcd, 'facts' | 'latest' | 'get' | 'count' | 'compareAndPut'>;

/** Options of {@link reencrypt}. */
export interface ReencryptOptions {
  /** The configuration to write with (the cluster's, with the new key first). */
  readonly config: LoadedEncryptionConfiguration;
  /** Group-resources to rewrite (`secrets`, `deployments.apps`); default: every resource a rule covers. */
  readonly resources?: readonly string[];
  /** Decide and count, write nothing. */
  readonly dryRun?: boolean;
  /** Values decided and written at once (default 16). */
  readonly concurrency?: number;
  /** At most this many writes per second (default: no limit). */
  readonly rate?: number;
  /** Go on although the sample looks like the wrong configuration. */
  readonly force?: boolean;
  /** Keys per page read (default 1000). */
  readonly pageSize?: number;
  /** Called after each page and at the end. */
  readonly onProgress?: (progress: ReencryptProgress) => void;
}

/** Where a run is. */
export interface ReencryptProgress {
  /** Keys in etcd at the pinned revision, and keys read so far. */
  readonly total: number;
  readonly scanned: number;
  readonly selected: number;
  readonly rewritten: number;
  readonly current: number;
  readonly skipped: number;
}

/** A value left as it was, and why. */
export interface SkippedValue {
  readonly key: string;
  /** The key's exact bytes (base64), when its text does not give them back. */
  readonly keyBase64?: string;
  readonly resource: string;
  readonly revision: number;
  readonly from: string;
  readonly reason: SkipReason | 'busy';
  readonly detail: string;
}

/** Counts of one resource. */
export interface ResourceCounts {
  selected: number;
  rewritten: number;
  current: number;
  skipped: number;
}

/** What a run did (or, with `dryRun`, would do). */
export interface ReencryptReport {
  readonly dryRun: boolean;
  /** The revision the values were read at. */
  readonly revision: number;
  readonly scanned: number;
  readonly selected: number;
  /** Values written (dry run: that would be written). */
  readonly rewritten: number;
  /** Values already under the write key. */
  readonly current: number;
  /** Writes that found the key changed; each was read and decided again. */
  readonly conflicts: number;
  /** Keys deleted between the read and the write (nothing to do). */
  readonly deletedMeanwhile: number;
  /** `from -> to` provider keys, with counts. */
  readonly rewrites: Record<string, number>;
  readonly byResource: Record<string, ResourceCounts>;
  /** Values left as they were (undecryptable, undecodable, read-back failure, busy). */
  readonly skipped: readonly SkippedValue[];
}

/** Values decided before the first write, to recognise the wrong configuration. */
const SAMPLE_VALUES = 500;
/** Bytes of new values held back while sampling. */
const SAMPLE_BYTES = 64 * 1024 * 1024;
/** Compare-and-swap attempts on one key before it is left as busy. */
const MAX_ATTEMPTS = 5;
const EVERY_KEY = new Uint8Array(0);

interface Item {
  readonly kv: KeyValue;
  readonly resource: string;
  readonly decision: Decision;
}

/**
 * Re-encrypt the selected resources' latest values in a running etcd.
 *
 * @param etcd - a connection (`openLiveEtcd`)
 * @param options - config, resources, dry run, concurrency, rate, force, progress
 * @returns the report; `skipped` lists every value left as it was
 * @throws AtrestError before any write when the configuration cannot write
 *   (`ERR_PROVIDER_UNAVAILABLE`, `ERR_KMS_PLUGIN`…) or the sample looks like the wrong
 *   configuration (`ERR_INVALID_ARGUMENT`, unless `force`); connection errors of `@atrest/etcd-live`
 * @example
 * ```ts
 * import { reencrypt } from '@atrest/reencrypt';
 * import { openLiveEtcd } from '@atrest/etcd-live';
 * import { loadEncryptionConfiguration } from '@atrest/config';
 * declare const configYaml: string;
 * const etcd = await openLiveEtcd({ endpoints: ['http://127.0.0.1:2379'], dialTimeoutMs: 2000, commandTimeoutMs: 5000 });
 * const report = await reencrypt(etcd, { config: loadEncryptionConfiguration(configYaml), resources: ['secrets'] });
 * console.log(report.rewritten, report.skipped.length);
 * etcd.close();
 * ```
 */
export async function reencrypt(etcd: ReencryptTarget, options: ReencryptOptions): Promise<ReencryptReport> {
  const concurrency = options.concurrency ?? 16;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) throw new AtrestError(ErrorCode.InvalidArgument, 'concurrency must be a positive integer', { argument: 'concurrency' });
  if (options.rate !== undefined && !(options.rate > 0)) throw new AtrestError(ErrorCode.InvalidArgument, 'rate must be a positive number of writes per second', { argument: 'rate' });
  const config = options.config;
  const selection = new Selection(config, options.resources);
  await checkCanWrite(config, options.resources);

  const dryRun = options.dryRun === true;
  const rate = new RateLimit(options.rate);
  const facts = await etcd.facts();
  const revision = facts.revision;
  const total = await etcd.count(EVERY_KEY, revision);
  const byResource: Record<string, ResourceCounts> = {};
  const rewrites: Record<string, number> = {};
  const skipped: SkippedValue[] = [];
  let scanned = 0;
  let selected = 0;
  let rewritten = 0;
  let current = 0;
  let conflicts = 0;
  let deletedMeanwhile = 0;
  const counts = (resource: string): ResourceCounts => (byResource[resource] ??= { selected: 0, rewritten: 0, current: 0, skipped: 0 });
  const progress = (): void =>
    options.onProgress?.({ total, scanned, selected, rewritten, current, skipped: skipped.length });

  const skip = (kv: KeyValue, resource: string, from: string, reason: SkippedValue['reason'], detail: string): void => {
    counts(resource).skipped++;
    skipped.push({ ...keyName(kv.key), resource, revision: kv.modRevision, from, reason, detail });
  };
  const done = (resource: string, from: string, to: string): void => {
    rewritten++;
    counts(resource).rewritten++;
    rewrites[`${from} -> ${to}`] = (rewrites[`${from} -> ${to}`] ?? 0) + 1;
  };

  /** Write one decided value, deciding again after each conflict. */
  const write = async (item: Item): Promise<void> => {
    let { kv, decision } = item;
    const transformer = config.transformerForResource(item.resource);
    for (let attempt = 1; ; attempt++) {
      if (decision.kind === 'current') {
        current++;
        counts(item.resource).current++;
        return;
      }
      if (decision.kind === 'skip') return skip(kv, item.resource, decision.from, decision.reason, decision.detail);
      if (dryRun) return done(item.resource, decision.from, decision.to);
      await rate.take();
      const written = await etcd.compareAndPut(kv.key, kv.modRevision, decision.value, kv.lease);
      if (written !== undefined) return done(item.resource, decision.from, decision.to);
      conflicts++;
      if (attempt >= MAX_ATTEMPTS) return skip(kv, item.resource, decision.from, 'busy', `the key changed ${MAX_ATTEMPTS} times while it was rewritten; run again`);
      const now = await etcd.get(kv.key);
      if (now === undefined) {
        deletedMeanwhile++;
        return;
      }
      kv = now;
      decision = await decide(transformer, kv.key, kv.value);
    }
  };

  let sampling = !dryRun;
  let held: Item[] = [];
  let heldBytes = 0;
  const sample = new Map<string, { values: number; undecryptable: number }>();
  const release = async (): Promise<void> => {
    sampling = false;
    if (options.force !== true) wrongConfigCheck(sample);
    const items = held;
    held = [];
    await mapConcurrently(items, concurrency, write);
  };

  for await (const page of etcd.latest(EVERY_KEY, { revision, ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }) })) {
    scanned += page.length;
    const chosen: { kv: KeyValue; resource: string }[] = [];
    for (const kv of page) {
      const resource = selection.resourceOf(kv.key);
      if (resource === undefined) continue;
      chosen.push({ kv, resource });
      counts(resource).selected++;
    }
    selected += chosen.length;
    const items = await mapConcurrently(chosen, concurrency, async ({ kv, resource }): Promise<Item> => ({
      kv,
      resource,
      decision: await decide(config.transformerForResource(resource), kv.key, kv.value),
    }));
    if (sampling) {
      for (const item of items) {
        const s = sample.get(item.decision.from) ?? { values: 0, undecryptable: 0 };
        s.values++;
        if (item.decision.kind === 'skip' && item.decision.reason === 'undecryptable') s.undecryptable++;
        sample.set(item.decision.from, s);
        if (item.decision.kind === 'rewrite') heldBytes += item.decision.value.length;
      }
      held.push(...items);
      const seen = [...sample.values()].reduce((n, s) => n + s.values, 0);
      if (seen >= SAMPLE_VALUES || heldBytes >= SAMPLE_BYTES) await release();
    } else {
      await mapConcurrently(items, concurrency, write);
    }
    progress();
  }
  if (sampling) await release();
  progress();
  return { dryRun, revision, scanned, selected, rewritten, current, conflicts, deletedMeanwhile, rewrites, byResource, skipped };
}

/** The key as reports name it: text, and base64 when the text does not give the bytes back. */
function keyName(key: Uint8Array): { key: string; keyBase64?: string } {
  const text = fromUtf8(key);
  return text.includes('\uFFFD') ? { key: text, keyBase64: Buffer.from(key).toString('base64') } : { key: text };
}

/**
 * The configuration can write for every selected rule: a probe value is written and read back
 * through each rule's chain (this is where an unreachable KMS plugin shows), before any value.
 */
async function checkCanWrite(config: LoadedEncryptionConfiguration, resources: readonly string[] | undefined): Promise<void> {
  const targets = resources !== undefined && resources.length > 0 ? [...resources] : config.resources.map((r) => r.groupResource.replace(/^\*\.\*$/, 'atrest-probe.atrest-probe').replace(/^\*\./, 'atrest-probe.').replace(/\.$/, ''));
  const plaintext = utf8('{"apiVersion":"v1","kind":"Secret","metadata":{"name":"atrest-probe"}}');
  for (const gr of targets) {
    const key = utf8(`/registry/atrest-probe/${gr}`);
    try {
      const t = config.transformerForResource(gr);
      const back = await t.read(await t.write(plaintext, key), key);
      if (back.stale) throw new AtrestError(ErrorCode.Internal, 'a value just written reads back as stale', {});
    } catch (err) {
      const e = toAtrestError(err);
      throw new AtrestError(e.code, `the configuration cannot write ${gr}: ${e.message}; nothing was written`, { ...e.context, resource: gr }, { cause: e });
    }
  }
}

/** Most of a provider key's sampled values undecryptable: probably the wrong configuration. */
function wrongConfigCheck(sample: ReadonlyMap<string, { values: number; undecryptable: number }>): void {
  for (const [id, s] of sample) {
    if (s.undecryptable >= 5 && s.undecryptable * 2 > s.values) {
      throw new AtrestError(
        ErrorCode.InvalidArgument,
        `${s.undecryptable} of ${s.values} sampled values under ${id} cannot be decrypted with this configuration: is it the cluster's? Nothing was written; --force goes on anyway`,
        { providerKey: id },
      );
    }
  }
}
