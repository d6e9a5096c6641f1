/**
 * The CLI's connection to the outside world, injectable so commands can be tested in process.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { AtrestError, ErrorCode } from '@atrest/core';

/** Streams and environment a command runs with. */
export interface CliIO {
  /** Reads all of standard input. */
  readStdin(): Promise<Uint8Array>;
  /** Writes bytes or text to standard output. */
  stdout(data: Uint8Array | string): void;
  /** Writes text to standard error. */
  stderr(text: string): void;
  /** True when standard error is a terminal (progress bars). */
  readonly stderrIsTTY: boolean;
}

/** The real process streams. */
export const processIO: CliIO = {
  async readStdin() {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
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
};

/**
 * Read a whole file, turning I/O failures into a typed error that names the file and what it was for.
 * @param path - file to read
 * @param what - what the file is (`config`, `input`), for the message
 */
export async function readInput(path: string, what: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    throw new AtrestError(ErrorCode.InvalidArgument, `cannot read ${what} file "${path}": ${code}`, { file: path });
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
