/**
 * The audit's rules, checked two ways:
 * - against a small independent model (below) on random synthetic histories: per key, the last
 *   put is the latest unless a delete follows; every other put is history; each value classified
 *   one by one with the public `classifyValue`;
 * - against itself fed in another order: the snapshot's revision order, and key order then
 *   revision order (what a live etcd gives), in batches of any size, give the same report;
 * - against itself with key state spilled to temporary files after any number of keys.
 * The sample snapshot's own manifest is checked in `sample.test.ts`.
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromUtf8, utf8, writeSync } from '@atrest/core';
import { loadEncryptionConfiguration, type LoadedEncryptionConfiguration } from '@atrest/config';
import { openSnapshot, type RevisionEntry } from '@atrest/etcd-snapshot';
import { mockKmsFactory, type MockKmsEntry } from '@atrest/kms';
import { auditRevisions, auditSnapshot, type AuditOptions, type AuditReport, type AuditRevision, classifyValue, locateKey, offlineKmsFactory } from '@atrest/audit';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { envelope, entry, message } from '@atrest/test-support';
import { objectTypeMeta } from '@atrest/kube-objects';
import { builtinResourceOfKind } from '../src/resource-names.js';
import { type Event, syntheticSnapshot } from './_synthetic.js';

const dir = mkdtempSync(join(tmpdir(), 'atrest-audit-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every revision of a snapshot file, owned (not views). */
function revisionsOf(file: string): RevisionEntry[] {
  const snap = openSnapshot(file);
  try {
    return [...snap.revisions()];
  } finally {
    snap.close();
  }
}

/** The same revisions in key order, each key's ascending, as a live etcd gives them, in batches of `size`. */
async function* liveOrder(revisions: readonly AuditRevision[], size: number): AsyncGenerator<readonly AuditRevision[]> {
  const hex = (r: AuditRevision): string => Buffer.from(r.kv.key).toString('hex');
  const sorted = [...revisions].sort((a, b) => (hex(a) < hex(b) ? -1 : hex(a) > hex(b) ? 1 : a.revision.main - b.revision.main || a.revision.sub - b.revision.sub));
  for (let i = 0; i < sorted.length; i += size) yield sorted.slice(i, i + size);
}

/** A report without its source line, which says where revisions came from. */
function body(report: AuditReport): string {
  const { source: _, ...rest } = report;
  return JSON.stringify(rest);
}

async function fromFile(file: string, options: AuditOptions): Promise<AuditReport> {
  const snap = openSnapshot(file);
  try {
    return await auditSnapshot(snap, options);
  } finally {
    snap.close();
  }
}

describe('on the sample snapshot', () => {
  const vectors = join(import.meta.dirname, '..', '..', '..', 'test-vectors', 'etcd');
  const manifest = JSON.parse(readFileSync(join(vectors, 'sample.manifest.json'), 'utf8'));
  const sample = join(vectors, 'sample.db');
  it.each([
    ['kms mock', true],
    ['no kms plugin', false],
  ])('gives the same report from the file and from its revisions in live order (%s), with and without details and filters', async (_, withKms) => {
    const kms = withKms ? mockKmsFactory(manifest.auditor.kms as MockKmsEntry[]) : offlineKmsFactory();
    const config = loadEncryptionConfiguration(manifest.auditor.encryptionConfiguration, { kms });
    const revisions = revisionsOf(sample);
    for (const options of [{}, { details: true }, { resource: 'secrets' }, { resource: 'deployments.apps', details: true }, { resource: 'nothing' }]) {
      const file = await fromFile(sample, { config, ...options });
      for (const size of [1, 7, 1000]) {
        const live = await auditRevisions(liveOrder(revisions, size), { source: { kind: 'snapshot', fileSize: 0 }, compactRevision: file.compactRevision }, { config, ...options });
        expect(body(live)).toBe(body(file));
      }
    }
  });
});

const b64 = (n: number, seed: number): string => Buffer.alloc(n, seed).toString('base64');
const AUDITOR = `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
      - aesgcm: { keys: [{ name: key2, secret: ${b64(32, 2)} }] }
      - aescbc: { keys: [{ name: key1, secret: ${b64(32, 1)} }] }
      - identity: {}
  - resources: [configmaps]
    providers:
      - identity: {}
      - aesgcm: { keys: [{ name: key2, secret: ${b64(32, 2)} }] }
  - resources: [widgets.example.com]
    providers:
      - secretbox: { keys: [{ name: key3, secret: ${b64(32, 3)} }] }
      - identity: {}
`;
const writer = (providers: string): string =>
  `apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources: [secrets, configmaps, widgets.example.com]\n    providers:\n${providers}`;
const WRITERS = {
  gcm2: writer(`      - aesgcm: { keys: [{ name: key2, secret: ${b64(32, 2)} }] }\n`),
  cbc1: writer(`      - aescbc: { keys: [{ name: key1, secret: ${b64(32, 1)} }] }\n`),
  gcm0: writer(`      - aesgcm: { keys: [{ name: key0, secret: ${b64(32, 9)} }] }\n`),
  sbox3: writer(`      - secretbox: { keys: [{ name: key3, secret: ${b64(32, 3)} }] }\n`),
};
const transformers = Object.fromEntries(Object.entries(WRITERS).map(([w, yaml]) => [w, loadEncryptionConfiguration(yaml).transformerForResource('secrets')]));
const auditor = loadEncryptionConfiguration(AUDITOR);

type Writer = keyof typeof WRITERS | 'plain' | 'garbage' | 'unknown-prefix' | 'corrupt' | 'empty';
const KEYS: { key: Uint8Array; writers: Writer[] }[] = [
  ...['a', 'b', 'c', 'd'].map((n) => ({ key: utf8(`/registry/secrets/shop/${n}`), writers: ['gcm2', 'cbc1', 'gcm0', 'plain', 'garbage', 'corrupt', 'unknown-prefix'] as Writer[] })),
  { key: utf8('/registry/configmaps/shop/cfg'), writers: ['plain', 'gcm2', 'garbage'] },
  { key: utf8('/registry/configmaps/cfg-cluster'), writers: ['plain', 'empty'] },
  { key: utf8('/registry/example.com/widgets/shop/w'), writers: ['sbox3', 'plain', 'gcm2'] },
  { key: utf8('/registry/pods/shop/p'), writers: ['plain', 'gcm2'] },
  { key: utf8('/registry/masterleases/10.0.0.1'), writers: ['plain'] },
  { key: utf8('compact_rev_key'), writers: ['plain'] },
  // Keys that are not valid UTF-8 and read as the same text: two keys, named apart by their
  // bytes. Only values whose reading does not depend on the key bytes (see the AAD test below).
  { key: Buffer.from([...utf8('/registry/secrets/shop/'), 0xff]), writers: ['plain', 'cbc1'] },
  { key: Buffer.from([...utf8('/registry/secrets/shop/'), 0xfe]), writers: ['plain', 'cbc1'] },
];

function plaintextFor(key: Uint8Array, seed: number): Uint8Array {
  const name = Buffer.from(key).toString('utf8').split('/').pop() ?? '';
  if (seed % 3 === 0) {
    const meta = message([1, 'bytes', name], [3, 'bytes', 'shop'], [5, 'bytes', `uid-${seed}`]);
    return envelope('v1', 'Secret', message([1, 'bytes', meta], entry(2, 'k', b64(40, seed))));
  }
  return utf8(`${JSON.stringify({ apiVersion: 'v1', kind: seed % 3 === 1 ? 'Secret' : 'ConfigMap', metadata: { name, namespace: 'shop', uid: `uid-${seed}` }, data: { k: b64(20, seed) } })}\n`);
}

function stored(key: Uint8Array, w: Writer, seed: number): Uint8Array {
  const plaintext = plaintextFor(key, seed);
  switch (w) {
    case 'plain':
      return plaintext;
    case 'garbage':
      return Buffer.from(`not an object ${seed}`);
    case 'empty':
      return new Uint8Array(0);
    case 'unknown-prefix':
      return Buffer.from(`k8s:enc:rot13:v9:k:${seed}`);
    case 'corrupt':
      return Buffer.concat([Buffer.from('k8s:enc:aesgcm:v1:key2:'), Buffer.alloc(40, seed)]);
    default:
      return writeSync(transformers[w] as never, plaintext, key);
  }
}

const txnArb = fc.array(
  fc.record({ key: fc.nat(KEYS.length - 1), del: fc.nat(4).map((d) => d === 0), writer: fc.nat(20), seed: fc.nat(1000) }),
  { minLength: 1, maxLength: 3 },
);


/** What the model predicts, in the report's terms. */
interface Predicted {
  readonly keys: { present: number; deleted: number };
  readonly latest: { encrypted: number; plaintext: number; undecryptable: number; stale: number };
  readonly history: { revisions: number; encrypted: number; plaintext: number; undecryptable: number };
  readonly puts: number;
  readonly tombstones: number;
  readonly findings: string[];
  readonly needed: string[];
}

/**
 * The model: written from the rules, not from the audit's code. Keys are told apart by their
 * bytes, revisions taken in (main, sub) order.
 */
async function model(history: readonly (readonly Event[])[], config: LoadedEncryptionConfiguration, resource?: string): Promise<Predicted> {
  const perKey = new Map<string, { revision: number; value?: Uint8Array; key: Uint8Array }[]>();
  history.forEach((txn, i) => {
    for (const e of txn) {
      const loc = locateKey(fromUtf8(e.key));
      if (loc.kind === 'other') continue;
      if (resource !== undefined && loc.groupResource !== resource) continue;
      const id = Buffer.from(e.key).toString('base64');
      const list = perKey.get(id) ?? [];
      list.push({ revision: i + 2, key: e.key, ...(e.value === undefined ? {} : { value: e.value }) });
      perKey.set(id, list);
    }
  });
  const p = {
    keys: { present: 0, deleted: 0 },
    latest: { encrypted: 0, plaintext: 0, undecryptable: 0, stale: 0 },
    history: { revisions: 0, encrypted: 0, plaintext: 0, undecryptable: 0 },
    puts: 0,
    tombstones: 0,
    findings: [] as string[],
    needed: new Set<string>(),
  };
  for (const [id, events] of perKey) {
    const bytes = (events[0] as { key: Uint8Array }).key;
    const text = fromUtf8(bytes) + (Buffer.from(fromUtf8(bytes)).equals(Buffer.from(bytes)) ? '' : ` ${id}`);
    const gr = (locateKey(fromUtf8(bytes)) as { groupResource: string }).groupResource;
    const t = config.transformerForResource(gr);
    const deleted = events[events.length - 1]?.value === undefined;
    if (deleted) p.keys.deleted++;
    else p.keys.present++;
    p.tombstones += events.filter((e) => e.value === undefined).length;
    const puts = events.filter((e) => e.value !== undefined);
    p.puts += puts.length;
    const classified = [];
    for (const e of puts) classified.push({ revision: e.revision, c: await classifyValue(t, fromUtf8(e.key), e.value as Uint8Array) });
    const latest = deleted ? undefined : classified[classified.length - 1];
    const older = deleted ? classified : classified.slice(0, -1);
    for (const { revision, c } of classified) {
      if (c.classification.id !== 'identity' && c.classification.id !== 'unknown') p.needed.add(c.classification.id);
      // An object that says it is another built-in resource than its key's.
      if (c.plaintext !== undefined && c.decodeError === undefined) {
        const t = objectTypeMeta(c.plaintext);
        const is = builtinResourceOfKind(t.apiVersion, t.kind);
        if (is !== undefined && is !== gr) p.findings.push(`resource-mismatch ${text} ${revision}`);
      }
    }
    if (latest !== undefined) {
      const c = latest.c.classification;
      p.latest[c.status]++;
      if (c.stale === true) p.latest.stale++;
      if (c.status === 'undecryptable') p.findings.push(`undecryptable ${text} ${latest.revision}`);
      else if (c.status === 'plaintext' && c.stale === true) p.findings.push(`plaintext ${text} ${latest.revision}`);
      else if (c.stale === true) p.findings.push(`stale ${text} ${latest.revision}`);
      if (latest.c.decodeError !== undefined) p.findings.push(`undecodable ${text} ${latest.revision}`);
    }
    for (const { revision, c: { classification: c } } of older) {
      p.history.revisions++;
      p.history[c.status]++;
      if (c.status === 'undecryptable') p.findings.push(`undecryptable ${text} ${revision}`);
      else if (c.status === 'plaintext') {
        if (latest?.c.classification.status === 'encrypted') p.findings.push(`history-plaintext ${text} ${revision}`);
      } else if (c.stale === true) p.findings.push(`history-stale ${text} ${revision}`);
    }
  }
  return { ...p, findings: p.findings.sort(), needed: [...p.needed].sort() };
}

function observed(r: AuditReport): Predicted {
  const t = r.totals;
  return {
    keys: { present: t.keys.present, deleted: t.keys.deleted },
    latest: { ...t.latest.byStatus, stale: t.latest.stale },
    history: { revisions: t.history.revisions, encrypted: 0, plaintext: 0, undecryptable: 0, ...t.history.byStatus },
    puts: t.snapshot.putRevisions,
    tombstones: t.snapshot.tombstones,
    findings: r.findings.map((f) => `${f.kind} ${f.key}${f.keyBase64 === undefined ? '' : ` ${f.keyBase64}`} ${f.revision}`).sort(),
    needed: r.keysStillNeeded.needed.map((n) => n.id),
  };
}

describe('on synthetic histories', () => {
  it('one key written several times in a revision, deletes in between: the last write decides', async () => {
    const a = KEYS[0]?.key as Uint8Array;
    const [x, y] = [KEYS[KEYS.length - 2]?.key as Uint8Array, KEYS[KEYS.length - 1]?.key as Uint8Array]; // alike as text
    const put = (key: Uint8Array, w: Writer, seed: number): Event => ({ key, value: stored(key, w, seed) });
    const histories: Event[][][] = [
      [[put(a, 'plain', 1), { key: a }, put(a, 'gcm2', 2)]],
      [[put(a, 'plain', 1), { key: a }]],
      [[put(a, 'plain', 1)], [put(a, 'gcm2', 2), { key: a }, put(a, 'cbc1', 3)], [put(a, 'plain', 4)]],
      [[put(x, 'plain', 1), { key: y }, put(y, 'cbc1', 2)]],
      [[put(x, 'plain', 1), put(y, 'plain', 2)], [{ key: x }]],
    ];
    for (const [i, history] of histories.entries()) {
      const file = join(dir, `same-${i}.db`);
      writeFileSync(file, syntheticSnapshot(history));
      expect(observed(await fromFile(file, { config: auditor })), `history ${i}`).toEqual(await model(history, auditor));
    }
    // The first: the plaintext put is history under an encrypted latest value.
    writeFileSync(join(dir, 'same.db'), syntheticSnapshot(histories[0] as Event[][]));
    const r = await fromFile(join(dir, 'same.db'), { config: auditor });
    expect(r.totals.history.plaintextRevisionsOfKeysNowEncrypted).toEqual([{ key: '/registry/secrets/shop/a', revision: 2 }]);
  });

  it('agrees with the model, and with itself in live order and spilled, with and without details and resource filters', async () => {
    let n = 0;
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.array(txnArb, { maxLength: 50 }), fc.option(fc.nat(40)), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 20 }), fc.nat(8), async (txns, compactAt, perLeaf, batch, spillAt) => {
        const history: Event[][] = txns.map((txn) =>
          txn.map(({ key, del, writer: wi, seed }) => {
            const k = KEYS[key] as (typeof KEYS)[number];
            if (del) return { key: k.key };
            return { key: k.key, value: stored(k.key, k.writers[wi % k.writers.length] as Writer, seed) };
          }),
        );
        const file = join(dir, `h${n++ % 4}.db`);
        writeFileSync(file, syntheticSnapshot(history, { perLeaf, ...(compactAt === null ? {} : { compactAt }) }));
        const revisions = revisionsOf(file);
        for (const options of [{}, { details: true }, { resource: 'secrets' }, { resource: 'configmaps', details: true }]) {
          const report = await fromFile(file, { config: auditor, ...options });
          expect(observed(report)).toEqual(await model(history, auditor, (options as { resource?: string }).resource));
          const live = await auditRevisions(liveOrder(revisions, batch), { source: { kind: 'snapshot', fileSize: 0 }, compactRevision: report.compactRevision }, { config: auditor, ...options });
          expect(body(live)).toBe(body(report));
          if ((options as { details?: boolean }).details !== true) {
            // Key state spilled after `spillAt` keys (0: from the first) is settled to the same report.
            const spilled = await fromFile(file, { config: auditor, ...options, keysInMemory: spillAt });
            expect(body(spilled)).toBe(body(report));
            const spilledLive = await auditRevisions(liveOrder(revisions, batch), { source: { kind: 'snapshot', fileSize: 0 }, compactRevision: report.compactRevision }, { config: auditor, ...options, keysInMemory: spillAt });
            expect(body(spilledLive)).toBe(body(report));
          }
          if (Object.keys(options).length === 0) for (const f of report.findings) seen.add(f.kind);
          if ((options as { details?: boolean }).details === true) {
            // The audit's interned classifier agrees with classifyValue on every latest value.
            for (const k of report.keys) {
              if (k.latest === null) continue;
              const value = revisions.find((e) => e.revision.main === k.latest?.revision && e.revision.sub === k.latest.subRevision)?.kv;
              const c = await classifyValue(auditor.transformerForResource(k.resource), fromUtf8((value as { key: Uint8Array }).key), (value as { value: Uint8Array }).value);
              expect(k.latest.classification).toEqual(c.classification);
            }
          }
        }
        if (history.some((txn) => new Set(txn.map((e) => Buffer.from(e.key).toString('hex'))).size < txn.length)) seen.add('one key twice in a revision');
      }),
      { numRuns: 150 },
    );
    // The histories reached every kind of finding, and a key written twice in one revision.
    expect([...seen].sort()).toEqual(['history-plaintext', 'history-stale', 'one key twice in a revision', 'plaintext', 'resource-mismatch', 'stale', 'undecodable', 'undecryptable']);
  }, 120_000);
});

describe('corners', () => {
  it('a resource named __proto__ is counted as its own entry, and no prototype is touched', async () => {
    const key = utf8('/registry/__proto__/shop/x');
    const file = join(dir, 'proto.db');
    writeFileSync(file, syntheticSnapshot([[{ key, value: plaintextFor(key, 1) }], [{ key, value: plaintextFor(key, 2) }]]));
    const snap = openSnapshot(file);
    try {
      const report = await auditSnapshot(snap, { config: auditor });
      expect(Object.hasOwn(report.totals.latest.byResource, '__proto__')).toBe(true);
      expect(Object.getPrototypeOf(report.totals.snapshot.byResource)).toBe(Object.prototype);
      expect(JSON.parse(JSON.stringify(report.totals.snapshot.byResource))).toEqual({ ['__proto__']: { revisions: 2, encrypted: 0, plaintext: 2, undecryptable: 0, stale: 0 } });
      expect(({} as Record<string, unknown>)['revisions']).toBeUndefined();
    } finally {
      snap.close();
    }
  });

  it('a key that is not valid UTF-8 is authenticated as its bytes, as kube-apiserver does', async () => {
    const key = Buffer.from([...utf8('/registry/secrets/shop/'), 0xff]);
    const file = join(dir, 'aad.db');
    writeFileSync(file, syntheticSnapshot([[{ key, value: stored(key, 'gcm2', 1) }]]));
    const snap = openSnapshot(file);
    try {
      const report = await auditSnapshot(snap, { config: auditor });
      expect(report.totals.latest.byStatus).toEqual({ encrypted: 1, plaintext: 0, undecryptable: 0 });
      expect(report.findings).toEqual([]);
    } finally {
      snap.close();
    }
  });
});
