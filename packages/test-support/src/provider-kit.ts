/**
 * The provider packages' test kit (`@atrest/test-support/provider-kit`): the etcd-key context,
 * a chain's no-match error, capturing an AtrestError, patterned plaintexts, the replay of
 * upstream's single-key vector cases, and those cases themselves. A subpath of its own because it
 * imports vitest, which the main entry's users (benchmarks, etcd starters) do not load.
 * @module
 */
export {
  atrestErrorOf,
  CTX,
  crossBackendRoundTrip,
  damaged,
  describeKnownAnswers,
  describeOnEveryBackend,
  expectKeyChecks,
  expectKeyHidden,
  expectNoKeyIn,
  expectProviderEntry,
  hex,
  noMatch,
  patterned,
  roundTrip,
  SIZES,
} from './provider-test-kit.js';
export { allValueCases, fromB64, protoBytesFields, singleKeyCases, singleProviderOf, type SingleKeyCase, type SingleProvider, type ValueCase } from './single-key-cases.js';
export { describeHotLoop, type HotLoopMake } from './hot-loop-kit.js';
