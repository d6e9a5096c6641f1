/**
 * The repository's independent Go peer (test-vectors/go/src/atrestpeer) speaks the conformance
 * protocol through its adapter, atrest-go-conformance, and passes the whole runner (vectors and
 * properties) with no known failures: the same total atrest's own `conformance serve` passes.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PROPERTY_IDS, conformanceExitCode, formatConformanceReport, runConformance, type ValuesCase } from '@atrest/conformance';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const goDir = join(repo, 'test-vectors', 'go');
const adapter = join(goDir, 'bin', 'atrest-go-conformance');
const values = JSON.parse(readFileSync(join(repo, 'test-vectors', 'upstream', 'values.json'), 'utf8')) as { cases: ValuesCase[] };

/** Build the peer and its adapter (GOPATH mode, no network; build.sh renames into place). */
function buildGoPeer(): void {
  const r = spawnSync('sh', [join(goDir, 'build.sh')], { encoding: 'utf8' });
  if (r.error !== undefined || r.status !== 0) {
    throw new Error(
      `building the Go peer failed (install golang-go golang-golang-x-crypto-dev golang-gopkg-yaml.v3-dev): ${r.error?.message ?? r.stderr}`,
    );
  }
}

describe('the Go peer through its conformance adapter', () => {
  it('passes every vector and every property with no known failures', async () => {
    buildGoPeer();
    // A fixed seed keeps the properties reproducible in CI, as the atrest properties test does.
    const report = await runConformance({ command: adapter, args: [], suite: 'all', knownFailures: [], runs: 25, seed: 42 });
    expect(report.fatal).toBeUndefined();
    expect(report.implementation?.name).toBe('atrest-go-peer');
    expect(report.unexpectedFailures).toEqual([]);
    expect(report.skipped).toEqual([]);
    // The total atrest's own adapter passes: values, encrypt cases, validation, resolution, properties.
    const withPlaintext = values.cases.filter((c) => 'plaintext' in c.expect).length;
    expect(report.passed).toBe(322 + withPlaintext + 85 + 41 + PROPERTY_IDS.length);
    expect(conformanceExitCode(report)).toBe(0);
    expect(formatConformanceReport(report)).toMatch(/\n\d+ passed, 0 failed\n$/);
  }, 180_000);

  // Seeds that flip a bit inside the kms v2 key ID (not authenticated; the Go peer reads it back
  // stale where atrest refuses a key ID that is no longer UTF-8) or in the wrapped seed. Both
  // answers are right, and tamper-kmsv2 accepts exactly those (docs/conformance-protocol.md).
  it.each([790026208, 2053779934, 1828060127])('tamper-kmsv2 holds for the Go peer and for atrest at seed %i', async (seed) => {
    buildGoPeer();
    const atrest = { command: process.execPath, args: [join(repo, 'packages', 'cli', 'bin', 'atrest.js'), 'conformance', 'serve'] };
    for (const impl of [{ command: adapter, args: [] }, atrest]) {
      const report = await runConformance({ ...impl, suite: 'properties', properties: ['tamper-kmsv2'], runs: 100, seed });
      expect(report.unexpectedFailures).toEqual([]);
      expect(report.passed).toBe(1);
    }
  }, 60_000);
});
