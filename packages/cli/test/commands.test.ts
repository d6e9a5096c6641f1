import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from './_run.js';

const repo = join(import.meta.dirname, '..', '..', '..');
const sampleConfig = join(repo, 'docs', 'samples', 'encryption-config.yaml');
const sampleStored = join(repo, 'docs', 'samples', 'secret.stored');
const sampleKey = '/registry/secrets/kube-system/obj-d1690c';
const sampleSecret = 'g/D8UcfL87T6hBFaxwvTBzgdI4Zok7/Lgt1v9gh9D5w=';
const tmp = mkdtempSync(join(tmpdir(), 'atrest-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function file(name: string, content: string | Uint8Array): string {
  const p = join(tmp, name);
  writeFileSync(p, content);
  return p;
}

describe('atrest decrypt', () => {
  it('decrypts a value written by upstream code (raw)', async () => {
    const r = await run(['decrypt', '--config', sampleConfig, '--resource', 'secrets', '--etcd-key', sampleKey, '--in', sampleStored]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.toString()).metadata.name).toBe('obj-d1690c');
  });
  it('reports provider, key name and stale as JSON', async () => {
    const r = await run(['decrypt', '--config', sampleConfig, '--resource', 'secrets', '--etcd-key', sampleKey, '-o', 'json'], readFileSync(sampleStored));
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout.toString());
    expect(j).toMatchObject({ stale: false, provider: 'aesgcm', keyName: 'key1' });
    expect(JSON.parse(Buffer.from(j.plaintext, 'base64').toString()).kind).toBe('Secret');
  });
  it('fails with upstream text and exit 1 for a value moved to another etcd key', async () => {
    const r = await run(['decrypt', '--config', sampleConfig, '--resource', 'secrets', '--etcd-key', '/registry/secrets/x/y', '--in', sampleStored]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cipher: message authentication failed');
    expect(r.stdout.length).toBe(0);
  });
  it('never prints key material in errors', async () => {
    const r = await run(['decrypt', '--config', sampleConfig, '--resource', 'secrets', '--etcd-key', sampleKey], Buffer.from('k8s:enc:aesgcm:v1:key1:short'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the stored data was shorter than the required size');
    expect(r.stderr).not.toContain(sampleSecret);
  });
  it('binary garbage is an error, not a crash', async () => {
    const r = await run(['decrypt', '--config', sampleConfig, '--resource', 'secrets', '--etcd-key', sampleKey], Buffer.from([0x6b, 0x38, 0x73, 0x3a, 0x65, 0x6e, 0x63, 0x3a, 0xff, 0x00, 0x80]));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no matching prefix found');
  });
});

describe('atrest encrypt', () => {
  it('round-trips through decrypt, and the output carries the first provider prefix', async () => {
    const enc = await run(['encrypt', '--config', sampleConfig, '--resource', 'secrets', '--etcd-key', '/registry/secrets/a/b'], 'hello world');
    expect(enc.code).toBe(0);
    expect(enc.stdout.subarray(0, 23).toString()).toBe('k8s:enc:aesgcm:v1:key1:');
    const dec = await run(['decrypt', '--config', sampleConfig, '--resource', 'secrets', '--etcd-key', '/registry/secrets/a/b'], enc.stdout);
    expect(dec.stdout.toString()).toBe('hello world');
  });
  it('writes plaintext for a resource no rule matches', async () => {
    const enc = await run(['encrypt', '--config', sampleConfig, '--resource', 'configmaps', '--etcd-key', '/registry/configmaps/a/b'], 'plain');
    expect(enc.stdout.toString()).toBe('plain');
  });
});

describe('atrest validate', () => {
  it('accepts the sample config', async () => {
    const r = await run(['validate', sampleConfig]);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toContain('valid');
  });
  it('prints each problem with its field path and exits 1', async () => {
    const bad = file(
      'bad.yaml',
      'apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources: [secrets]\n    providers:\n      - aesgcm:\n          keys:\n            - name: k\n              secret: c2hvcnQ=\n',
    );
    const r = await run(['validate', bad]);
    expect(r.code).toBe(1);
    expect(r.stdout.toString()).toContain('resources[0].providers[0].aesgcm.keys[0].secret');
    expect(r.stdout.toString()).not.toContain('c2hvcnQ=');
  });
  it('reports a file that is not an EncryptionConfiguration', async () => {
    const r = await run(['validate', file('pod.yaml', 'apiVersion: v1\nkind: Pod\n')]);
    expect(r.code).toBe(1);
    expect(r.stdout.toString()).toMatch(/ERR_CONFIG_PARSE|apiVersion|kind/);
  });
  it('reports a masked rule', async () => {
    const masked = file(
      'masked.yaml',
      "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources: ['*.']\n    providers:\n      - identity: {}\n  - resources: [secrets]\n    providers:\n      - identity: {}\n",
    );
    const r = await run(['validate', masked]);
    expect(r.code).toBe(1);
    expect(r.stdout.toString()).toContain('resource "secrets" is masked by earlier rule "*."');
  });
  it('names a missing file', async () => {
    const r = await run(['validate', join(tmp, 'nope.yaml')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('nope.yaml');
  });
});

describe('atrest keygen', () => {
  it('prints fresh keys of the requested size', async () => {
    for (const [provider, size] of [['aesgcm', 16], ['aescbc', 24], ['aesgcm', 32], ['secretbox', 32]] as const) {
      const a = await run(['keygen', '--provider', provider, '--size', String(size)]);
      const b = await run(['keygen', '--provider', provider, '--size', String(size)]);
      expect(a.code).toBe(0);
      expect(Buffer.from(a.stdout.toString().trim(), 'base64').length).toBe(size);
      expect(a.stdout.equals(b.stdout)).toBe(false);
    }
  });
  it('refuses impossible sizes', async () => {
    expect((await run(['keygen', '--provider', 'secretbox', '--size', '16'])).code).toBe(2);
    expect((await run(['keygen', '--size', '20'])).code).toBe(2);
  });
});

describe('usage errors', () => {
  it('exit 2 for unknown commands and options, missing required options', async () => {
    expect((await run(['frobnicate'])).code).toBe(2);
    expect((await run(['decrypt', '--nope'])).code).toBe(2);
    const r = await run(['decrypt', '--resource', 'secrets']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--config');
  });
});

describe('--kms-mock', () => {
  const values = JSON.parse(readFileSync(join(repo, 'test-vectors', 'upstream', 'values.json'), 'utf8')) as {
    cases: { id: string; config: string; resource: string; key: string; stored: string; expect: { plaintext?: string; stale?: boolean } }[];
  };
  const byId = (id: string) => values.cases.find((c) => c.id === id) as (typeof values.cases)[number];

  it('decrypts an upstream kms v2 value with the Base64 mock, stale exactly when the mock keyID differs', async () => {
    const c = byId('p-kmsv2-keyid-changed-seed');
    const config = file('kmsv2.yaml', c.config);
    const stored = Buffer.from(c.stored, 'base64');
    const now = await run(['decrypt', '--config', config, '--resource', c.resource, '--etcd-key', c.key, '-o', 'json', '--kms-mock', 'kms2=base64:k2'], stored);
    expect(now.stderr).toBe('');
    const j = JSON.parse(now.stdout.toString());
    expect(j).toMatchObject({ stale: true, provider: 'kms', keyName: 'kms2' });
    expect(j.plaintext).toBe(c.expect.plaintext);
    const same = await run(['decrypt', '--config', config, '--resource', c.resource, '--etcd-key', c.key, '-o', 'json', '--kms-mock', 'kms2=base64:k1'], stored);
    expect(JSON.parse(same.stdout.toString()).stale).toBe(false);
  });

  it('round-trips through a mocked kms v2 provider', async () => {
    const config = file(
      'mock.yaml',
      'apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources: [secrets]\n    providers:\n      - kms:\n          apiVersion: v2\n          name: m\n          endpoint: unix:///nonexistent.sock\n',
    );
    const args = ['--config', config, '--resource', 'secrets', '--etcd-key', '/registry/secrets/a/b', '--kms-mock', 'm=base64:kid'];
    const enc = await run(['encrypt', ...args], 'hi');
    expect(enc.stdout.subarray(0, 17).toString()).toBe('k8s:enc:kms:v2:m:');
    expect((await run(['decrypt', ...args], enc.stdout)).stdout.toString()).toBe('hi');
  });

  it('without a mock or plugin, names the plugin and how to proceed', async () => {
    const c = byId('p-kmsv2-keyid-changed-seed');
    const r = await run(['decrypt', '--config', file('kmsv2b.yaml', c.config), '--resource', c.resource, '--etcd-key', c.key], Buffer.from(c.stored, 'base64'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('kms2');
  });

  it('refuses a malformed --kms-mock', async () => {
    expect((await run(['decrypt', '--config', sampleConfig, '--resource', 'secrets', '--etcd-key', 'k', '--kms-mock', 'nonsense'])).code).toBe(2);
  });
});

describe('atrest version', () => {
  it('names the active backend, what implements it, and the available ones', async () => {
    const { defaultBackend, backendNames, nativeStatus } = await import('@atrest/core');
    const r = await run(['version']);
    expect(r.code).toBe(0);
    const out = r.stdout.toString();
    expect(out).toContain(`crypto backend: ${defaultBackend().name} (${defaultBackend().description})`);
    expect(out).toContain(`available backends: ${backendNames().join(', ')}`);
    if (!nativeStatus().available) expect(out).toContain('native backend: not available: ');
  });
});
