/**
 * The single-pass audit against the two-pass audit it replaced (kept as `_two-pass-reference.ts`):
 * the same report, to the byte of its JSON (key order included), on the sample snapshot and on
 * random synthetic histories (several revisions per key, deletes and re-creations, transactions,
 * every provider, undecryptable, undecodable and unknown values, keys that are not objects).
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { utf8, writeSync } from '@atrest/core';
import { loadEncryptionConfiguration } from '@atrest/config';
import { openSnapshot } from '@atrest/etcd-snapshot';
import { mockKmsFactory, type MockKmsEntry } from '@atrest/kms';
import { auditSnapshot, type AuditOptions, offlineKmsFactory } from '@atrest/audit';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { envelope, entry, message } from '../../kube-objects/test/_craft.js';
import { auditSnapshotTwoPass } from './_two-pass-reference.js';
import { type Event, syntheticSnapshot } from './_synthetic.js';

const dir = mkdtempSync(join(tmpdir(), 'atrest-single-pass-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function both(file: string, options: AuditOptions): Promise<[string, string]> {
  const a = openSnapshot(file);
  const b = openSnapshot(file);
  try {
    const single = await auditSnapshot(a, options);
    const twoPass = await auditSnapshotTwoPass(b, options);
    return [JSON.stringify(single), JSON.stringify(twoPass)];
  } finally {
    a.close();
    b.close();
  }
}

describe('on the sample snapshot', () => {
  const vectors = join(import.meta.dirname, '..', '..', '..', 'test-vectors', 'etcd');
  const manifest = JSON.parse(readFileSync(join(vectors, 'sample.manifest.json'), 'utf8'));
  const sample = join(vectors, 'sample.db');
  it.each([
    ['kms mock', true],
    ['no kms plugin', false],
  ])('equals the two-pass audit (%s), with and without details and resource filters', async (_, withKms) => {
    const kms = withKms ? mockKmsFactory(manifest.auditor.kms as MockKmsEntry[]) : offlineKmsFactory();
    const config = loadEncryptionConfiguration(manifest.auditor.encryptionConfiguration, { kms });
    for (const options of [{}, { details: true }, { resource: 'secrets' }, { resource: 'deployments.apps', details: true }, { resource: 'nothing' }]) {
      const [single, twoPass] = await both(sample, { config, ...options });
      expect(single).toBe(twoPass);
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
  // Keys that are not valid UTF-8 and read as the same text: one key for the report. Only
  // values whose reading does not depend on the key bytes (see the AAD test below).
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

describe('on synthetic histories', () => {
  it('equals the two-pass audit where one key is written twice in a revision, deletes in between', async () => {
    const a = KEYS[0]?.key as Uint8Array;
    const [x, y] = [KEYS[KEYS.length - 2]?.key as Uint8Array, KEYS[KEYS.length - 1]?.key as Uint8Array]; // read as one key
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
      for (const options of [{}, { details: true }]) {
        const [single, twoPass] = await both(file, { config: auditor, ...options });
        expect(single, `history ${i}`).toBe(twoPass);
      }
    }
  });

  it('equals the two-pass audit, with and without details and resource filters', async () => {
    let n = 0;
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.array(txnArb, { maxLength: 50 }), fc.option(fc.nat(40)), fc.integer({ min: 1, max: 9 }), async (txns, compactAt, perLeaf) => {
        const history: Event[][] = txns.map((txn) =>
          txn.map(({ key, del, writer: wi, seed }) => {
            const k = KEYS[key] as (typeof KEYS)[number];
            if (del) return { key: k.key };
            return { key: k.key, value: stored(k.key, k.writers[wi % k.writers.length] as Writer, seed) };
          }),
        );
        const file = join(dir, `h${n++ % 4}.db`);
        writeFileSync(file, syntheticSnapshot(history, { perLeaf, ...(compactAt === null ? {} : { compactAt }) }));
        for (const options of [{}, { details: true }, { resource: 'secrets' }, { resource: 'configmaps', details: true }]) {
          const [single, twoPass] = await both(file, { config: auditor, ...options });
          expect(single).toBe(twoPass);
          if (Object.keys(options).length === 0) {
            const r = JSON.parse(single) as { findings: { kind: string }[] };
            for (const f of r.findings) seen.add(f.kind);
          }
        }
        if (history.some((txn) => new Set(txn.map((e) => Buffer.from(e.key).toString('hex'))).size < txn.length)) seen.add('one key twice in a revision');
      }),
      { numRuns: 150 },
    );
    // The histories reached every kind of finding, and the corner the two-pass audit was peculiar in.
    expect([...seen].sort()).toEqual(['history-plaintext', 'history-stale', 'one key twice in a revision', 'plaintext', 'stale', 'undecodable', 'undecryptable']);
  }, 60_000);
});

describe('where the two-pass audit was wrong, and the single pass is not', () => {
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
