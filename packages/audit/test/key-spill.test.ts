/**
 * Key state spilled to temporary files: the same report as in memory on the shipped sample
 * snapshot, the files' record framing, where they live and what they hold (never plaintext), and
 * the errors of bad options and unusable directories. Random histories are checked spilled and
 * not in `audit-rules.test.ts`.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AtrestError, utf8, writeSync } from '@atrest/core';
import { loadEncryptionConfiguration } from '@atrest/config';
import { mockKmsFactory, type MockKmsEntry } from '@atrest/kms';
import { openSnapshot } from '@atrest/etcd-snapshot';
import { AuditRun, auditSnapshot, type AuditReport } from '@atrest/audit';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { GCM2, IDENTITY, secretsConfig } from '@atrest/test-support';
import { SpillFiles } from '../src/_spill-files.js';

const dir = mkdtempSync(join(tmpdir(), 'atrest-key-spill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const vectors = join(import.meta.dirname, '..', '..', '..', 'test-vectors', 'etcd');
const manifest = JSON.parse(readFileSync(join(vectors, 'sample.manifest.json'), 'utf8'));

async function auditSample(keysInMemory: number): Promise<AuditReport> {
  const config = loadEncryptionConfiguration(manifest.auditor.encryptionConfiguration, { kms: mockKmsFactory(manifest.auditor.kms as MockKmsEntry[]) });
  const snapshot = openSnapshot(join(vectors, 'sample.db'));
  try {
    return await auditSnapshot(snapshot, { config, keysInMemory, tmpDir: dir, freePages: true });
  } finally {
    snapshot.close();
  }
}

/** The descriptors of this process that point at deleted files named like the spill's. */
function spillDescriptors(): string[] {
  const found: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue;
    }
    if (target.includes('atrest-audit-') && target.endsWith('(deleted)')) found.push(`/proc/self/fd/${fd}`);
  }
  return found;
}

describe('the sample snapshot', () => {
  it('gives the same report with key state spilled from the first key, after some keys, and never', async () => {
    const inMemory = await auditSample(Number.POSITIVE_INFINITY);
    expect(inMemory.totals.keys.present).toBeGreaterThan(3);
    for (const keysInMemory of [0, 1, 3]) expect(JSON.stringify(await auditSample(keysInMemory)), `keysInMemory ${keysInMemory}`).toBe(JSON.stringify(inMemory));
    // Nothing is left in the directory: the files were unlinked as soon as they were made.
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('while an audit spills', () => {
  const config = loadEncryptionConfiguration(secretsConfig(GCM2 + IDENTITY));
  const secret = 'PLAINTEXT-MARKER-1b0c';

  it('its files are unlinked, private to the process, hold key names and no plaintext, and are freed by finish', async () => {
    const run = new AuditRun({ source: { kind: 'snapshot', fileSize: 0 }, compactRevision: null }, { config, keysInMemory: 1, tmpDir: dir });
    const transformer = config.transformerForResource('secrets');
    const before = spillDescriptors().length;
    // Long names, so that records fill the files' write buffers and reach the files before the end.
    const name = (i: number): string => `s${i % 5}-${'n'.repeat(3000)}`;
    for (let i = 0; i < 300; i++) {
      const key = utf8(`/registry/secrets/shop/${name(i)}`);
      const object = utf8(JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: name(i), namespace: 'shop' }, data: { k: Buffer.from(secret).toString('base64') }, note: secret }));
      // Some values stay plaintext, some are encrypted: neither may reach the files as plaintext.
      // Rounds of the 5 keys alternate; the last (59th) is encrypted.
      const value = Math.floor(i / 5) % 2 === 0 ? object : writeSync(transformer, object, key);
      await run.push({ revision: { main: i + 2, sub: 0 }, tombstone: false, kv: { key, value, createRevision: 2, version: i + 1 } });
    }
    expect(run.spilledBytes).toBeGreaterThan(0);
    expect(readdirSync(dir)).toEqual([]);
    const fds = spillDescriptors();
    expect(fds.length - before).toBe(64);
    const held = Buffer.concat(fds.map((fd) => readFileSync(fd)));
    expect(held.includes('/registry/secrets/shop/s3-nnn')).toBe(true);
    expect(held.includes(secret)).toBe(false);
    expect(held.includes(Buffer.from(secret).toString('base64'))).toBe(false);
    const report = run.finish();
    expect(spillDescriptors().length).toBe(before);
    expect(report.totals.keys.present).toBe(5);
    expect(report.totals.latest.byStatus).toEqual({ encrypted: 5, plaintext: 0, undecryptable: 0 });
    expect(report.totals.history.plaintextRevisionsOfKeysNowEncrypted).toHaveLength(150);
  });

  it('close() frees the files of an audit that is never finished', async () => {
    const before = spillDescriptors().length;
    const run = new AuditRun({ source: { kind: 'snapshot', fileSize: 0 }, compactRevision: null }, { config, keysInMemory: 0, tmpDir: dir });
    await run.push({ revision: { main: 2, sub: 0 }, tombstone: false, kv: { key: utf8('/registry/secrets/a/b'), value: utf8('{}'), createRevision: 2, version: 1 } });
    expect(spillDescriptors().length - before).toBe(64);
    run.close();
    run.close();
    expect(spillDescriptors().length).toBe(before);
  });

  it('a directory it cannot use is a typed error naming the directory and the system error', async () => {
    const missing = join(dir, 'missing');
    const run = new AuditRun({ source: { kind: 'snapshot', fileSize: 0 }, compactRevision: null }, { config, keysInMemory: 0, tmpDir: missing });
    const push = (): unknown => run.push({ revision: { main: 2, sub: 0 }, tombstone: false, kv: { key: utf8('/registry/secrets/a/b'), value: utf8('{}'), createRevision: 2, version: 1 } });
    expect(push).toThrow(AtrestError);
    expect(push).toThrow(`cannot make the audit's temporary key state in ${missing}: ENOENT`);
    try {
      push();
    } catch (err) {
      expect((err as AtrestError).code).toBe('ERR_INVALID_ARGUMENT');
      expect((err as AtrestError).context['errno']).toBe('ENOENT');
    }
  });

  it('keysInMemory and tmpDir of the wrong kind are refused up front', () => {
    for (const keysInMemory of [-1, 1.5, Number.NaN, '10', null]) {
      expect(() => new AuditRun({ source: { kind: 'snapshot', fileSize: 0 }, compactRevision: null }, { config, keysInMemory: keysInMemory as number }), String(keysInMemory)).toThrow(
        /keysInMemory must be a whole number of keys/,
      );
    }
    for (const tmpDir of ['', 7]) {
      expect(() => new AuditRun({ source: { kind: 'snapshot', fileSize: 0 }, compactRevision: null }, { config, tmpDir: tmpDir as string })).toThrow(/tmpDir must be a directory path/);
    }
  });
});

describe('SpillFiles', () => {
  it('gives back every partition’s records in order, whatever their sizes (across buffers, larger than a buffer, empty)', () => {
    const sub = join(dir, 'files');
    mkdirSync(sub);
    fc.assert(
      fc.property(
        fc.array(fc.record({ p: fc.nat(3), size: fc.oneof(fc.nat(300), fc.integer({ min: 60_000, max: 70_000 }), fc.constant(1_100_000)), fill: fc.nat(255) }), { maxLength: 40 }),
        (records) => {
          const files = new SpillFiles(4, sub);
          try {
            const scratch = new Uint8Array(1_200_000);
            for (const r of records) {
              scratch.fill(r.fill, 0, r.size);
              files.append(r.p, scratch, r.size);
            }
            for (let p = 0; p < 4; p++) {
              const expected = records.filter((r) => r.p === p);
              // Each view is valid until the next is asked for: look at it as it comes.
              const got = Array.from(files.records(p), (b) => ({ size: b.length, fill: b.length === 0 ? -1 : (b[0] as number), uniform: b.every((x) => x === b[0]) }));
              expect(got).toEqual(expected.map((r) => ({ size: r.size, fill: r.size === 0 ? -1 : r.fill, uniform: true })));
            }
            expect(files.bytes).toBe(records.reduce((n, r) => n + 4 + r.size, 0));
          } finally {
            files.close();
          }
        },
      ),
      { numRuns: 40 },
    );
    expect(readdirSync(sub)).toEqual([]);
  });
});
