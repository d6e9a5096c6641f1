/**
 * `atrest version`: versions, the active crypto backend, and why the native one is not active
 * when it is not.
 * @module
 */
import { createRequire } from 'node:module';
import { backendNames, defaultBackend, nativeStatus } from '@atrest/core';
import { Exit } from '../_errors.js';
import type { CliIO } from '../_io.js';

/** Run `atrest version`. */
export async function versionCommand(_argv: string[], io: CliIO): Promise<number> {
  // By package name, not by path: the same from dist/ and from the bundle.
  const pkg = createRequire(import.meta.url)('@atrest/cli/package.json') as { version: string };
  const b = defaultBackend();
  const native = nativeStatus();
  io.stdout(
    `atrest ${pkg.version}\nnode ${process.versions.node} (openssl ${process.versions.openssl})\n` +
      `crypto backend: ${b.name} (${b.description})\n` +
      `available backends: ${backendNames().join(', ')}\n` +
      (native.available ? '' : `native backend: not available: ${native.reason ?? 'unknown'}\n`),
  );
  return Exit.Ok;
}
