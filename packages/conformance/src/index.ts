/**
 * `@atrest/conformance`: runs the upstream Kubernetes vectors (`test-vectors/upstream/`) against
 * atrest and reports, case by case, what upstream returned and what atrest returned.
 *
 * @example
 * ```ts
 * import { runVectorFile, summarizeRun, formatResult } from '@atrest/conformance';
 * import { readFileSync } from 'node:fs';
 * const run = await runVectorFile(JSON.parse(readFileSync('test-vectors/upstream/resolution.json', 'utf8')));
 * console.log(summarizeRun(run));
 * for (const r of run.results) if (!r.ok) console.log(formatResult(r));
 * ```
 * @module
 */
export * from './types.js';
export { detectVectorKind, caseKind } from './detect.js';
export {
  runValuesCases,
  checkValuesCase,
  transformerForCase,
  type TransformerSite,
  observeValuesCase,
  valuesMatch,
  vectorKmsFactory,
  type ValuesRunOptions,
  type ValuesObservation,
  type ValuesResult,
} from './run-values.js';
export { runValidationCases, checkValidationCase, type ValidationOutcome, type ValidationResult } from './run-validation.js';
export { runResolutionCases, checkResolutionCase, type ResolutionOutcome, type ResolutionResult } from './run-resolution.js';
export { runVectorFile, summarizeRun, type RunOptions } from './verify.js';
export { formatResult, describeOutcome } from './format.js';
export * from './protocol.js';
export { answerLine, serveConformance } from './serve.js';
export { PROPERTY_IDS, type PropertiesOptions } from './properties.js';
export {
  runConformance,
  formatConformanceReport,
  conformanceExitCode,
  requiredProviders,
  type ConformanceOptions,
  type ConformanceReport,
  type ConformanceCaseResult,
  type ConformanceSuite,
} from './runner.js';
