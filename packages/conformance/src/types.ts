/**
 * The schemas of the upstream vector files (`test-vectors/upstream/*.json`) and of run results.
 *
 * The files are produced by real upstream Go code; see `test-vectors/upstream/README.md` for
 * what each field means. All binary data is standard base64.
 *
 * @module
 */
import type { FieldIssue } from '@atrest/config';

/** The three kinds of vector file. */
export type VectorKind = 'values' | 'config-validation' | 'resolution';

/** A kms plugin a values case needs: upstream's Base64 mock, under a name and API version. */
export interface VectorKmsEntry {
  readonly name: string;
  readonly apiVersion: 'v1' | 'v2';
  readonly mock: 'base64';
  /** v2 only: the key ID the plugin reports now. */
  readonly keyID?: string;
}

/** What reading a stored value gave upstream: plaintext and staleness, or an error text. */
export type ValuesExpectation =
  | { readonly plaintext: string; readonly stale: boolean }
  | { readonly error: string };

/** One case of `values.json`. */
export interface ValuesCase {
  readonly id: string;
  readonly description: string;
  /** The reading configuration (YAML). */
  readonly config: string;
  /** Group-resource as configs write it: `secrets`, `deployments.apps`. */
  readonly resource: string;
  /** The etcd key: the authenticated data of the read. */
  readonly key: string;
  /** Base64 of the stored value, prefix included. */
  readonly stored: string;
  /** Present exactly when the config has a kms provider. */
  readonly kms?: readonly VectorKmsEntry[];
  readonly expect: ValuesExpectation;
}

/** One case of `config-validation.json`. */
export interface ValidationCase {
  readonly id: string;
  readonly description: string;
  readonly config: string;
  readonly valid: boolean;
  readonly errors: readonly FieldIssue[];
}

/** One case of `resolution.json`: a chain of entry names, or the build error text. */
export interface ResolutionCase {
  readonly id: string;
  readonly description: string;
  readonly config: string;
  readonly resource: string;
  readonly chain?: readonly string[];
  readonly error?: string;
}

/** A vector file: where it came from and its cases. */
export interface VectorFile<C> {
  readonly source: string;
  readonly cases: readonly C[];
}

/** An error as a run reports it: upstream's text, and atrest's code when atrest produced it. */
export interface ObservedError {
  readonly error: string;
  readonly code?: string;
}

/** The outcome of one case. `expected` and `actual` have the same shape when `ok`. */
export interface CaseResult<E = unknown, A = unknown> {
  readonly id: string;
  readonly ok: boolean;
  readonly expected: E;
  readonly actual: A;
}

/** The outcome of a whole file. */
export interface VectorRun {
  readonly kind: VectorKind;
  readonly results: readonly CaseResult[];
}
