/**
 * `atrest kms-plugin` (the reference KMS v2 plugin) as its own process on a unix socket, started
 * and stopped by PID; the caller names the CLI's bin (test-support does not depend on the CLI).
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** Start the reference plugin with the CLI at `bin`; resolves once it listens. */
export async function startKmsPlugin(bin: string, socket: string, kekFile: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [bin, 'kms-plugin', '--socket', socket, '--kek-file', kekFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`kms plugin did not start: ${log}`)), 20_000);
    child.stderr?.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kms plugin exited with ${code}: ${log}`));
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
