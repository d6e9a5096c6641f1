/**
 * The config-validation and resolution vectors: every case must give upstream's answer.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { detectVectorKind, formatResult, runVectorFile, summarizeRun } from '@atrest/conformance';

const load = (name: string): unknown =>
  JSON.parse(readFileSync(fileURLToPath(new URL(`../../../test-vectors/upstream/${name}`, import.meta.url)), 'utf8'));

describe.each([
  ['config-validation.json', 'config-validation', 85],
  ['resolution.json', 'resolution', 41],
] as const)('%s', (file, kind, total) => {
  const json = load(file);
  it(`is detected as a ${kind} file`, () => {
    expect(detectVectorKind(json)).toBe(kind);
  });
  it('every case gives upstream’s answer (findings in order, chain or build error)', async () => {
    const run = await runVectorFile(json);
    const failures = run.results.filter((r) => !r.ok).map(formatResult);
    expect(failures).toEqual([]);
    expect(summarizeRun(run)).toEqual({ kind, total, passed: total, failed: 0 });
  });
});
