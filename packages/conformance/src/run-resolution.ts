/**
 * Running `resolution.json` cases: parse the case's configuration and compare the resource's
 * read chain (entry names, in order) or the build error text with upstream's.
 *
 * @module
 */
import { parseEncryptionConfiguration, resolveChain } from '@atrest/config';
import { observeError } from './_errors.js';
import type { CaseResult, ObservedError, ResolutionCase } from './types.js';

/** A chain of entry names, or an error. */
export type ResolutionOutcome = { readonly chain: readonly string[] } | ObservedError;

/** The result of one resolution case. */
export type ResolutionResult = CaseResult<ResolutionOutcome, ResolutionOutcome>;

/**
 * Run resolution cases.
 *
 * @param cases - cases of `resolution.json`
 * @returns one result per case, in order
 * @example
 * ```ts
 * import { runResolutionCases } from '@atrest/conformance';
 * import { readFileSync } from 'node:fs';
 * const file = JSON.parse(readFileSync('test-vectors/upstream/resolution.json', 'utf8'));
 * runResolutionCases(file.cases).every((r) => r.ok);
 * ```
 */
export function runResolutionCases(cases: readonly ResolutionCase[]): ResolutionResult[] {
  return cases.map((c) => {
    let actual: ResolutionOutcome;
    try {
      actual = { chain: resolveChain(parseEncryptionConfiguration(c.config, { source: c.id }), c.resource) };
    } catch (err) {
      actual = observeError(err);
    }
    return checkResolutionCase(c, actual);
  });
}

/**
 * Compare one observed outcome with the case's expectation: the same chain (names, in order), or
 * upstream's exact build error text. Shared by the in-process run and the protocol runner.
 *
 * @param c - a case of `resolution.json`
 * @param actual - what the implementation gave
 * @returns the case result
 * @example
 * ```ts
 * import { checkResolutionCase } from '@atrest/conformance';
 * const c = { id: 'r-1', description: '', config: '', resource: 'secrets', chain: ['identity'] };
 * checkResolutionCase(c, { chain: ['identity'] }).ok; // true
 * ```
 */
export function checkResolutionCase(c: ResolutionCase, actual: ResolutionOutcome): ResolutionResult {
  const expected: ResolutionOutcome = c.error !== undefined ? { error: c.error } : { chain: c.chain ?? [] };
  const ok =
    'error' in expected
      ? 'error' in actual && actual.error === expected.error
      : 'chain' in actual && actual.chain.length === expected.chain.length && actual.chain.every((n, i) => n === expected.chain[i]);
  return { id: c.id, ok, expected, actual };
}
