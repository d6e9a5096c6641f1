/**
 * A real etcd: values written the way kube-apiserver writes them (encrypted by atrest under a
 * changing config: plaintext, then aescbc, then rotation to aesgcm), a delete, a compaction,
 * `etcdctl snapshot save`; then the audit and dump of that file must report exactly what was
 * written, history included and compacted revisions excluded.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeBackend, utf8, writeSync } from '@atrest/core';
import { loadEncryptionConfiguration } from '@atrest/config';
import { openSnapshot } from '@atrest/etcd-snapshot';
import { auditSnapshot, dumpObjects, type AuditReport } from '@atrest/audit';
import { startEtcd, type EtcdServer } from '@atrest/test-support';

const b64 = (n: number) => Buffer.from(nodeBackend.randomBytes(n)).toString('base64');
const cbcKey = b64(32);
const gcmKey = b64(32);
const config = (providers: string) =>
  `apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources: [secrets]\n    providers:\n${providers}`;
const identity = '      - identity: {}\n';
const cbc = `      - aescbc:\n          keys:\n            - name: key1\n              secret: ${cbcKey}\n`;
const gcm = `      - aesgcm:\n          keys:\n            - name: key2\n              secret: ${gcmKey}\n`;
const phases = { plain: config(identity), cbc: config(cbc + identity), gcm: config(gcm + cbc + identity) };
const writerOf = { plain: 'identity', cbc: 'aescbc:key1', gcm: 'aesgcm:key2' } as const;

type Write = { key: string; revision: number; writer?: string; plaintext?: Uint8Array; tombstone?: boolean };
const log: Write[] = [];
let etcd: EtcdServer;
let compactAt = 0;
let snapshotFile = '';
let report: AuditReport;
const auditConfig = loadEncryptionConfiguration(phases.gcm);

function secret(name: string, n: number): Uint8Array {
  return utf8(`${JSON.stringify({ kind: 'Secret', apiVersion: 'v1', metadata: { name, namespace: 'ns', uid: `uid-${name}` }, data: { v: b64(24 + n) } })}\n`);
}

function put(phase: keyof typeof phases, name: string): void {
  const key = `/registry/secrets/ns/${name}`;
  const plaintext = secret(name, log.length);
  const stored = writeSync(loadEncryptionConfiguration(phases[phase]).transformerForResource('secrets'), plaintext, utf8(key));
  log.push({ key, revision: etcd.put(key, stored), writer: writerOf[phase], plaintext });
}

beforeAll(async () => {
  etcd = await startEtcd();
  for (const n of ['a', 'b', 'c', 'f']) put('plain', n);
  put('plain', 'a'); // a second plaintext revision of a: compaction removes the first
  for (const n of ['a', 'b', 'd']) put('cbc', n);
  compactAt = log[log.length - 1]?.revision as number;
  etcd.ctl(['compact', String(compactAt)]);
  put('gcm', 'a');
  log.push({ key: '/registry/secrets/ns/c', revision: etcd.del('/registry/secrets/ns/c'), tombstone: true });
  put('gcm', 'e');
  put('gcm', 'f');
  snapshotFile = join(etcd.dir, 'backup.db');
  etcd.ctl(['snapshot', 'save', snapshotFile]);
  const snapshot = openSnapshot(snapshotFile);
  try {
    report = await auditSnapshot(snapshot, { config: auditConfig, details: true });
  } finally {
    snapshot.close();
  }
}, 120_000);

afterAll(async () => {
  await etcd?.stop();
});

/** What etcd keeps after `compact R`: per key, every revision > R, plus the newest <= R unless it is a delete. */
function surviving(): Write[] {
  const out: Write[] = [];
  const keys = [...new Set(log.map((w) => w.key))];
  for (const key of keys) {
    const ws = log.filter((w) => w.key === key);
    const upTo = ws.filter((w) => w.revision <= compactAt);
    const newest = upTo[upTo.length - 1];
    if (newest && !newest.tombstone) out.push(newest);
    out.push(...ws.filter((w) => w.revision > compactAt));
  }
  return out;
}

describe('audit of a snapshot from a real etcd', () => {
  it('reports every surviving revision with the provider key that wrote it, and nothing compacted', () => {
    const expected = surviving();
    const got = report.keys.flatMap((k) => [...k.history, ...(k.latest ? [k.latest] : [])].map((s) => ({ key: k.key, revision: s.revision, id: s.classification.id })));
    const want = expected.filter((w) => !w.tombstone).map((w) => ({ key: w.key, revision: w.revision, id: w.writer }));
    const order = (x: { key: string; revision: number }, y: { key: string; revision: number }) => (x.key === y.key ? x.revision - y.revision : x.key < y.key ? -1 : 1);
    expect(got.sort(order)).toEqual(want.sort(order));
    expect(report.compactRevision).toBe(compactAt);
    expect(report.keys.find((k) => k.key === '/registry/secrets/ns/c')).toMatchObject({ state: 'deleted', latest: null, tombstones: [log.find((w) => w.tombstone)?.revision] });
  });

  it('latest values: status and stale as kube-apiserver would read them under the final config', () => {
    const latest = Object.fromEntries(report.keys.filter((k) => k.latest).map((k) => [k.key.split('/').pop(), [k.latest?.classification.id, k.latest?.classification.stale]]));
    expect(latest).toEqual({ a: ['aesgcm:key2', false], b: ['aescbc:key1', true], d: ['aescbc:key1', true], e: ['aesgcm:key2', false], f: ['aesgcm:key2', false] });
    expect(report.totals.latest.byStatus).toEqual({ encrypted: 5, plaintext: 0, undecryptable: 0 });
    expect(report.totals.latest.stale).toBe(2);
  });

  it('history: the plaintext left behind in old revisions of objects encrypted now', () => {
    const fPlain = log.find((w) => w.key.endsWith('/f') && w.writer === 'identity');
    expect(report.totals.history.plaintextRevisionsOfKeysNowEncrypted).toEqual([{ key: '/registry/secrets/ns/f', revision: fPlain?.revision }]);
    expect(report.keysStillNeeded.needed.map((n) => n.id)).toEqual(['aescbc:key1', 'aesgcm:key2']);
  });

  it('dump decrypts every surviving revision to the bytes that were written', async () => {
    const snapshot = openSnapshot(snapshotFile);
    try {
      const byRevision = new Map(log.filter((w) => !w.tombstone).map((w) => [w.revision, w]));
      let n = 0;
      for await (const o of dumpObjects(snapshot, { config: auditConfig })) {
        const w = byRevision.get(o.revision);
        expect(o.key).toBe(w?.key);
        expect(o.object).toEqual(JSON.parse(Buffer.from(w?.plaintext as Uint8Array).toString()));
        n++;
      }
      expect(n).toBe(surviving().filter((w) => !w.tombstone).length);
    } finally {
      snapshot.close();
    }
  });
});
