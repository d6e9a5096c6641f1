/**
 * Exit codes of audit, dump and inspect, each exactly, through the real binary as a separate
 * process (what a shell script sees), as `--help` documents them: 0 ok, 1 the operation failed,
 * 2 a command-line mistake, 3 a --fail-on category found, 4 damaged parts skipped.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..', '..');
const bin = join(repo, 'packages', 'cli', 'bin', 'atrest.js');
const snapshot = join(repo, 'test-vectors', 'etcd', 'sample.db');
const config = join(repo, 'docs', 'samples', 'snapshot-audit-config.yaml');
const mock = ['--kms-mock', 'sample-kms=base64:kek-1'];
const PAGE = 4096;
const dir = mkdtempSync(join(tmpdir(), 'atrest-exit-'));
// A leaf page of the key bucket with a wrong page type: one damaged area, the rest readable.
const damaged = join(dir, 'damaged.db');
const bytes = readFileSync(snapshot).subarray(0, -32);
bytes.writeUInt16LE(0x00ff, 23 * PAGE + 8);
writeFileSync(damaged, bytes);

beforeAll(() => {
  if (!existsSync(join(repo, 'packages', 'cli', 'dist', 'main.js'))) execFileSync('npx', ['tsc', '-b', 'packages/cli'], { cwd: repo, stdio: 'inherit' });
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const status = (...args: string[]): number | null => spawnSync(process.execPath, [bin, ...args], { cwd: repo, encoding: 'utf8' }).status;

describe('exit codes through the binary', () => {
  it.each([
    ['audit: a clean run', ['audit', snapshot, '--config', config, ...mock], 0],
    ['audit: a missing snapshot', ['audit', join(dir, 'missing.db'), '--config', config], 1],
    ['audit: not a snapshot', ['audit', config, '--config', config], 1],
    ['audit: an unknown flag', ['audit', snapshot, '--config', config, '-w'], 2],
    ['audit: --fail-on stale finds stale values', ['audit', snapshot, '--config', config, '--fail-on', 'stale', ...mock], 3],
    ['audit: a damaged snapshot', ['audit', damaged, '--config', config, ...mock], 4],
    ['dump: a clean run', ['dump', snapshot, '--config', config, '--resource', 'cm', ...mock], 0],
    ['dump: a missing snapshot', ['dump', join(dir, 'missing.db'), '--config', config], 1],
    ['dump: a revision the snapshot does not hold', ['dump', snapshot, '--config', config, '--revision', '99999', ...mock], 1],
    ['dump: -o with a bad value', ['dump', snapshot, '--config', config, '-o', 'xml'], 2],
    ['dump: a damaged snapshot', ['dump', damaged, '--config', config, ...mock], 4],
    ['inspect: a stored value', ['inspect', snapshot, '--etcd-key', '/registry/secrets/shop/jwt-signing'], 0],
    ['inspect: a key that is not there', ['inspect', snapshot, '--etcd-key', '/registry/secrets/nope/nope'], 1],
    ['inspect: a missing snapshot', ['inspect', join(dir, 'missing.db'), '--etcd-key', '/registry/secrets/a/b'], 1],
    ['inspect: a snapshot without --etcd-key', ['inspect', snapshot], 2],
  ])('%s exits %i', (_, args, code) => {
    expect(status(...(args as string[]))).toBe(code);
  });
});
