/**
 * The scale benchmark's pipeline at a tiny size, against a real etcd: generate (encrypt with
 * atrest, put into etcd, etcdctl snapshot save), then audit, for both ways Secrets are stored.
 * Counts only; no timing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classifyValue } from '@atrest/audit';
import { loadEncryptionConfiguration } from '@atrest/config';
import { afterAll, expect, it } from 'vitest';
import { auditOnce, generate } from '../src/audit-scale.js';
import { secretKey, secretObject } from '../src/scale-secrets.js';

const dir = mkdtempSync(join(tmpdir(), 'atrest-scale-smoke-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('writes ~2 KiB Secrets that decode as themselves, as JSON and as protobuf', async () => {
  const plain = loadEncryptionConfiguration('apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources: [secrets]\n    providers:\n      - identity: {}\n');
  for (const encoding of ['json', 'protobuf'] as const) {
    const o = secretObject(7, 2048, encoding);
    expect(Math.abs(o.length - 2048)).toBeLessThan(64);
    const c = await classifyValue(plain.transformerForResource('secrets'), secretKey(7), o);
    expect(c.decodeError).toBeUndefined();
    expect(c.object).toEqual({ apiVersion: 'v1', kind: 'Secret', namespace: 'team-7', name: 'secret-7', uid: 'uid-7' });
  }
  expect(secretKey(7)).toBe('/registry/secrets/team-7/secret-7');
});

it('generates snapshots of 300 secrets with a real etcd and audits every value as aesgcm, not stale, decodable', async () => {
  for (const encoding of ['json', 'protobuf'] as const) {
    const file = join(dir, `smoke-${encoding}.db`);
    const g = await generate(300, file, 2048, encoding);
    expect(g.bytes).toBeGreaterThan(300 * 2048);
    for (const backend of ['node', 'noble']) {
      const r = await auditOnce(file, backend);
      expect(r).toMatchObject({ backend, values: 300, findings: 0 });
    }
  }
  const profiled = await auditOnce(join(dir, 'smoke-json.db'), 'node', true);
  expect(profiled.cipherShare).toBeGreaterThan(0);
  expect(profiled.cipherShare).toBeLessThan(1);
}, 120_000);
