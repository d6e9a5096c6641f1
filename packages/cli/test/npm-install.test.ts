/**
 * What npm users get: every publishable package packed by scripts/pack.sh (as a release does),
 * installed with npm into a fresh project outside the workspace (third-party dependencies from the
 * registry), then the root README's library example run with node and `npx atrest audit` on the
 * shipped sample snapshot. Needs the npm registry; ATREST_SKIP_NPM_INSTALL=1 skips it.
 * Install time and node_modules size are printed (the optional native addon builds at install).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const LIMIT_MS = 240_000;

/** The environment without the npm_/pnpm_ settings of whatever started vitest (pnpm test). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  // pnpm exec sets NODE_PATH to the workspace's modules: a fresh project must not see them.
  for (const [k, v] of Object.entries(process.env)) if (!/^(npm|pnpm)_/i.test(k) && k !== 'NODE_PATH') env[k] = v;
  return env;
}

function run(cmd: string, args: string[], cwd: string, extra: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env: { ...cleanEnv(), ...extra }, encoding: 'utf8', timeout: LIMIT_MS, maxBuffer: 64 << 20 });
}

/** The "Using the library" snippet of the root README, as it stands. */
function readmeLibraryExample(): string {
  const readme = readFileSync(join(repo, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Using the library'));
  const m = /```ts\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error('no ts block under "## Using the library" in README.md');
  return m[1]!;
}

describe.skipIf(process.env.ATREST_SKIP_NPM_INSTALL === '1')('npm install of the packed packages', () => {
  let packDir = '';
  let project = '';

  beforeAll(() => {
    packDir = mkdtempSync(join(tmpdir(), 'atrest-pack-'));
    project = mkdtempSync(join(tmpdir(), 'atrest-npm-project-'));
    const packed = run('bash', [join(repo, 'scripts/pack.sh'), packDir], repo);
    expect(packed.status, packed.stderr).toBe(0);
    const tarballs = readdirSync(packDir).filter((f) => f.endsWith('.tgz')).map((f) => join(packDir, f));
    expect(tarballs.length).toBeGreaterThanOrEqual(16);

    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'atrest-npm-smoke', private: true, type: 'module' }, null, 2));
    const started = performance.now();
    const installed = run('npm', ['install', '--no-audit', '--no-fund', ...tarballs], project);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    expect(installed.status, `${installed.stdout}\n${installed.stderr}`).toBe(0);
    const du = run('du', ['-sh', 'node_modules'], project).stdout.trim().split(/\s+/)[0];
    const native = run(process.execPath, ['-e', 'const n = require("@atrest/native"); console.log(n.addon ? "addon built" : "addon not built: " + n.addonError)'], project);
    console.log(`npm install of ${tarballs.length} tarballs: ${seconds} s, node_modules ${du}, @atrest/native ${native.stdout.trim()}`);
  }, LIMIT_MS);

  afterAll(() => {
    for (const d of [packDir, project]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('installs the packages with no workspace: range left', () => {
    const cli = JSON.parse(readFileSync(join(project, 'node_modules/@atrest/cli/package.json'), 'utf8'));
    expect(JSON.stringify(cli.dependencies)).not.toContain('workspace:');
    expect(readFileSync(join(project, 'node_modules/@atrest/core/LICENSE'), 'utf8')).toContain('Apache License');
  });

  it("runs the README's library example: a round trip through the sample config", () => {
    copyFileSync(join(repo, 'docs/samples/encryption-config.yaml'), join(project, 'encryption-config.yaml'));
    const example =
      readmeLibraryExample() +
      "console.log(JSON.stringify({ plaintext: new TextDecoder().decode(plaintext), stale, prefix: new TextDecoder().decode(stored.subarray(0, 16)) }));\n";
    writeFileSync(join(project, 'example.mjs'), example);
    const r = run(process.execPath, ['example.mjs'], project);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toEqual({ plaintext: '{"kind":"Secret"}', stale: false, prefix: expect.stringMatching(/^k8s:enc:/) });
  });

  it('the CLI brings the native backend; a library user installing only @atrest/core and providers gets no native build', () => {
    const version = run('npx', ['atrest', 'version'], project);
    expect(version.stdout).toMatch(/crypto backend: native/);
    const lib = mkdtempSync(join(tmpdir(), 'atrest-npm-lib-'));
    try {
      writeFileSync(join(lib, 'package.json'), JSON.stringify({ name: 'atrest-npm-lib', private: true, type: 'module' }));
      const wanted = ['core', 'identity', 'aescbc', 'aesgcm', 'secretbox', 'config'].map((p) => join(packDir, `atrest-${p}-0.1.0.tgz`));
      const installed = run('npm', ['install', '--no-audit', '--no-fund', ...wanted], lib);
      expect(installed.status, installed.stderr).toBe(0);
      expect(existsSync(join(lib, 'node_modules/sodium-native'))).toBe(false);
      expect(existsSync(join(lib, 'node_modules/@atrest/native'))).toBe(false);
      const backend = run(process.execPath, ['--input-type=module', '-e', "import { defaultBackend } from '@atrest/core'; console.log(defaultBackend().name)"], lib);
      expect(backend.stdout.trim()).toBe('node');
      console.log(`library install (core, providers, config): node_modules ${run('du', ['-sh', 'node_modules'], lib).stdout.trim().split(/\s+/)[0]}`);
    } finally {
      rmSync(lib, { recursive: true, force: true });
    }
  });

  it('every package is ESM-only and its types resolve under node16 (ESM) and bundler (arethetypeswrong, esm-only profile)', () => {
    const attw = join(repo, 'node_modules', '.bin', 'attw');
    for (const t of readdirSync(packDir).filter((f) => f.endsWith('.tgz'))) {
      const r = run(attw, [join(packDir, t), '--profile', 'esm-only', '--format', 'ascii'], repo);
      expect(r.status, `${t}: ${r.stdout}${r.stderr}`).toBe(0);
    }
    // One attw process per package (about 1.5 s each, several times that on a loaded machine).
  }, LIMIT_MS);

  it('runs `npx atrest audit` on the shipped sample snapshot', () => {
    const r = run(
      'npx',
      [
        'atrest', 'audit', join(repo, 'test-vectors/etcd/sample.db'),
        '--config', join(repo, 'docs/samples/snapshot-audit-config.yaml'),
        '--kms-mock', 'sample-kms=base64:kek-1',
      ],
      project,
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('etcd snapshot: head revision 98');
    expect(r.stdout).toContain('Latest values per resource');
    expect(r.stdout).toMatch(/secrets\s+29\s+27\s+1\s+1\s+14/);
  });
});
