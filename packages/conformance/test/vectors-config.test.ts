/**
 * The config-validation and resolution vectors: every case must give upstream's answer.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { detectVectorKind, formatResult, runVectorFile, summarizeRun } from '@atrest/conformance';

const load = (name: string): unknown =>
  JSON.parse(readFileSync(fileURLToPath(new URL(`../../../test-vectors/upstream/${name}`, import.meta.url)), 'utf8'));

describe('config-validation.json', () => {
  const json = load('config-validation.json');
  it('is detected as a config-validation file', () => {
    expect(detectVectorKind(json)).toBe('config-validation');
  });
  it('every case gives upstream findings, in upstream order', async () => {
    const run = await runVectorFile(json);
    const failures = run.results.filter((r) => !r.ok).map(formatResult);
    expect(failures).toEqual([]);
    expect(summarizeRun(run)).toEqual({ kind: 'config-validation', total: 85, passed: 85, failed: 0 });
  });
});

describe('resolution.json', () => {
  const json = load('resolution.json');
  it('is detected as a resolution file', () => {
    expect(detectVectorKind(json)).toBe('resolution');
  });
  it('every case gives upstream chain or build error', async () => {
    const run = await runVectorFile(json);
    const failures = run.results.filter((r) => !r.ok).map(formatResult);
    expect(failures).toEqual([]);
    expect(summarizeRun(run)).toEqual({ kind: 'resolution', total: 41, passed: 41, failed: 0 });
  });
});
