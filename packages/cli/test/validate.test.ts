/** atrest validate: the config hash, warnings on stderr, and --strict. */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from './_run.js';

const sampleConfig = fileURLToPath(new URL('../../../docs/samples/encryption-config.yaml', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'atrest-cli-validate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let written = 0;
/** Writes a config into the test's directory under a fresh name. */
const file = (_label: string, content: string): string => {
  const path = join(dir, `config-${written++}.yaml`);
  writeFileSync(path, content);
  return path;
};
const K32 = Buffer.alloc(32, 5).toString('base64');
const header = 'apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n';
const warned = `${header}  - resources: [secrets]\n    providers:\n      - identity: {}\n      - aescbc: {keys: [{name: a, secret: ${K32}}, {name: b, secret: ${K32}}]}\n`;

describe('atrest validate: config hash', () => {
  it('prints the hash kube-apiserver exports: k8s:enc:unstable:1: and the sha256 of the bytes', async () => {
    const r = await run(['validate', sampleConfig]);
    expect(r.code).toBe(0);
    const hex = createHash('sha256').update(readFileSync(sampleConfig)).digest('hex');
    expect(r.stdout.toString()).toContain(`config hash: k8s:enc:unstable:1:${hex}\n`);
    expect(r.stderr).toBe('');
  });
  it('hashes the raw bytes: CRLF line endings give another hash, the same verdict', async () => {
    const crlf = file('crlf.yaml', readFileSync(sampleConfig, 'utf8').replaceAll('\n', '\r\n'));
    const a = (await run(['validate', sampleConfig])).stdout.toString();
    const b = await run(['validate', crlf]);
    expect(b.code).toBe(0);
    const hashOf = (s: string): string | undefined => /config hash: (\S+)/.exec(s)?.[1];
    expect(hashOf(b.stdout.toString())).not.toBe(hashOf(a));
    expect(hashOf(b.stdout.toString())).toBe(`k8s:enc:unstable:1:${createHash('sha256').update(readFileSync(crlf)).digest('hex')}`);
  });
});

describe('atrest validate: warnings', () => {
  it('prints warnings on stderr as "warning: FIELD: TEXT" and exits 0', async () => {
    const r = await run(['validate', file('warned.yaml', warned)]);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toMatch(/: valid\n$/);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.map((l) => l.split(': ').slice(0, 2).join(': '))).toEqual([
      'warning: resources[0].providers[0].identity',
      'warning: resources[0].providers[1].aescbc',
      'warning: resources[0].providers[1].aescbc.keys[1].secret',
    ]);
    expect(r.stderr + r.stdout.toString()).not.toContain(K32);
  });
  it('--strict makes them problems: exit 1', async () => {
    const r = await run(['validate', '--strict', file('warned-strict.yaml', warned)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('warning: resources[0].providers[0].identity');
    expect(r.stdout.toString()).toContain('invalid (3 problems)');
    expect(r.stderr + r.stdout.toString()).not.toContain(K32);
  });
  it('--strict on a config without warnings still exits 0', async () => {
    const r = await run(['validate', '--strict', sampleConfig]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });
  it('documents --strict, the warnings and the hash in the usage text', async () => {
    const r = await run(['help', 'validate']);
    const text = r.stdout.toString() + r.stderr;
    expect(text).toContain('--strict');
    expect(text).toContain('warning: FIELD: TEXT');
    expect(text).toContain('apiserver_encryption_config_controller_last_config_info');
  });
});
