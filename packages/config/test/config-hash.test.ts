/**
 * configHash against config-hash.json (expected values from coreutils sha256sum) and, when Go is
 * installed, against config-hash.go, which computes the hash the way kube-apiserver's
 * computeEncryptionConfigHash (k8s.io/apiserver/pkg/server/options/encryptionconfig/config.go) does.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CONFIG_HASH_PREFIX, configHash, configHashHex } from '@atrest/config';

interface Case {
  name: string;
  hex?: string;
  file?: string;
  hash: string;
}
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const vectors = JSON.parse(readFileSync(fileURLToPath(new URL('./config-hash.json', import.meta.url)), 'utf8')) as { cases: Case[] };
const bytesOf = (c: Case): Uint8Array =>
  c.file !== undefined ? new Uint8Array(readFileSync(join(repo, c.file))) : new Uint8Array(Buffer.from(c.hex ?? '', 'hex'));

const tmp = mkdtempSync(join(tmpdir(), 'atrest-config-hash-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function goAvailable(): boolean {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('configHash', () => {
  it.each(vectors.cases)('$name', (c) => {
    expect(configHash(bytesOf(c))).toBe(c.hash);
    expect(CONFIG_HASH_PREFIX + configHashHex(bytesOf(c))).toBe(c.hash);
  });

  it('has the prefix and a 64-digit lowercase hex digest', () => {
    expect(configHash(new TextEncoder().encode('x'))).toMatch(/^k8s:enc:unstable:1:[0-9a-f]{64}$/);
  });

  it('hashes bytes, not text: every byte counts', () => {
    const hashes = new Set(vectors.cases.map((c) => configHash(bytesOf(c))));
    expect(hashes.size).toBe(vectors.cases.length);
  });

  it.skipIf(!goAvailable())('equals what Go computes the way upstream does (config-hash.go)', () => {
    const files = vectors.cases.map((c, i) => {
      const p = join(tmp, `case-${i}.yaml`);
      writeFileSync(p, bytesOf(c));
      return p;
    });
    const out = execFileSync('go', ['run', fileURLToPath(new URL('./config-hash.go', import.meta.url)), ...files], {
      env: { ...process.env, GO111MODULE: 'off', GOFLAGS: '', CGO_ENABLED: '0', GOCACHE: process.env.GOCACHE ?? join(tmp, 'gocache') },
      encoding: 'utf8',
    });
    const got = JSON.parse(out) as { file: string; hash: string }[];
    expect(got.map((g) => g.hash)).toEqual(vectors.cases.map((c) => configHash(bytesOf(c))));
    expect(got.map((g) => g.hash)).toEqual(vectors.cases.map((c) => c.hash));
  }, 120_000);
});
