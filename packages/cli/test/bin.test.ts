/**
 * The real `atrest` binary, as a user runs it: the README demo's command and the key-rotation
 * guide's script (docs/examples/key-rotation.sh) must work and print what the docs say.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..', '..');
const bin = join(repo, 'packages', 'cli', 'bin', 'atrest.js');

beforeAll(() => {
  // `pnpm test` builds first; build here too so this file also runs on its own.
  if (!existsSync(join(repo, 'packages', 'cli', 'dist', 'main.js'))) {
    execFileSync('npx', ['tsc', '-b', 'packages/cli'], { cwd: repo, stdio: 'inherit' });
  }
}, 120_000);

describe('atrest binary', () => {
  it('decrypts the README sample (a Secret written by upstream code)', () => {
    const r = spawnSync(process.execPath, [bin, 'decrypt', '--config', 'docs/samples/encryption-config.yaml', '--resource', 'secrets',
      '--etcd-key', '/registry/secrets/kube-system/obj-d1690c', '--in', 'docs/samples/secret.stored', '-o', 'json'], { cwd: repo, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ stale: false, provider: 'aesgcm', keyName: 'key1' });
  });

  it('stops quietly when its reader goes away (| head -1), as cat does: no EPIPE stack trace', () => {
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${bin}" dump test-vectors/etcd/sample.db --config docs/samples/snapshot-audit-config.yaml --kms-mock sample-kms=base64:kek-1 -o json | head -c 1 >/dev/null; echo "status \${PIPESTATUS[0]}" >&2`], {
      cwd: repo, encoding: 'utf8', timeout: 60_000,
    });
    expect(r.stderr).not.toContain('EPIPE');
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
    expect(r.stderr.trim()).toMatch(/^status (0|141)$/);
  });

  it('caps what it reads whole: /dev/zero as a value, a config or standard input is a clear error, exit 1', () => {
    const run = (args: string[], input?: Buffer) => spawnSync(process.execPath, [bin, ...args], { cwd: repo, encoding: 'utf8', timeout: 60_000, ...(input ? { input } : {}) });
    const value = run(['decrypt', '--config', 'docs/samples/encryption-config.yaml', '--resource', 'secrets', '--etcd-key', '/registry/secrets/a/b', '--in', '/dev/zero']);
    expect(value.status).toBe(1);
    expect(value.stderr).toBe('atrest: error [ERR_INVALID_DATA]: input file "/dev/zero" is larger than 16777216 bytes; raise --max-value-bytes if it really is that large (limit=16777216, flag=--max-value-bytes)\n');
    const config = run(['validate', '/dev/zero']);
    expect(config.status).toBe(1);
    expect(config.stderr).toContain('config file "/dev/zero" is larger than 4194304 bytes; raise --max-config-bytes');
    const stdin = run(['inspect', '--max-value-bytes', '10'], Buffer.alloc(11));
    expect(stdin.status).toBe(1);
    expect(stdin.stderr).toContain('standard input is larger than 10 bytes');
    expect(run(['inspect', '--max-value-bytes', '11'], Buffer.from('k8s:enc:x:v')).status).toBe(0);
  });

  it('command-line mistakes get one line and exit 2; unreadable files exit 1; --version and help CMD work', () => {
    const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
    const flag = run(['audit', '-w', 'x.db']);
    expect([flag.status, flag.stderr]).toEqual([2, 'atrest: unknown flag -w; see atrest audit --help\n']);
    const command = run(['nosuch']);
    expect([command.status, command.stderr]).toEqual([2, 'atrest: unknown command "nosuch"; see atrest --help\n']);
    const missing = run(['audit', 'no-such.db', '--config', 'docs/samples/encryption-config.yaml']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('no-such.db');
    expect(run(['validate', 'no-such.yaml']).status).toBe(1);
    const version = run(['--version']);
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^atrest \d+\.\d+\.\d+/);
    const help = run(['help', 'audit']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^atrest audit SNAPSHOT/);
  });

  it('a bad ATREST_CRYPTO_BACKEND is one line naming the variable at first use, never a stack trace at import', () => {
    const r = spawnSync(process.execPath, [bin, 'encrypt', '--config', 'docs/samples/encryption-config.yaml', '--resource', 'secrets', '--etcd-key', '/registry/secrets/a/b'], {
      cwd: repo,
      input: 'x',
      encoding: 'utf8',
      env: { ...process.env, ATREST_CRYPTO_BACKEND: 'bogus' },
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('ATREST_CRYPTO_BACKEND: unknown crypto backend "bogus"; use native, node or noble, or unset it');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // Commands that need no crypto still run.
    expect(spawnSync(process.execPath, [bin, 'validate', 'docs/samples/encryption-config.yaml'], { cwd: repo, encoding: 'utf8', env: { ...process.env, ATREST_CRYPTO_BACKEND: 'bogus' } }).stderr).not.toMatch(/\n\s+at /);
  });

  it('exits non-zero with the error on stderr for garbage', () => {
    const r = spawnSync(process.execPath, [bin, 'decrypt', '--config', 'docs/samples/encryption-config.yaml', '--resource', 'secrets',
      '--etcd-key', '/registry/secrets/a/b'], { cwd: repo, input: Buffer.from('k8s:enc:aesgcm:v1:key1:\x00\x01'), encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('the stored data was shorter than the required size');
  });

  it('runs the key-rotation guide end to end', () => {
    const r = spawnSync('bash', [join(repo, 'docs', 'examples', 'key-rotation.sh')], {
      cwd: repo, encoding: 'utf8', env: { ...process.env, ATREST: `${process.execPath} ${bin}` }, timeout: 120_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('  '));
    expect(lines.slice(0, 5)).toEqual([
      '  read by aesgcm:key1, stale=false',
      '  read by aesgcm:key1, stale=false',
      '  read by aesgcm:key1, stale=true',
      '  read by aesgcm:key2, stale=false',
      '  read by aesgcm:key2, stale=false',
    ]);
    expect(lines[5]).toContain('no matching key was found for the provided AES transformer');
  }, 120_000);
});
