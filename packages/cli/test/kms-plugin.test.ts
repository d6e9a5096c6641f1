/**
 * KMS v2 end to end, as users meet it: `atrest kms-plugin` runs as its own process on a unix
 * socket; `atrest encrypt` / `atrest decrypt` run as their own processes with a config whose
 * kms endpoint points at it. Rotation, a stopped plugin and a restarted plugin.
 */
import { type ChildProcess, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kek, startKmsPlugin, stopKmsPlugin } from './_kms-plugin.js';
import { IDENTITY, kmsV2, secretsConfig } from '@atrest/test-support';

const repo = join(import.meta.dirname, '..', '..', '..');
const bin = join(repo, 'packages', 'cli', 'bin', 'atrest.js');
const dir = mkdtempSync(join(tmpdir(), 'atrest-kms-cli-'));
const socket = join(dir, 'kms.sock');
const kekFile = join(dir, 'kek.txt');
const config = join(dir, 'config.yaml');
const etcdKey = '/registry/secrets/default/db-password';
let plugin: ChildProcess | undefined;

async function startPlugin(): Promise<void> {
  plugin = await startKmsPlugin(socket, kekFile);
}

async function stopPlugin(): Promise<void> {
  const child = plugin;
  plugin = undefined;
  await stopKmsPlugin(child);
}

function atrest(args: string[], input?: Buffer) {
  return spawnSync(process.execPath, [bin, ...args], { input, timeout: 30_000 });
}

function decrypt(stored: Buffer) {
  const r = atrest(['decrypt', '--config', config, '--resource', 'secrets', '--etcd-key', etcdKey, '-o', 'json'], stored);
  return { status: r.status, stderr: r.stderr.toString(), json: r.status === 0 ? JSON.parse(r.stdout.toString()) : undefined };
}

function encrypt(plaintext: string): Buffer {
  const r = atrest(['encrypt', '--config', config, '--resource', 'secrets', '--etcd-key', etcdKey], Buffer.from(plaintext));
  expect(r.stderr.toString()).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

beforeAll(async () => {
  if (!existsSync(join(repo, 'packages', 'cli', 'dist', 'main.js'))) {
    execFileSync('npx', ['tsc', '-b', 'packages/cli'], { cwd: repo, stdio: 'inherit' });
  }
  writeFileSync(kekFile, kek('kek-1'));
  writeFileSync(config, secretsConfig(kmsV2('test-kms', socket, '1s') + IDENTITY));
  await startPlugin();
}, 60_000);

afterAll(async () => {
  await stopPlugin();
  rmSync(dir, { recursive: true, force: true });
});

describe('atrest with a real KMS v2 plugin process', () => {
  let first: Buffer;

  it('encrypts and decrypts through the plugin named by the config endpoint', () => {
    first = encrypt('s3cr3t');
    expect(first.subarray(0, 24).toString()).toBe('k8s:enc:kms:v2:test-kms:');
    expect(first.includes(Buffer.from('s3cr3t'))).toBe(false);
    const r = decrypt(first);
    expect(r.stderr).toBe('');
    expect(r.json).toMatchObject({ stale: false, provider: 'kms', keyName: 'test-kms' });
    expect(Buffer.from(r.json.plaintext, 'base64').toString()).toBe('s3cr3t');
  }, 60_000);

  it('after KEK rotation old values are stale yet readable, new ones are not stale', () => {
    writeFileSync(kekFile, kek('kek-2') + readFileSync(kekFile, 'utf8'));
    const old = decrypt(first);
    expect(old.json).toMatchObject({ stale: true, provider: 'kms' });
    expect(Buffer.from(old.json.plaintext, 'base64').toString()).toBe('s3cr3t');
    const fresh = decrypt(encrypt('rotated'));
    expect(fresh.json).toMatchObject({ stale: false });
    expect(Buffer.from(fresh.json.plaintext, 'base64').toString()).toBe('rotated');
  }, 60_000);

  it('a stopped plugin gives a clear error and loses no data; a restarted one is picked up', async () => {
    const before = Buffer.from(first);
    await stopPlugin();
    const down = decrypt(first);
    expect(down.status).toBe(1);
    expect(down.stderr).toContain('ERR_KMS_PLUGIN');
    expect(down.stderr).toContain('test-kms');
    expect(down.stderr).toContain(`unix://${socket}`);
    expect(first.equals(before)).toBe(true);
    await startPlugin();
    const up = decrypt(first);
    expect(up.stderr).toBe('');
    expect(Buffer.from(up.json.plaintext, 'base64').toString()).toBe('s3cr3t');
  }, 60_000);
});
