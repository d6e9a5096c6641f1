/**
 * Telling the three vector files apart by the shape of their cases.
 * @module
 */
import { AtrestError, ErrorCode } from '@atrest/core';
import type { VectorKind } from './types.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Classify one case by its fields.
 * @param c - a case object
 * @returns its kind, or undefined when it matches none
  * @example
 * ```ts
 * import { caseKind } from '@atrest/conformance';
 * caseKind({ id: 'v-1', config: '', valid: true, errors: [] }); // 'config-validation'
 * ```
 */
export function caseKind(c: unknown): VectorKind | undefined {
  if (!isObject(c) || typeof c.id !== 'string' || typeof c.config !== 'string') return undefined;
  if (typeof c.stored === 'string' && typeof c.key === 'string' && isObject(c.expect)) return 'values';
  if (typeof c.valid === 'boolean' && Array.isArray(c.errors)) return 'config-validation';
  if (typeof c.resource === 'string' && (Array.isArray(c.chain) || typeof c.error === 'string')) return 'resolution';
  return undefined;
}

/**
 * Which kind of vector file `json` is: `values`, `config-validation` or `resolution`.
 *
 * @param json - a parsed vector file (`JSON.parse` of its text)
 * @returns the kind
 * @throws AtrestError ERR_INVALID_DATA when it is not a vector file, has no cases, or mixes kinds
 * @example
 * ```ts
 * import { detectVectorKind } from '@atrest/conformance';
 * import { readFileSync } from 'node:fs';
 * detectVectorKind(JSON.parse(readFileSync('test-vectors/upstream/resolution.json', 'utf8'))); // 'resolution'
 * ```
 */
export function detectVectorKind(json: unknown): VectorKind {
  if (!isObject(json) || !Array.isArray(json.cases)) {
    throw new AtrestError(ErrorCode.InvalidData, 'not a vector file: expected an object with a "cases" array');
  }
  if (json.cases.length === 0) throw new AtrestError(ErrorCode.InvalidData, 'the vector file has no cases');
  let kind: VectorKind | undefined;
  json.cases.forEach((c: unknown, i: number) => {
    const k = caseKind(c);
    if (k === undefined) {
      throw new AtrestError(
        ErrorCode.InvalidData,
        `case ${i} is not a values, config-validation or resolution case (fields missing or of the wrong type)`,
        { case: i },
      );
    }
    if (kind !== undefined && k !== kind) {
      throw new AtrestError(ErrorCode.InvalidData, `case ${i} is a ${k} case in a ${kind} file`, { case: i });
    }
    kind = k;
  });
  return kind as VectorKind;
}
