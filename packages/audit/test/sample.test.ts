/**
 * The audit of test-vectors/etcd/sample.db must report exactly what its manifest says an auditor
 * must find (everything observable in the file: the manifest's ground truth about keys compacted
 * away entirely is not).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEncryptionConfiguration } from '@atrest/config';
import { mockKmsFactory, type MockKmsEntry } from '@atrest/kms';
import { openSnapshot } from '@atrest/etcd-snapshot';
import { auditSnapshot, offlineKmsFactory, type AuditReport, type RevisionSummary } from '@atrest/audit';

const dir = join(import.meta.dirname, '..', '..', '..', 'test-vectors', 'etcd');
const manifest = JSON.parse(readFileSync(join(dir, 'sample.manifest.json'), 'utf8'));
type ManifestRevision = { revision: number; classification: Record<string, unknown>; error?: string; object: Record<string, unknown> | null };
type ManifestKey = { key: string; resource: string; state: string; inSnapshot: boolean; latest: ManifestRevision | null; history: ManifestRevision[]; tombstones: number[] };

function audit(withKms: boolean): Promise<AuditReport> {
  const kms = withKms ? mockKmsFactory(manifest.auditor.kms as MockKmsEntry[]) : offlineKmsFactory();
  const config = loadEncryptionConfiguration(manifest.auditor.encryptionConfiguration, { kms });
  const snapshot = openSnapshot(join(dir, 'sample.db'));
  return auditSnapshot(snapshot, { config, details: true }).finally(() => snapshot.close());
}

function expectedClassification(r: ManifestRevision): Record<string, unknown> {
  return { ...r.classification, ...(r.error !== undefined ? { error: r.error } : {}) };
}

describe('audit of the sample snapshot, with the kms mock', () => {
  let report: AuditReport;
  beforeAll(async () => {
    report = await audit(true);
  });

  it('latest, history and snapshot totals equal the manifest', () => {
    const t = manifest.totals;
    expect(report.totals.latest).toEqual(t.latest);
    expect(report.totals.history).toEqual(t.history);
    const { byStatus, byProviderKey, byResource, putRevisions, tombstones, otherKeyRevisions } = t.snapshot;
    expect(report.totals.snapshot).toEqual({ byStatus, byProviderKey, byResource, putRevisions, tombstones, otherKeyRevisions });
    expect(report.totals.keys).toEqual({ present: t.keys.present, deleted: t.keys.deleted - t.keys.deletedAndFullyCompacted, otherKeys: t.keys.otherKeys });
    for (const [id, v] of Object.entries(t.kmsV2 as Record<string, { values: number; byKeyID: Record<string, number> }>)) {
      expect(report.totals.kmsV2[id]).toMatchObject(v);
    }
    expect(report.compactRevision).toBe(manifest.revisions.compact);
    expect(report.headRevision).toBe(manifest.revisions.head);
  });

  it('every key, latest and history revision is classified as the manifest says; nothing compacted is reported', () => {
    const expected = (manifest.keys as ManifestKey[]).filter((k) => k.inSnapshot);
    expect(report.keys.map((k) => k.key)).toEqual(expected.map((k) => k.key));
    const byKey = new Map(report.keys.map((k) => [k.key, k]));
    for (const m of expected) {
      const k = byKey.get(m.key);
      expect(k?.resource, m.key).toBe(m.resource);
      expect(k?.state, m.key).toBe(m.state);
      expect(k?.tombstones, m.key).toEqual(m.tombstones);
      const pairs: [RevisionSummary | null | undefined, ManifestRevision | null][] = [[k?.latest, m.latest], ...m.history.map((h, i) => [k?.history[i], h] as [RevisionSummary | undefined, ManifestRevision])];
      expect(k?.history.length, m.key).toBe(m.history.length);
      for (const [got, want] of pairs) {
        if (want === null) {
          expect(got ?? null, m.key).toBeNull();
          continue;
        }
        expect(got?.revision, m.key).toBe(want.revision);
        expect(got?.classification, `${m.key}@${want.revision}`).toEqual(expectedClassification(want));
        if (want.object) {
          expect(got?.object, `${m.key}@${want.revision}`).toMatchObject({
            apiVersion: want.object['apiVersion'],
            kind: want.object['kind'],
            namespace: want.object['namespace'],
            name: want.object['name'],
            uid: want.object['uid'],
          });
        }
      }
    }
  });

  it('keys still needed: every configured key guards something; the lost trial key is needed but not configured', () => {
    const ids = report.keysStillNeeded.needed.map((n) => `${n.id}${n.configured ? '' : ' (not configured)'}`);
    expect(ids).toEqual(['aescbc:key1', 'aesgcm:key0-trial (not configured)', 'aesgcm:key2', 'kms:v2:sample-kms']);
    expect(report.keysStillNeeded.removable).toEqual([]);
  });

  it('findings name key, revision and reason for the undecryptable value', () => {
    const u = report.findings.filter((f) => f.kind === 'undecryptable');
    expect(u).toEqual([
      {
        kind: 'undecryptable',
        key: '/registry/secrets/shop/oauth-client',
        revision: 60,
        resource: 'secrets',
        id: 'aesgcm:key0-trial',
        reason: 'no matching key was found for the provided AES transformer',
      },
    ]);
    expect(report.findings.filter((f) => f.kind === 'history-plaintext')).toHaveLength(manifest.totals.history.plaintextRevisionsOfKeysNowEncrypted.length);
  });
});

describe('audit of the sample snapshot without any kms plugin', () => {
  let report: AuditReport;
  beforeAll(async () => {
    report = await audit(false);
  });
  afterAll(() => undefined);

  it('inventories kms v2 values (plugin, keyID, source type) although they cannot be read', () => {
    expect(report.totals.kmsV2['kms:v2:sample-kms']).toMatchObject({ values: 4, byKeyID: { 'kek-1': 4 } });
    const kms = report.keys.flatMap((k) => [k.latest, ...k.history]).filter((s) => s?.classification.provider === 'kms');
    expect(kms).toHaveLength(4);
    for (const s of kms) {
      expect(s?.classification).toMatchObject({ status: 'undecryptable', stale: null, kmsKeyID: 'kek-1', kmsDEKSourceType: 'HKDF_SHA256_XNONCE_AES_GCM_SEED' });
      expect(s?.classification.error).toContain('sample-kms');
    }
    expect(report.totals.latest.byStatus.undecryptable).toBe(1 + 3);
  });
});

describe('without details (the lean default)', () => {
  it('gives the same totals, needs and findings, and keeps no per-key revisions', async () => {
    const kms = mockKmsFactory(manifest.auditor.kms as MockKmsEntry[]);
    const config = loadEncryptionConfiguration(manifest.auditor.encryptionConfiguration, { kms });
    const s1 = openSnapshot(join(dir, 'sample.db'));
    const lean = await auditSnapshot(s1, { config }).finally(() => s1.close());
    const full = await audit(true);
    expect(lean.keys).toEqual([]);
    expect(lean.totals).toEqual(full.totals);
    expect(lean.keysStillNeeded).toEqual(full.keysStillNeeded);
    expect(lean.findings).toEqual(full.findings);
  });
});
