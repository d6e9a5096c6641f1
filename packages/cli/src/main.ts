/**
 * The `atrest` command: dispatch to subcommands, turn errors into exit codes.
 * @module
 */
import { decryptCommand, decryptUsage } from './commands/decrypt.js';
import { encryptCommand, encryptUsage } from './commands/encrypt.js';
import { keygenCommand, keygenUsage } from './commands/keygen.js';
import { validateCommand, validateUsage } from './commands/validate.js';
import { vectorsCommand, vectorsUsage } from './commands/vectors.js';
import { conformanceCommand, conformanceUsage } from './commands/conformance.js';
import { versionCommand } from './commands/version.js';
import { kmsPluginCommand, kmsPluginUsage } from './commands/kms-plugin.js';
import { auditCommand, auditUsage } from './commands/audit.js';
import { dumpCommand, dumpUsage } from './commands/dump.js';
import { inspectCommand, inspectUsage } from './commands/inspect.js';
import { getCommand, getUsage } from './commands/get.js';
import { reencryptCommand, reencryptUsage } from './commands/reencrypt.js';
import { rotateCommand, rotateUsage } from './commands/rotate.js';
import { closeAll } from './_cleanup.js';
import { exitCodeFor, formatError, UsageError, Exit } from './_errors.js';
import { type CliIO, processIO, stopQuietlyOnBrokenPipe } from './_io.js';

type Command = (argv: string[], io: CliIO) => Promise<number>;

const commands: Record<string, { run: Command; usage: string }> = {
  encrypt: { run: encryptCommand, usage: encryptUsage },
  decrypt: { run: decryptCommand, usage: decryptUsage },
  validate: { run: validateCommand, usage: validateUsage },
  keygen: { run: keygenCommand, usage: keygenUsage },
  vectors: { run: vectorsCommand, usage: vectorsUsage },
  conformance: { run: conformanceCommand, usage: conformanceUsage },
  audit: { run: auditCommand, usage: auditUsage },
  dump: { run: dumpCommand, usage: dumpUsage },
  inspect: { run: inspectCommand, usage: inspectUsage },
  get: { run: getCommand, usage: getUsage },
  reencrypt: { run: reencryptCommand, usage: reencryptUsage },
  rotate: { run: rotateCommand, usage: rotateUsage },
  'kms-plugin': { run: kmsPluginCommand, usage: kmsPluginUsage },
  version: { run: versionCommand, usage: 'atrest version\n  Prints versions and the active crypto backend.\n' },
};

/** Top-level help text. */
export function usage(): string {
  return (
    'atrest: Kubernetes encryption-at-rest values, byte-compatible with kube-apiserver\n\nCommands:\n' +
    Object.values(commands)
      .map((c) => c.usage)
      .join('\n')
  );
}

/**
 * Run the CLI.
 * @param argv - arguments after the program name
 * @param io - streams (the process's by default)
 * @returns the exit code
 * @example
 * ```ts
 * import { main } from '@atrest/cli';
 * process.exitCode = await main(['keygen', '--provider', 'aesgcm']);
 * ```
 */
export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  if (io === processIO) stopQuietlyOnBrokenPipe();
  const [name, ...rest] = argv;
  if (name === 'help' && rest.length === 1 && Object.hasOwn(commands, rest[0] as string)) {
    io.stdout((commands[rest[0] as string] as { usage: string }).usage);
    return Exit.Ok;
  }
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.stdout(usage());
    return name === undefined ? Exit.Usage : Exit.Ok;
  }
  if (name === '--version') return commands['version']!.run([], io);
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    io.stderr(`atrest: unknown command "${name}"; see atrest --help\n`);
    return Exit.Usage;
  }
  const own = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest; // after --: another program's arguments
  if (own.includes('--help') || own.includes('-h')) {
    io.stdout(command.usage);
    return Exit.Ok;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    io.stderr(err instanceof UsageError ? `atrest: ${err.message}; see atrest ${name} --help\n` : formatError(err));
    return exitCodeFor(err);
  } finally {
    await closeAll();
  }
}
