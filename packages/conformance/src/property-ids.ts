/**
 * The ids of the `properties` suite's cases, in report order (kept apart from the suite so that
 * importing `@atrest/conformance` does not load fast-check).
 *
 * @module
 */

/** The properties suite's case ids. */
export const PROPERTY_IDS: readonly string[] = [
  'decrypt-roundtrip',
  'encrypt-roundtrip',
  'encrypt-twice-differs',
  'stale-after-rotation',
  'etcd-key-bound',
  'tamper-aesgcm',
  'tamper-secretbox',
  'tamper-kmsv2',
  'tamper-aescbc',
].map((n) => `properties:${n}`);
