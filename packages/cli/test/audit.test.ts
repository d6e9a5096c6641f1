/**
 * atrest audit / dump / inspect on the shipped sample snapshot (test-vectors/etcd/), checked
 * against its manifest; and on broken snapshots.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from './_run.js';

const repo = join(import.meta.dirname, '..', '..', '..');
const snapshot = join(repo, 'test-vectors', 'etcd', 'sample.db');
const manifest = JSON.parse(readFileSync(join(repo, 'test-vectors', 'etcd', 'sample.manifest.json'), 'utf8'));
const config = join(repo, 'docs', 'samples', 'snapshot-audit-config.yaml');
const mock = ['--kms-mock', 'sample-kms=base64:kek-1'];
const tmp = mkdtempSync(join(tmpdir(), 'atrest-audit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every Secret/ConfigMap data value in the manifest (base64 and decoded), to prove none leaks. */
function secretValues(): string[] {
  const out: string[] = [];
  for (const k of manifest.keys) {
    for (const r of [k.latest, ...k.history]) {
      const data = r?.object?.data as Record<string, string> | undefined;
      if (r?.object?.kind !== 'Secret' || !data) continue;
      for (const v of Object.values(data)) {
        out.push(v);
        const decoded = Buffer.from(v, 'base64').toString('utf8');
        if (decoded.length >= 8) out.push(decoded);
      }
    }
  }
  return out;
}

describe('atrest audit', () => {
  it('the shipped audit config is the manifest auditor config', () => {
    expect(readFileSync(config, 'utf8')).toBe(manifest.auditor.encryptionConfiguration);
  });

  it('table output: totals as the manifest, and no secret value anywhere', async () => {
    const r = await run(['audit', snapshot, '--config', config, '--history', ...mock]);
    expect(r.code).toBe(0);
    const out = r.stdout.toString();
    const t = manifest.totals.latest;
    expect(out).toContain(
      `totals: ${t.byStatus.encrypted} encrypted, ${t.byStatus.plaintext} plaintext, ${t.byStatus.undecryptable} undecryptable, ${t.stale} stale (latest values); ${manifest.totals.history.plaintextRevisionsOfKeysNowEncrypted.length} plaintext old revisions of encrypted objects`,
    );
    expect(out).toContain('/registry/secrets/shop/oauth-client @60  aesgcm:key0-trial  (no matching key was found for the provided AES transformer)');
    const values = secretValues();
    expect(values.length).toBeGreaterThan(20);
    for (const v of values) expect(out.includes(v), 'a secret value leaked into the audit').toBe(false);
  });

  it('JSON output carries the manifest totals', async () => {
    const r = await run(['audit', snapshot, '--config', config, '-o', 'json', ...mock]);
    const j = JSON.parse(r.stdout.toString());
    expect(j.schema).toBe('atrest.audit/v1');
    expect(j.totals.latest).toEqual(manifest.totals.latest);
    expect(j.totals.history).toEqual(manifest.totals.history);
    for (const v of secretValues()) expect(r.stdout.toString().includes(v)).toBe(false);
  });

  it('--keys-in-memory: key state spilled to files in TMPDIR gives the same report; a bad count or directory is a clear error', async () => {
    const json = ['audit', snapshot, '--config', config, '-o', 'json', '--history', ...mock];
    const inMemory = await run(json);
    const spillDir = join(tmp, 'spill');
    mkdirSync(spillDir);
    const spilled = await run([...json, '--keys-in-memory', '0'], '', { TMPDIR: spillDir });
    expect(spilled.code).toBe(0);
    expect(spilled.stdout.toString()).toBe(inMemory.stdout.toString());
    expect(readdirSync(spillDir)).toEqual([]);
    const bad = await run([...json, '--keys-in-memory', 'lots']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--keys-in-memory takes a number of keys, got "lots"');
    const missing = await run([...json, '--keys-in-memory', '1'], '', { TMPDIR: join(tmp, 'no-such-dir') });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`cannot make the audit's temporary key state in ${join(tmp, 'no-such-dir')}: ENOENT`);
    expect(missing.stderr).not.toContain('    at ');
  });

  it('--fail-on exits 3 when a category is present', async () => {
    expect((await run(['audit', snapshot, '--config', config, '--fail-on', 'stale', ...mock])).code).toBe(3);
    const r = await run(['audit', snapshot, '--config', config, '--fail-on', 'undecryptable,plaintext', ...mock]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('undecryptable (1)');
    expect((await run(['audit', snapshot, '--config', config, '--resource', 'deployments.apps', '--fail-on', 'stale,undecryptable', ...mock])).code).toBe(0);
    expect((await run(['audit', snapshot, '--config', config, '--fail-on', 'bogus'])).code).toBe(2);
  });

  it('checks the trailer while auditing: a mismatch is exit 1 with the same error, and no report', async () => {
    // The sample, padded past 8 MiB of unused space (so the check runs on a worker thread).
    const data = Buffer.concat([readFileSync(snapshot).subarray(0, manifest.snapshot.bytes - 32), Buffer.alloc(9 << 20)]);
    const padded = join(tmp, 'padded.db');
    writeFileSync(padded, Buffer.concat([data, createHash('sha256').update(data).digest()]));
    const good = await run(['audit', padded, '--config', config, '-o', 'json', ...mock]);
    expect(good.code).toBe(0);
    expect(JSON.parse(good.stdout.toString()).totals).toEqual(JSON.parse((await run(['audit', snapshot, '--config', config, '-o', 'json', ...mock])).stdout.toString()).totals);
    const bad = Buffer.from(readFileSync(padded));
    bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1;
    writeFileSync(padded, bad);
    const r = await run(['audit', padded, '--config', config, ...mock]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('snapshot SHA-256 trailer does not match its data');
    expect(r.stdout.length).toBe(0);
    // --skip-hash-check, as etcdutl has: the mismatch is damage, listed first; the audit goes on; exit 4.
    const skipped = await run(['audit', padded, '--config', config, '--skip-hash-check', '-o', 'json', ...mock]);
    expect(skipped.code).toBe(4);
    const report = JSON.parse(skipped.stdout.toString());
    expect(report.damage.areas[0].reason).toMatch(/^SHA-256 trailer mismatch \(--skip-hash-check\): snapshot SHA-256 trailer does not match its data/);
    expect(report.totals).toEqual(JSON.parse(good.stdout.toString()).totals);
  });

  it('broken snapshots: a clear error and exit 1, never a crash', async () => {
    const truncated = join(tmp, 'truncated.db');
    copyFileSync(snapshot, truncated);
    truncateSync(truncated, 50_000);
    const garbage = join(tmp, 'garbage.db');
    writeFileSync(garbage, Buffer.alloc(10_000, 0x5a));
    const flipped = join(tmp, 'flipped.db');
    const bytes = readFileSync(snapshot);
    bytes[70_000] = (bytes[70_000] as number) ^ 0xff;
    writeFileSync(flipped, bytes);
    for (const f of [truncated, garbage, flipped, join(tmp, 'missing.db')]) {
      const r = await run(['audit', f, '--config', config, ...mock]);
      expect(r.code, f).not.toBe(0);
      expect(r.stderr, f).toMatch(/atrest: error \[ERR_[A-Z_]+\]/);
      expect(r.stderr).not.toContain('internal error');
    }
  });
});

describe('atrest audit on a snapshot damaged inside (salvage)', () => {
  const PAGE = 4096;
  /** The sample without its trailer, with leaf page 23 of bucket key made unreadable. */
  function damaged(): string {
    const bytes = readFileSync(snapshot).subarray(0, -32);
    bytes.writeUInt16LE(0x00ff, 23 * PAGE + 8);
    const path = join(tmp, 'damaged-leaf.db');
    writeFileSync(path, bytes);
    return path;
  }

  it('prints the report with the damaged area first, exits 4, and leaks no value', async () => {
    const r = await run(['audit', damaged(), '--config', config, '--history', ...mock]);
    expect(r.code).toBe(4);
    const out = r.stdout.toString();
    expect(out).toContain('DAMAGED SNAPSHOT: 1 area(s) could not be read and were skipped');
    expect(out).toMatch(/^23 +94208 +\d+#\d+ +unexpected page type in a bucket tree$/m);
    expect(out).toContain('Latest values per resource');
    expect(r.stderr.toString()).toContain('atrest audit: the snapshot is damaged: 1 area(s) skipped');
    for (const v of secretValues()) expect(out.includes(v) || r.stderr.toString().includes(v)).toBe(false);
  });

  it('JSON: the damage is listed, and the counts are those of the pages still readable', async () => {
    const full = JSON.parse((await run(['audit', snapshot, '--config', config, '-o', 'json', ...mock])).stdout.toString());
    const r = await run(['audit', damaged(), '--config', config, '-o', 'json', ...mock]);
    const j = JSON.parse(r.stdout.toString());
    expect(j.damage).toEqual({ count: 1, areas: [expect.objectContaining({ reason: 'unexpected page type in a bucket tree', pageId: 23, offset: 23 * PAGE })] });
    expect(j.totals.snapshot.putRevisions).toBeLessThan(full.totals.snapshot.putRevisions);
    expect(full.damage).toBeUndefined();
  });

  it('a truncated copy (no trailer) is audited as far as it goes', async () => {
    const path = join(tmp, 'cut.db');
    writeFileSync(path, readFileSync(snapshot).subarray(0, 28 * PAGE));
    const r = await run(['audit', path, '--config', config, '-o', 'json', ...mock]);
    expect(r.code).toBe(4);
    const j = JSON.parse(r.stdout.toString());
    expect(j.damage.areas[0].reason).toMatch(/^file is truncated: the last \d+ bytes of the database are missing$/);
    expect(j.totals.snapshot.putRevisions).toBeGreaterThan(0);
  });

  it('dump prints what it can read, names the damage on stderr, exits 4', async () => {
    const r = await run(['dump', damaged(), '--config', config, '-o', 'jsonl', '--resource', 'secrets', ...mock]);
    expect(r.code).toBe(4);
    expect(r.stdout.toString().trim().split('\n').length).toBeGreaterThan(10);
    expect(r.stderr.toString()).toContain('skipped a damaged part of the snapshot: unexpected page type in a bucket tree');
  });
});

describe('atrest dump', () => {
  it('prints decrypted objects; Secret data as in the manifest', async () => {
    const r = await run(['dump', snapshot, '--config', config, '-o', 'jsonl', '--resource', 'secrets', '--namespace', 'shop', '--name', 'stripe-key', ...mock]);
    expect(r.code).toBe(0);
    const docs = r.stdout.toString().trim().split('\n').map((l) => JSON.parse(l));
    const m = manifest.keys.find((k: { key: string }) => k.key === '/registry/secrets/shop/stripe-key');
    const want = [...m.history, m.latest];
    expect(docs.map((d) => d.revision)).toEqual(want.map((w: { revision: number }) => w.revision));
    for (const [i, d] of docs.entries()) {
      expect(d.object.data).toEqual(want[i].object.data);
      expect(d.object.metadata.uid).toBe(want[i].object.uid);
    }
  });
  it('YAML output is one document per revision', async () => {
    const r = await run(['dump', snapshot, '--config', config, '--revision', '52', ...mock]);
    expect(r.stdout.toString().match(/^---$/gm)).toHaveLength(1);
    expect(r.stdout.toString()).toContain('"name": "stripe-key"');
  });
});

describe('atrest inspect', () => {
  it('shows a kms v2 envelope from a snapshot without any key', async () => {
    const r = await run(['inspect', snapshot, '--etcd-key', '/registry/secrets/shop/jwt-signing']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.toString())).toMatchObject({ id: 'kms:v2:sample-kms', kms: { keyID: 'kek-1', dekSourceType: 'HKDF_SHA256_XNONCE_AES_GCM_SEED' } });
  });
  it('reads a value from standard input', async () => {
    const r = await run(['inspect'], readFileSync(join(repo, 'docs', 'samples', 'secret.stored')));
    expect(JSON.parse(r.stdout.toString())).toMatchObject({ provider: 'aesgcm', keyName: 'key1', id: 'aesgcm:key1' });
  });
  it('names a key that is not there', async () => {
    const r = await run(['inspect', snapshot, '--etcd-key', '/registry/secrets/nope/nope']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no value of /registry/secrets/nope/nope');
  });
});
