/** Test support: temp dirs, KEK files, fake servers. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Server, ServerCredentials, type UntypedServiceImplementation, type ServiceDefinition } from '@grpc/grpc-js';

export function tempDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'atrest-kms-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function kekLine(name: string, key = randomBytes(32)): string {
  return `${name}: ${key.toString('base64')}\n`;
}

export function writeKekFile(path: string, ...lines: string[]): void {
  writeFileSync(path, `# test KEKs, newest first\n${lines.join('')}`);
}

/** A hand-written server for one service definition, bound to a unix socket. */
export async function fakeServer(socket: string, def: ServiceDefinition, impl: UntypedServiceImplementation): Promise<{ close(): Promise<void> }> {
  const server = new Server();
  server.addService(def, impl);
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix:${socket}`, ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())),
  );
  return { close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())) };
}
