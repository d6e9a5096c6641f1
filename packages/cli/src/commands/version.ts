/**
 * `atrest version`: versions and the active crypto backend.
 * @module
 */
import { createRequire } from 'node:module';
import { defaultBackend } from '@atrest/core';
import { Exit } from '../_errors.js';
import type { CliIO } from '../_io.js';

/** Run `atrest version`. */
export async function versionCommand(_argv: string[], io: CliIO): Promise<number> {
  const require = createRequire(import.meta.url);
  const pkg = require('../../package.json') as { version: string };
  const b = defaultBackend();
  io.stdout(
    `atrest ${pkg.version}\nnode ${process.versions.node} (openssl ${process.versions.openssl})\n` +
      `crypto backend: ${b.name} (secretbox: ${b.secretbox ? b.name : 'noble'})\n`,
  );
  return Exit.Ok;
}
