/**
 * The scale benchmark's pipeline at a tiny size, against a real etcd: generate (encrypt with
 * atrest, put into etcd, etcdctl snapshot save), then audit. Counts only; no timing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { auditOnce, generate } from '../src/audit-scale.js';

const dir = mkdtempSync(join(tmpdir(), 'atrest-scale-smoke-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('generates a snapshot of 300 secrets with a real etcd and audits every value as aesgcm, not stale', async () => {
  const file = join(dir, 'smoke.db');
  const g = await generate(300, file, 2048);
  expect(g.bytes).toBeGreaterThan(300 * 2048);
  for (const backend of ['node', 'noble']) {
    const r = await auditOnce(file, backend);
    expect(r).toMatchObject({ backend, values: 300 });
  }
}, 120_000);
