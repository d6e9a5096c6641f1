/**
 * Running `config-validation.json` cases: parse the case's configuration, validate it as
 * upstream does (reload = false), and compare the finding list exactly (field, type, detail,
 * order) and the `valid` flag.
 *
 * @module
 */
import { parseEncryptionConfiguration, validateEncryptionConfiguration, type FieldIssue } from '@atrest/config';
import { observeError } from './_errors.js';
import type { CaseResult, ObservedError, ValidationCase } from './types.js';

/** Expected and observed validation outcome. */
export interface ValidationOutcome {
  readonly valid: boolean;
  readonly errors: readonly FieldIssue[];
}

/** The result of one validation case (`actual` is an error when the config did not parse). */
export type ValidationResult = CaseResult<ValidationOutcome, ValidationOutcome | ObservedError>;

const sameIssues = (a: readonly FieldIssue[], b: readonly FieldIssue[]): boolean =>
  a.length === b.length &&
  a.every((x, i) => {
    const y = b[i] as FieldIssue;
    return x.field === y.field && x.type === y.type && x.detail === y.detail;
  });

/**
 * Run validation cases.
 *
 * @param cases - cases of `config-validation.json`
 * @returns one result per case, in order
 * @example
 * ```ts
 * import { runValidationCases } from '@atrest/conformance';
 * import { readFileSync } from 'node:fs';
 * const file = JSON.parse(readFileSync('test-vectors/upstream/config-validation.json', 'utf8'));
 * runValidationCases(file.cases).every((r) => r.ok);
 * ```
 */
export function runValidationCases(cases: readonly ValidationCase[]): ValidationResult[] {
  return cases.map((c) => {
    let actual: ValidationOutcome | ObservedError;
    try {
      const issues = validateEncryptionConfiguration(parseEncryptionConfiguration(c.config, { source: c.id }), { reload: false });
      actual = { valid: issues.length === 0, errors: issues.map((i) => ({ field: i.field, type: i.type, detail: i.detail })) };
    } catch (err) {
      actual = observeError(err);
    }
    return checkValidationCase(c, actual);
  });
}

/**
 * Compare one observed validation outcome with the case's: the same `valid` flag and the same
 * findings (field, type, detail) in the same order. Shared by the in-process run and the
 * protocol runner.
 *
 * @param c - a case of `config-validation.json`
 * @param actual - what the implementation gave
 * @returns the case result
 * @example
 * ```ts
 * import { checkValidationCase } from '@atrest/conformance';
 * const c = { id: 'v-1', description: '', config: '', valid: true, errors: [] };
 * checkValidationCase(c, { valid: true, errors: [] }).ok; // true
 * ```
 */
export function checkValidationCase(c: ValidationCase, actual: ValidationOutcome | ObservedError): ValidationResult {
  const expected: ValidationOutcome = { valid: c.valid, errors: c.errors };
  const ok = !('error' in actual) && actual.valid === c.valid && sameIssues(actual.errors, c.errors);
  return { id: c.id, ok, expected, actual };
}
