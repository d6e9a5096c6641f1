/**
 * `atrest keygen`: a fresh random key, base64, ready for an EncryptionConfiguration.
 * @module
 */
import { defaultBackend, wipe } from '@atrest/core';
import { parse } from '../_args.js';
import { Exit, UsageError } from '../_errors.js';
import type { CliIO } from '../_io.js';

export const keygenUsage = `atrest keygen [--provider aescbc|aesgcm|secretbox] [--size 16|24|32]
  Prints a new base64 key from the operating system's CSPRNG. Defaults: aesgcm, 32 bytes.
  secretbox keys are always 32 bytes.
`;

/** Run `atrest keygen`. */
export async function keygenCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parse(argv, { provider: { type: 'string', default: 'aesgcm' }, size: { type: 'string' } });
  const provider = values.provider;
  if (provider !== 'aescbc' && provider !== 'aesgcm' && provider !== 'secretbox') {
    throw new UsageError(`--provider must be aescbc, aesgcm or secretbox, got "${provider}"`);
  }
  const size = values.size === undefined ? 32 : Number(values.size);
  if (provider === 'secretbox' ? size !== 32 : size !== 16 && size !== 24 && size !== 32) {
    throw new UsageError(
      provider === 'secretbox' ? 'secretbox keys are 32 bytes' : `--size must be 16, 24 or 32, got "${values.size}"`,
    );
  }
  const key = defaultBackend().randomBytes(size);
  io.stdout(`${Buffer.from(key).toString('base64')}\n`);
  wipe(key);
  return Exit.Ok;
}
