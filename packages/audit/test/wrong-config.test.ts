/**
 * An audit with the wrong cluster's configuration must say so first, and must never call a key
 * removable while values it could not read may be under any key.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEncryptionConfiguration } from '@atrest/config';
import { mockKmsFactory, type MockKmsEntry } from '@atrest/kms';
import { openSnapshot } from '@atrest/etcd-snapshot';
import { auditRevisions, auditSnapshot, renderTable, type AuditReport } from '@atrest/audit';
import { utf8 } from '@atrest/core';

const dir = join(import.meta.dirname, '..', '..', '..', 'test-vectors', 'etcd');
const manifest = JSON.parse(readFileSync(join(dir, 'sample.manifest.json'), 'utf8'));
const kms = mockKmsFactory(manifest.auditor.kms as MockKmsEntry[]);

/** The sample's own config with every AES key's secret replaced: the same names, other keys. */
const otherCluster = (manifest.auditor.encryptionConfiguration as string).replace(/secret: \S+/g, `secret: ${Buffer.alloc(32, 7).toString('base64')}`);

async function audit(yaml: string): Promise<AuditReport> {
  const snapshot = openSnapshot(join(dir, 'sample.db'));
  try {
    return await auditSnapshot(snapshot, { config: loadEncryptionConfiguration(yaml, { kms }) });
  } finally {
    snapshot.close();
  }
}

describe('the wrong cluster config', () => {
  it('is named in the first lines of the report, per provider key', async () => {
    const report = await audit(otherCluster);
    expect(report.warnings).toContain(`29 of 29 latest values under aesgcm:key2 could not be decrypted with the configured key: is this the cluster's config?`.replace(/29/g, String(report.totals.latest.byProviderKey['aesgcm:key2'])));
    expect(report.warnings?.some((w) => w.includes('aescbc:key1'))).toBe(true);
    const table = renderTable(report).split('\n');
    expect(table[0]).toMatch(/^WARNING: .*is this the cluster's config\?$/);
  });

  it('leaves no key removable, and says why', async () => {
    // A config that also names a key no value is under: the right config would call it removable.
    const withSpare = otherCluster.replace('      - identity: {}\n  - resources:\n      - configmaps', `      - aescbc:\n          keys:\n            - name: spare\n              secret: ${Buffer.alloc(32, 8).toString('base64')}\n      - identity: {}\n  - resources:\n      - configmaps`);
    expect(withSpare).not.toBe(otherCluster);
    const wrong = await audit(withSpare);
    expect(wrong.keysStillNeeded.removable).toEqual([]);
    expect(wrong.keysStillNeeded.cannotTell).toMatch(/could not be decrypted .*may be under any key/);
    expect(renderTable(wrong)).toContain('removable: cannot tell: ');
    // The same spare key with the right secrets elsewhere: still undecryptable values in the
    // sample (a key removed from the config), so still no verdict.
    const right = await audit((manifest.auditor.encryptionConfiguration as string).replace('      - identity: {}\n  - resources:\n      - configmaps', `      - aescbc:\n          keys:\n            - name: spare\n              secret: ${Buffer.alloc(32, 8).toString('base64')}\n      - identity: {}\n  - resources:\n      - configmaps`));
    expect(right.totals.latest.byStatus.undecryptable).toBeGreaterThan(0);
    expect(right.keysStillNeeded.removable).toEqual([]);
  });

  it('a clean source calls the unused key removable; a latest-only read does not', async () => {
    const yaml = `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
      - identity: {}
      - aescbc: { keys: [{ name: old, secret: ${Buffer.alloc(32, 1).toString('base64')} }] }
`;
    const config = loadEncryptionConfiguration(yaml);
    async function* one() {
      yield [{ revision: { main: 2, sub: 0 }, tombstone: false, kv: { key: utf8('/registry/secrets/a/b'), value: utf8('{"kind":"Secret","apiVersion":"v1","metadata":{"name":"b"}}'), createRevision: 2, version: 1 } }];
    }
    const full = await auditRevisions(one(), { source: { kind: 'snapshot', fileSize: 0 }, compactRevision: null }, { config });
    expect(full.keysStillNeeded.removable).toEqual(['aescbc:old']);
    expect(full.warnings).toBeUndefined();
    const latestOnly = await auditRevisions(one(), { source: { kind: 'snapshot', fileSize: 0 }, compactRevision: null, latestOnly: true }, { config });
    expect(latestOnly.keysStillNeeded.removable).toEqual([]);
    expect(latestOnly.keysStillNeeded.cannotTell).toMatch(/only latest values were read/);
  });
});
