/**
 * `atrest kms-plugin`: run atrest's reference KMS v2 plugin on a unix socket until SIGINT/SIGTERM.
 * @module
 */
import { parse, required } from '../_args.js';
import { Exit } from '../_errors.js';
import type { CliIO } from '../_io.js';

export const kmsPluginUsage = `atrest kms-plugin --socket PATH --kek-file FILE
  Serves the KMS v2 plugin API on the unix socket PATH (mode 0600), wrapping DEKs with AES-256-GCM
  under the key-encryption keys in FILE: one "NAME: BASE64(32 bytes)" per line, the first one
  encrypts, all decrypt (make a key with: atrest keygen). The file is re-read when it changes, so
  rotation needs no restart. Put endpoint: unix://PATH (with an absolute PATH) in the config.
  Stops on SIGINT or SIGTERM and removes the socket.
`;

/** Run `atrest kms-plugin`; resolves when a signal stops it. */
export async function kmsPluginCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parse(argv, { socket: { type: 'string' }, 'kek-file': { type: 'string' } });
  const { startReferencePlugin } = await import('@atrest/kms-grpc'); // loaded by this command only
  const plugin = await startReferencePlugin({
    socket: required(values.socket, 'socket'),
    kekFile: required(values['kek-file'], 'kek-file'),
    log: (line) => io.stderr(`atrest kms-plugin: ${line}\n`),
  });
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await plugin.close();
  return Exit.Ok;
}
