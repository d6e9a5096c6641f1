/**
 * Things a command opened that must be closed before the process can exit (gRPC channels to KMS
 * plugins keep Node's event loop alive). `main` runs them after every command.
 * @module
 */

const pending: (() => void | Promise<void>)[] = [];

/** Register something to close when the command ends. */
export function closeAtEnd(fn: () => void | Promise<void>): void {
  pending.push(fn);
}

/** Close everything registered, newest first; failures to close are ignored. */
export async function closeAll(): Promise<void> {
  for (const fn of pending.splice(0).reverse()) {
    try {
      await fn();
    } catch {
      // closing is best effort
    }
  }
}
