/**
 * Running `values.json` cases: load the case's configuration, read the stored value for the
 * case's resource under the case's etcd key, and compare plaintext and staleness (or the exact
 * error text) with what upstream returned.
 *
 * @module
 */
import { type CryptoBackend, type Transformer, utf8 } from '@atrest/core';
import { loadEncryptionConfiguration, type KmsFactory } from '@atrest/config';
import { mockKmsFactory } from '@atrest/kms';
import { fromBase64, toBase64 } from './_b64.js';
import { observeError } from './_errors.js';
import type { CaseResult, ObservedError, ValuesCase, ValuesExpectation, VectorKmsEntry } from './types.js';

/** Options for running values cases. */
export interface ValuesRunOptions {
  /** Crypto backend for every provider (default: core's default backend). */
  readonly backend?: CryptoBackend;
  /**
   * Supplies the KMS factory for a case's plugins. Default: {@link vectorKmsFactory}, the plugins the
   * case's `kms` field describes (upstream's Base64 mock). When it returns undefined, kms cases
   * fail with `ERR_PROVIDER_UNAVAILABLE`.
   */
  readonly kms?: (caseKms: readonly VectorKmsEntry[]) => KmsFactory | undefined;
}

/**
 * The kms plugins a vector case's `kms` field describes: upstream's Base64 mock per provider, v2
 * mocks reporting the case's current keyID.
 *
 * @param caseKms - the case's `kms` field
 * @returns a KmsFactory for `loadEncryptionConfiguration`
 * @example
 * ```ts
 * import { vectorKmsFactory } from '@atrest/conformance';
 * const kms = vectorKmsFactory([{ name: 'kms2', apiVersion: 'v2', mock: 'base64', keyID: '1' }]);
 * ```
 */
export function vectorKmsFactory(caseKms: readonly VectorKmsEntry[]): KmsFactory {
  return mockKmsFactory(caseKms);
}

/** What reading gave: plaintext (base64) and staleness, or an error. */
export type ValuesObservation = { readonly plaintext: string; readonly stale: boolean } | ObservedError;

/** The result of one values case. */
export type ValuesResult = CaseResult<ValuesExpectation, ValuesObservation>;

/** What {@link transformerForCase} needs of a case: its config, resource and kms plugins. */
export type TransformerSite = Pick<ValuesCase, 'config' | 'resource' | 'kms'> & { readonly id?: string };

/**
 * Load a case's configuration with atrest and pick the transformer of its resource (kms through
 * the Base64 mock plugins of the case's `kms` field, or `options.kms`).
 *
 * @param c - the case (or any config, resource and kms list)
 * @param options - backend and kms wiring
 * @returns the resource's transformer
 * @throws AtrestError when the configuration does not load
 * @example
 * ```ts
 * import { transformerForCase } from '@atrest/conformance';
 * const config = 'apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources: []\n';
 * const t = transformerForCase({ config, resource: 'secrets' });
 * ```
 */
export function transformerForCase(c: TransformerSite, options: ValuesRunOptions = {}): Transformer {
  const kms = c.kms === undefined ? undefined : (options.kms ?? vectorKmsFactory)(c.kms);
  const loaded = loadEncryptionConfiguration(c.config, {
    ...(c.id === undefined ? {} : { source: c.id }),
    ...(options.backend === undefined ? {} : { backend: options.backend }),
    ...(kms === undefined ? {} : { kms }),
  });
  return loaded.transformerForResource(c.resource);
}

/**
 * Read one case's stored value with atrest.
 *
 * @param c - the case
 * @param options - backend and kms wiring
 * @returns what atrest observed (never throws: failures become `{ error, code }`)
  * @example
 * ```ts
 * import { observeValuesCase, type ValuesCase } from '@atrest/conformance';
 * declare const c: ValuesCase;
 * const seen = await observeValuesCase(c); // { plaintext, stale } or { error, code }
 * ```
 */
export async function observeValuesCase(c: ValuesCase, options: ValuesRunOptions = {}): Promise<ValuesObservation> {
  try {
    const r = await transformerForCase(c, options).read(fromBase64(c.stored), utf8(c.key));
    return { plaintext: toBase64(r.plaintext), stale: r.stale };
  } catch (err) {
    return observeError(err);
  }
}

/**
 * Whether an observation matches upstream's expectation: same plaintext bytes and staleness, or
 * the same error text.
 * @param expected - the case's `expect`
 * @param actual - what atrest observed
  * @example
 * ```ts
 * import { valuesMatch } from '@atrest/conformance';
 * valuesMatch({ plaintext: 'aGk=', stale: false }, { plaintext: 'aGk=', stale: false }); // true
 * ```
 */
export function valuesMatch(expected: ValuesExpectation, actual: ValuesObservation): boolean {
  if ('error' in expected) return 'error' in actual && actual.error === expected.error;
  if ('error' in actual) return false;
  // Compare bytes, not base64 texts, so any valid encoding of the same bytes matches.
  const a = fromBase64(actual.plaintext);
  const e = fromBase64(expected.plaintext);
  return a.length === e.length && a.every((v, i) => v === e[i]) && actual.stale === expected.stale;
}

/**
 * Run values cases.
 *
 * @param cases - cases of `values.json`
 * @param options - backend and kms wiring
 * @returns one result per case, in order
 * @example
 * ```ts
 * import { runValuesCases } from '@atrest/conformance';
 * import { readFileSync } from 'node:fs';
 * const file = JSON.parse(readFileSync('test-vectors/upstream/values.json', 'utf8'));
 * const results = await runValuesCases(file.cases);
 * results.filter((r) => !r.ok).length;
 * ```
 */
export async function runValuesCases(cases: readonly ValuesCase[], options: ValuesRunOptions = {}): Promise<ValuesResult[]> {
  const results: ValuesResult[] = [];
  for (const c of cases) {
    results.push(checkValuesCase(c, await observeValuesCase(c, options)));
  }
  return results;
}

/**
 * Compare one observation with the case's `expect` ({@link valuesMatch}). Shared by the
 * in-process run and the protocol runner.
 *
 * @param c - a case of `values.json`
 * @param actual - what the implementation read
 * @returns the case result
 * @example
 * ```ts
 * import { checkValuesCase, type ValuesCase } from '@atrest/conformance';
 * declare const c: ValuesCase;
 * checkValuesCase(c, { plaintext: 'aGk=', stale: false }).ok;
 * ```
 */
export function checkValuesCase(c: ValuesCase, actual: ValuesObservation): ValuesResult {
  return { id: c.id, ok: valuesMatch(c.expect, actual), expected: c.expect, actual };
}
