/**
 * Human-readable case results.
 *
 * Plaintexts are summarised as a length and a short SHA-256 prefix, never printed; keys and
 * configurations are never printed at all (vector configs hold secrets).
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { CaseResult } from './types.js';

function summarizePlaintext(b64: string): string {
  const bytes = Buffer.from(b64, 'base64');
  const digest = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
  return `plaintext ${bytes.length} bytes (sha256 ${digest}...)`;
}

/**
 * Describe an expected or actual outcome in one line.
 * @param outcome - any outcome object of a {@link CaseResult}
  * @example
 * ```ts
 * import { describeOutcome } from '@atrest/conformance';
 * describeOutcome({ error: 'no matching prefix found' }); // 'error "no matching prefix found"'
 * ```
 */
export function describeOutcome(outcome: unknown): string {
  if (typeof outcome !== 'object' || outcome === null) return String(outcome);
  const o = outcome as Record<string, unknown>;
  if (typeof o.error === 'string') {
    return `error ${JSON.stringify(o.error)}${typeof o.code === 'string' ? ` (${o.code})` : ''}`;
  }
  if (typeof o.plaintext === 'string') return `${summarizePlaintext(o.plaintext)}, stale ${String(o.stale)}`;
  if (Array.isArray(o.chain)) return `chain [${o.chain.join(', ')}]`;
  if (typeof o.valid === 'boolean' && Array.isArray(o.errors)) {
    if (o.errors.length === 0) return 'valid';
    const lines = (o.errors as { field: string; type: string; detail: string }[]).map(
      (e) => `\n      ${e.field} (${e.type}): ${e.detail}`,
    );
    return `${o.valid ? 'valid' : 'invalid'}, ${o.errors.length} finding(s):${lines.join('')}`;
  }
  return '(unrecognised outcome)';
}

/**
 * Render one result for people: a pass line, or the id with expected and actual outcomes.
 *
 * @param result - a case result
 * @returns one line for a pass, three or more for a failure
 * @example
 * ```ts
 * import { formatResult } from '@atrest/conformance';
 * formatResult({ id: 'r-only-secrets-secrets', ok: false, expected: { chain: ['aesgcm:s'] }, actual: { chain: ['identity'] } });
 * // 'FAIL r-only-secrets-secrets\n  expected: chain [aesgcm:s]\n  actual:   chain [identity]'
 * ```
 */
export function formatResult(result: CaseResult): string {
  if (result.ok) return `ok   ${result.id}`;
  const a = result.actual as { error?: unknown; counterexample?: unknown; replay?: unknown } | null;
  if (typeof a === 'object' && a !== null && typeof a.replay === 'string') {
    // A property failure: why, the shrunk counterexample, and how to replay it.
    return `FAIL ${result.id}\n  failed:   ${String(a.error)}\n  counterexample: ${String(a.counterexample)}\n  replay:   ${a.replay}`;
  }
  return `FAIL ${result.id}\n  expected: ${describeOutcome(result.expected)}\n  actual:   ${describeOutcome(result.actual)}`;
}
