/**
 * Turning what a KMS plugin throws into an {@link AtrestError} that is safe to show.
 *
 * A plugin is foreign code: its error text might echo its input, and the input of `encrypt` is a
 * plaintext DEK. So only errors that are already `AtrestError`s (our gRPC client, the mocks)
 * keep their message; anything else becomes a fixed message naming the operation, with the thrown
 * value's kind (not its text) in `context`.
 *
 * @module
 */
import { AtrestError, ErrorCode } from '@atrest/core';

/**
 * @param err - whatever the plugin threw or rejected with
 * @param op - the plugin method that failed
 * @param provider - provider name for the context
 * @returns an error whose message is the plugin's own only when the plugin is trusted to make it
 */
export function pluginError(err: unknown, op: 'encrypt' | 'decrypt' | 'status', provider: string): AtrestError {
  if (err instanceof AtrestError) return err;
  const kind = err instanceof Error ? err.name : typeof err;
  return new AtrestError(ErrorCode.KmsPlugin, `kms plugin ${op} call failed`, { provider, op, thrown: kind });
}

/**
 * An error for a plugin answer of the wrong shape (not bytes, missing fields).
 * @param op - the plugin method
 * @param provider - provider name
 * @param what - which part of the answer is wrong
 */
export function pluginAnswerError(op: 'encrypt' | 'decrypt' | 'status', provider: string, what: string): AtrestError {
  return new AtrestError(ErrorCode.KmsInvalid, `kms plugin returned an invalid ${op} response: ${what}`, {
    provider,
    op,
  });
}

/** True for a `Uint8Array` (Buffers included). */
export function isBytes(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array;
}
