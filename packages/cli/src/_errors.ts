/**
 * Turning errors into exit codes and one-line messages.
 *
 * Exit codes: 0 success, 1 the operation failed (bad value, invalid config, failed vectors),
 * 2 the command line was wrong, 3 `audit --fail-on` found what it was told to fail on, 4 `audit`
 * or `dump` skipped damaged parts of a snapshot. Messages come from {@link AtrestError.describe}, which never
 * carries key material or plaintext.
 *
 * @module
 */
import { AtrestError, ErrorCode } from '@atrest/core';

/** Process exit codes. */
export const Exit = { Ok: 0, Failed: 1, Usage: 2, Damaged: 4 } as const;

/** A command-line mistake: prints usage help and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Render any error for stderr.
 * @param err - what was thrown
 * @returns one or more lines, each ending in a newline
 */
export function formatError(err: unknown): string {
  if (err instanceof AtrestError) {
    let text = `atrest: error [${err.code}]: ${err.describe()}\n`;
    const issues = (err as { issues?: unknown }).issues;
    if (Array.isArray(issues)) {
      for (const i of issues as { field: string; type: string; detail: string }[]) {
        text += `  ${i.field}: ${i.type}: ${i.detail}\n`;
      }
    }
    return text;
  }
  if (err instanceof UsageError) return `atrest: ${err.message}\n`;
  const kind = err instanceof Error ? err.name : typeof err;
  return `atrest: internal error (${kind}); please report it\n`;
}

/** Exit code for an error. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError) return Exit.Usage;
  // A file named on the command line that cannot be opened (context `errno`) is a failure, not a
  // command-line mistake: `atrest audit missing.db` exits 1.
  if (err instanceof AtrestError && err.code === ErrorCode.InvalidArgument && err.context['errno'] === undefined) return Exit.Usage;
  return Exit.Failed;
}
