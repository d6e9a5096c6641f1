/**
 * The properties suite through the protocol: atrest's own adapter holds every property; the broken
 * adapters (dropped aesgcm additional data, fixed nonce, second-key reads not stale) are each
 * caught by a named property with a replay line that reproduces the failure.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROPERTY_IDS, conformanceExitCode, formatConformanceReport, runConformance } from '@atrest/conformance';
import { applyTampering, keySizes, siteArbitrary } from '@atrest/conformance/arbitraries';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const atrest = join(repo, 'packages', 'cli', 'bin', 'atrest.js');
const broken = fileURLToPath(new URL('./fixtures/broken-adapter.mjs', import.meta.url));
const serve = { command: process.execPath, args: [atrest, 'conformance', 'serve'] };
const brokenAdapter = (...args: string[]) => ({ command: process.execPath, args: [broken, ...args] });
const RUNS = 25;

describe('properties suite', () => {
  it('atrest conformance serve holds every property', async () => {
    const report = await runConformance({ ...serve, suite: 'properties', runs: RUNS, seed: 42 });
    expect(report.fatal).toBeUndefined();
    expect(report.seed).toBe(42);
    expect(report.results.map((r) => r.id)).toEqual(PROPERTY_IDS);
    expect(report.unexpectedFailures).toEqual([]);
    expect(report.passed).toBe(PROPERTY_IDS.length);
    expect(conformanceExitCode(report)).toBe(0);
  });

  it.each([
    ['drop-aad', ['properties:decrypt-roundtrip', 'properties:encrypt-roundtrip'], /message authentication failed/],
    ['fixed-nonce', ['properties:encrypt-twice-differs'], /identical bytes: nonces or IVs are not random/],
    ['flip-stale', ['properties:stale-after-rotation'], /stale false, expected true/],
  ])('a broken adapter (%s) is caught, shrunk and replayable', async (mode, caughtBy, why) => {
    const report = await runConformance({ ...brokenAdapter(mode), suite: 'properties', runs: RUNS, seed: 7 });
    for (const id of caughtBy) expect(report.unexpectedFailures).toContain(id);
    const text = formatConformanceReport(report);
    expect(text).toMatch(why);
    const failure = report.results.find((r) => r.id === caughtBy[0])!;
    const actual = failure.actual as { seed: number; path: string; replay: string };
    expect(text).toContain(`replay:   ${actual.replay}`);
    // The printed seed and path replay exactly that counterexample.
    const replayed = await runConformance({
      ...brokenAdapter(mode),
      suite: 'properties',
      runs: RUNS,
      seed: actual.seed,
      path: actual.path,
      properties: [caughtBy[0]!],
    });
    expect(replayed.results).toHaveLength(1);
    expect(replayed.results[0]).toMatchObject({ id: caughtBy[0], ok: false, actual: { path: actual.path } });
  });

  it('atrest conformance run --suite properties: exit codes, replay flags, usage errors', () => {
    const cli = (...args: string[]) => spawnSync(process.execPath, [atrest, 'conformance', 'run', ...args], { encoding: 'utf8' });
    const ok = cli('--suite', 'properties', '--runs', '5', '--seed', '3', '--', process.execPath, ...serve.args);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/properties seed: 3 /);
    const bad = cli('--suite', 'properties', '--runs', '10', '--seed', '3', '--', process.execPath, broken, 'fixed-nonce');
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/FAIL properties:encrypt-twice-differs\n  failed: .*\n  counterexample: .*\n  replay:   --suite properties --property encrypt-twice-differs --seed 3 --path \S+ --runs 10/);
    expect(cli('--suite', 'nope', '--', 'x').status).toBe(2);
    expect(cli('--suite', 'properties', '--path', '0:1', '--', 'x').status).toBe(2);
    expect(cli('--suite', 'properties', '--runs', '0', '--', 'x').status).toBe(2);
  });
});

describe('@atrest/conformance/arbitraries', () => {
  it('generates sites with wildcard rules, kms mocks and valid key sizes', () => {
    const sites = fc.sample(siteArbitrary(), 200);
    expect(new Set(sites.map((s) => s.pattern))).toEqual(new Set(['secrets', 'configmaps', 'deployments.apps', 'widgets.example.com', '*.', '*.apps', '*.*']));
    for (const s of sites) {
      expect(s.chain.length).toBeGreaterThanOrEqual(1);
      expect(s.chain.length).toBeLessThanOrEqual(5);
      expect(s.kms.length).toBe(s.chain.filter((p) => p.kind === 'kmsv2').length);
      for (const p of s.chain) if ('keys' in p) for (const k of p.keys) expect(keySizes(p.kind)).toContain(k.secret.length);
    }
    expect(sites.some((s) => /[^\x00-\x7f]/.test(s.key) && s.key.slice('/registry/'.length).includes(':'))).toBe(true);
  });

  it('applies tamperings to a copy', () => {
    const v = new Uint8Array([1, 2, 3]);
    expect([...applyTampering(v, { kind: 'flip', index: 2, bit: 7 })]).toEqual([1, 2, 131]);
    expect([...applyTampering(v, { kind: 'truncate', length: 1 })]).toEqual([1]);
    expect([...v]).toEqual([1, 2, 3]);
  });
});
