/**
 * The CLI's connection to the outside world, injectable so commands can be tested in process.
 * @module
 */
import { open } from 'node:fs/promises';
import { UsageError } from './_errors.js';
import { AtrestError, ErrorCode } from '@atrest/core';

/** Streams and environment a command runs with. */
export interface CliIO {
  /** Reads all of standard input, refusing more than `maxBytes` (see {@link readCapped}). */
  readStdin(maxBytes: number, flag: string): Promise<Uint8Array>;
  /** Writes bytes or text to standard output. */
  stdout(data: Uint8Array | string): void;
  /** Writes text to standard error. */
  stderr(text: string): void;
  /** True when standard error is a terminal (progress bars). */
  readonly stderrIsTTY: boolean;
  /** The environment (`ETCDCTL_*`); the process's when absent. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Ask for a secret on the terminal without echoing it (etcdctl's `--user name` prompt), or
   * undefined when there is no terminal to ask on.
   */
  readonly promptSecret?: (prompt: string) => Promise<string | undefined>;
}

/** Where an audit's key state spills (`AuditOptions.tmpDir`): `TMPDIR` from the command's environment, if set. */
export function auditTmpDir(io: CliIO): { readonly tmpDir?: string } {
  const dir = (io.env ?? process.env)['TMPDIR'];
  return dir === undefined || dir === '' ? {} : { tmpDir: dir };
}

/** The real process streams. */
export const processIO: CliIO = {
  async readStdin(maxBytes, flag) {
    if (process.stdin.isTTY) process.stderr.write('atrest: reading standard input (end it with Ctrl-D)\n');
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of process.stdin) {
      total += (chunk as Buffer).length;
      if (total > maxBytes) throw tooLarge('standard input', maxBytes, flag);
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  },
  stdout(data) {
    process.stdout.write(data);
  },
  stderr(text) {
    process.stderr.write(text);
  },
  get stderrIsTTY() {
    return process.stderr.isTTY === true;
  },
  get env() {
    return process.env;
  },
  promptSecret: promptOnTerminal,
};

/** Read one line from the terminal with echo off; undefined when standard input is not a terminal. */
async function promptOnTerminal(prompt: string): Promise<string | undefined> {
  const stdin = process.stdin;
  if (stdin.isTTY !== true) return undefined;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  try {
    return await new Promise<string>((resolve, reject) => {
      let text = '';
      const onData = (chunk: Buffer): void => {
        for (const ch of chunk.toString('utf8')) {
          if (ch === '\r' || ch === '\n' || ch === '\u0004') {
            stdin.off('data', onData);
            resolve(text);
            return;
          }
          if (ch === '\u0003') {
            stdin.off('data', onData);
            reject(new UsageError('password prompt interrupted'));
            return;
          }
          if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
          else text += ch;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write('\n');
  }
}

/**
 * Input caps. Values and configuration files are read whole, so an unbounded input (`--in
 * /dev/zero`) would grow until memory runs out. etcd refuses requests over 1.5 MiB by default
 * (`--max-request-bytes`), so 16 MiB leaves ample headroom for one stored value; an
 * EncryptionConfiguration of 4 MiB would hold tens of thousands of rules. Both are flags.
 * Snapshots are streamed and have no cap.
 */
export const DEFAULT_MAX_VALUE_BYTES = 16 * 1024 * 1024;
/** See {@link DEFAULT_MAX_VALUE_BYTES}. */
export const DEFAULT_MAX_CONFIG_BYTES = 4 * 1024 * 1024;

function tooLarge(what: string, maxBytes: number, flag: string | undefined): AtrestError {
  const hint = flag === undefined ? '' : `; raise ${flag} if it really is that large`;
  return new AtrestError(ErrorCode.InvalidData, `${what} is larger than ${maxBytes} bytes${hint}`, { limit: maxBytes, ...(flag === undefined ? {} : { flag }) });
}

/**
 * Parse a byte-limit flag (a positive whole number of bytes).
 * @param value - the flag's text, or undefined for the default
 * @param flag - the flag's name, for the message
 * @param fallback - the default
 */
export function byteLimit(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(n) || n === 0) throw new UsageError(`${flag} takes a positive number of bytes, got "${value}"`);
  return n;
}

/**
 * Read a whole file, at most `maxBytes` of it, turning I/O failures into a typed error that names
 * the file and what it was for.
 * @param path - file to read
 * @param what - what the file is (`config`, `input`), for the message
 * @param maxBytes - the cap; a longer file is an error (read no further than one byte past it)
 * @param flag - the flag that sets the cap, named in the error
 */
export async function readInput(path: string, what: string, maxBytes: number, flag?: string): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    throw new AtrestError(ErrorCode.InvalidArgument, `cannot read ${what} file "${path}": ${code}`, { file: path, errno: code });
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, maxBytes + 1 - total));
      let n: number;
      try {
        ({ bytesRead: n } = await handle.read(chunk, 0, chunk.length, null));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
        throw new AtrestError(ErrorCode.InvalidArgument, `cannot read ${what} file "${path}": ${code}`, { file: path, errno: code });
      }
      if (n === 0) break;
      total += n;
      if (total > maxBytes) throw tooLarge(`${what} file "${path}"`, maxBytes, flag);
      chunks.push(chunk.subarray(0, n));
    }
    return Buffer.concat(chunks, total);
  } finally {
    await handle.close();
  }
}

/** The exit status of a program stopped by SIGPIPE, as a shell reports `cat` after `| head`: 128 + 13. */
export const BROKEN_PIPE_EXIT = 141;

/**
 * Stop quietly when the reader of standard output goes away (`atrest dump … | head -1`), as `cat`
 * does: no `write EPIPE` stack trace, no further work, exit status 141. Other output errors are
 * reported in one line.
 */
let stopping = false;
export function stopQuietlyOnBrokenPipe(): void {
  if (stopping) return;
  stopping = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(BROKEN_PIPE_EXIT);
    process.stderr.write(`atrest: cannot write to standard output: ${err.code ?? 'error'}\n`);
    process.exit(1);
  });
}
