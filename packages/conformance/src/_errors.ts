/**
 * Turning anything thrown into the `{ error, code }` a run reports (internal).
 * @module
 */
import { AtrestError } from '@atrest/core';
import type { ObservedError } from './types.js';

/**
 * @param err - anything thrown
 * @returns atrest's message and code; for foreign errors only their kind (their text might echo
 *   input)
 */
export function observeError(err: unknown): ObservedError {
  if (err instanceof AtrestError) return { error: err.message, code: err.code };
  const kind = err instanceof Error ? err.name : typeof err;
  return { error: `internal error (${kind})`, code: 'ERR_INTERNAL' };
}
