/** Test helper: `atrest kms-plugin` as its own process on a unix socket, started and stopped by PID. */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

const bin = join(import.meta.dirname, '..', 'bin', 'atrest.js');

/** Start the reference plugin; resolves once it listens. */
export async function startKmsPlugin(socket: string, kekFile: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [bin, 'kms-plugin', '--socket', socket, '--kek-file', kekFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`plugin did not start: ${log}`)), 20_000);
    child.stderr?.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`plugin exited with ${code}: ${log}`));
    });
  });
  return child;
}

/** Stop it (SIGTERM) and wait for it to exit. */
export async function stopKmsPlugin(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** One line of the plugin's KEK file: `NAME: BASE64(32 random bytes)`. */
export function kek(name: string): string {
  return `${name}: ${randomBytes(32).toString('base64')}\n`;
}
