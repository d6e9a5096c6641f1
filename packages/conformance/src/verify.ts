/**
 * Checking atrest against a whole vector file, whichever kind it is.
 * @module
 */
import { detectVectorKind } from './detect.js';
import { runResolutionCases } from './run-resolution.js';
import { runValidationCases } from './run-validation.js';
import { runValuesCases, type ValuesRunOptions } from './run-values.js';
import type { ResolutionCase, ValidationCase, ValuesCase, VectorRun } from './types.js';

/** Options of {@link runVectorFile}; only values files use them. */
export type RunOptions = ValuesRunOptions;

/**
 * Detect a vector file's kind and run every case.
 *
 * @param json - the parsed vector file
 * @param options - crypto backend and kms wiring (values files)
 * @returns the kind and one result per case, in file order
 * @throws AtrestError ERR_INVALID_DATA when `json` is not a vector file
 * @example
 * ```ts
 * import { runVectorFile, formatResult } from '@atrest/conformance';
 * import { nobleBackend } from '@atrest/core';
 * import { readFileSync } from 'node:fs';
 * const json = JSON.parse(readFileSync('test-vectors/upstream/values.json', 'utf8'));
 * const run = await runVectorFile(json, { backend: nobleBackend });
 * for (const r of run.results) if (!r.ok) console.log(formatResult(r));
 * ```
 */
export async function runVectorFile(json: unknown, options: RunOptions = {}): Promise<VectorRun> {
  const kind = detectVectorKind(json);
  const cases = (json as { cases: unknown[] }).cases;
  switch (kind) {
    case 'values':
      return { kind, results: await runValuesCases(cases as ValuesCase[], options) };
    case 'config-validation':
      return { kind, results: runValidationCases(cases as ValidationCase[]) };
    case 'resolution':
      return { kind, results: runResolutionCases(cases as ResolutionCase[]) };
  }
}

/**
 * Count passes and failures.
 * @param run - a run
 * @returns totals
 * @example
 * ```ts
 * import { summarizeRun } from '@atrest/conformance';
 * declare const run: import('@atrest/conformance').VectorRun;
 * summarizeRun(run); // { kind: 'values', total: 322, passed: 224, failed: 98 }
 * ```
 */
export function summarizeRun(run: VectorRun): { kind: VectorRun['kind']; total: number; passed: number; failed: number } {
  const passed = run.results.filter((r) => r.ok).length;
  return { kind: run.kind, total: run.results.length, passed, failed: run.results.length - passed };
}
