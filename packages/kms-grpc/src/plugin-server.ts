/**
 * The reference KMS v2 plugin: a gRPC server on a unix socket that wraps DEKs and seeds with
 * AES-256-GCM under local key-encryption keys (see {@link parseKekFile} for the file).
 *
 * It is what a developer or a test cluster can run today, and what atrest's tests use as a real
 * peer. It is not an HSM: the KEKs sit in a file, so protect that file like the keys themselves.
 *
 * Wrapped form: `nonce(12) ‖ ciphertext ‖ tag(16)`, additional data = the KEK's key ID, so a
 * wrapped DEK cannot be unwrapped under another KEK. Decrypt picks the KEK by the request's
 * `key_id`. The file is re-read whenever its size, inode or modification time changes (checked
 * on each call), so a rotated file is picked up without a restart; an invalid new file keeps the
 * previous keys and turns `healthz` into an error until fixed. The socket is created with mode
 * 0600. Logs never contain key material.
 *
 * @module
 */
import { connect } from 'node:net';
import { chmodSync, linkSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type sendUnaryData, Server, ServerCredentials, type ServerUnaryCall, status as grpcStatus } from '@grpc/grpc-js';
import { AtrestError, ErrorCode, nodeBackend, toAtrestError, utf8 } from '@atrest/core';
import { kmsServiceV2, type Message } from './_proto.js';
import { type Kek, parseKekFile } from './kek-file.js';

/** Options of {@link startReferencePlugin}. */
export interface ReferencePluginOptions {
  /**
   * Socket file path. (Linux abstract sockets, `@name`, can be dialled by the client but not
   * served: grpc-js has no server support for them.)
   */
  readonly socket: string;
  /** The KEK file. */
  readonly kekFile: string;
  /** Receives one line per event (start, reload, errors); never key material. */
  readonly log?: (line: string) => void;
}

/** A running reference plugin. */
export interface ReferencePlugin {
  /** The endpoint to put in an EncryptionConfiguration: `unix:///path`. */
  readonly endpoint: string;
  /** The key ID of the active KEK. */
  keyID(): string;
  /** Stop serving and remove the socket file. */
  close(): Promise<void>;
}

class KekStore {
  #keks: Kek[];
  #stamp: string;
  #problem: string | undefined;

  constructor(readonly file: string, readonly log: (l: string) => void) {
    this.#stamp = this.#currentStamp();
    this.#keks = parseKekFile(readFileSync(file, 'utf8'), file);
  }

  #currentStamp(): string {
    const s = statSync(this.file);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  }

  /** Re-read the file when it changed; keep the old keys if the new file is bad. */
  refresh(): void {
    let stamp: string;
    try {
      stamp = this.#currentStamp();
    } catch {
      this.#problem = 'KEK file is missing';
      return;
    }
    if (stamp === this.#stamp) return;
    this.#stamp = stamp;
    try {
      this.#keks = parseKekFile(readFileSync(this.file, 'utf8'), this.file);
      this.#problem = undefined;
      this.log(`kek file reloaded: active key_id ${this.active.keyID}, ${this.#keks.length} key(s)`);
    } catch (err) {
      this.#problem = `KEK file invalid: ${toAtrestError(err).describe()}`;
      this.log(this.#problem);
    }
  }

  get problem(): string | undefined {
    return this.#problem;
  }
  get active(): Kek {
    return this.#keks[0] as Kek;
  }
  byKeyID(keyID: string): Kek | undefined {
    return this.#keks.find((k) => k.keyID === keyID);
  }
}

function fail(callback: sendUnaryData<Message>, code: grpcStatus, details: string): void {
  callback({ code, details, name: 'Error', message: details }, null);
}

/**
 * Remove a socket file left behind by a plugin that died, and nothing else: a path that holds a
 * regular file (the KEK file, say), a directory or a link is an error naming it, and a socket that
 * still answers belongs to a running plugin.
 */
async function removeStaleSocket(path: string): Promise<void> {
  let stat;
  try {
    stat = lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new AtrestError(ErrorCode.InvalidArgument, `cannot check socket path ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { socket: path });
  }
  if (!stat.isSocket()) {
    throw new AtrestError(ErrorCode.InvalidArgument, `${path} exists and is not a socket; refusing to replace it (choose another --socket path)`, {
      socket: path,
    });
  }
  const live = await new Promise<boolean>((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
  if (live) throw new AtrestError(ErrorCode.InvalidArgument, `socket ${path} is in use by another process`, { socket: path });
  unlinkSync(path);
}

/**
 * Bind the server to `path` so that the socket is never reachable with looser permissions than
 * 0600: it is bound inside a fresh 0700 directory beside `path`, made 0600 there, and only then
 * hard-linked to `path` (a link, unlike a rename, fails rather than replace whatever appeared at
 * `path` meanwhile). Returns the socket's inode, so that closing removes only this socket.
 */
async function bindPrivately(server: Server, path: string): Promise<number> {
  const dir = mkdtempSync(join(dirname(path), '.atrest-kms-'));
  const temporary = join(dir, 's');
  try {
    await new Promise<void>((resolve, reject) => {
      server.bindAsync(`unix:${temporary}`, ServerCredentials.createInsecure(), (err) => {
        if (err) reject(new AtrestError(ErrorCode.InvalidArgument, `cannot listen on ${path}: ${err.message}`, { socket: path }));
        else resolve();
      });
    });
    chmodSync(temporary, 0o600);
    try {
      linkSync(temporary, path);
    } catch (err) {
      server.forceShutdown();
      throw new AtrestError(ErrorCode.InvalidArgument, `cannot create socket ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { socket: path });
    }
    return lstatSync(path).ino;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Remove `path` if it is still the socket this plugin created (inode `ino`). */
function removeOwnSocket(path: string, ino: number): void {
  try {
    const stat = lstatSync(path);
    if (stat.isSocket() && stat.ino === ino) unlinkSync(path);
  } catch {
    // already gone
  }
}

/**
 * Start the reference KMS v2 plugin.
 *
 * @param options - socket, KEK file, logger
 * @returns the running plugin
 * @throws AtrestError for an invalid KEK file, a socket in use, or a bind failure
 * @example
 * ```ts
 * import { startReferencePlugin } from '@atrest/kms-grpc';
 * const plugin = await startReferencePlugin({ socket: '/tmp/kms.sock', kekFile: '/etc/atrest/kek.txt' });
 * console.log(plugin.endpoint, plugin.keyID());
 * await plugin.close();
 * ```
 */
export async function startReferencePlugin(options: ReferencePluginOptions): Promise<ReferencePlugin> {
  const log = options.log ?? (() => undefined);
  if (options.socket.startsWith('@')) {
    throw new AtrestError(ErrorCode.InvalidArgument, 'the reference plugin serves socket files only (grpc-js cannot serve abstract sockets)', {
      socket: options.socket,
    });
  }
  const store = new KekStore(options.kekFile, log);
  await removeStaleSocket(options.socket);
  const backend = nodeBackend;

  const server = new Server();
  server.addService(kmsServiceV2, {
    Status(_call: ServerUnaryCall<Message, Message>, callback: sendUnaryData<Message>) {
      store.refresh();
      callback(null, { version: 'v2', healthz: store.problem ?? 'ok', keyId: store.active.keyID });
    },
    Encrypt(call: ServerUnaryCall<Message, Message>, callback: sendUnaryData<Message>) {
      store.refresh();
      const plaintext = call.request['plaintext'];
      if (!(plaintext instanceof Uint8Array) || plaintext.length === 0) {
        fail(callback, grpcStatus.INVALID_ARGUMENT, 'plaintext is empty');
        return;
      }
      const kek = store.active;
      // nonce(12) || ciphertext || tag(16), the nonce fresh from the CSPRNG.
      const ciphertext = new Uint8Array(12 + plaintext.length + 16);
      backend.randomFill(ciphertext, 0, 12);
      backend.aesGcm(kek.key.expose()).sealInto(ciphertext, 0, plaintext, utf8(kek.keyID));
      callback(null, { ciphertext, keyId: kek.keyID, annotations: {} });
    },
    Decrypt(call: ServerUnaryCall<Message, Message>, callback: sendUnaryData<Message>) {
      store.refresh();
      const ciphertext = call.request['ciphertext'];
      const keyID = String(call.request['keyId'] ?? '');
      const kek = store.byKeyID(keyID);
      if (!kek) {
        log(`decrypt refused: unknown key_id (${keyID.length} bytes)`);
        fail(callback, grpcStatus.NOT_FOUND, 'unknown key_id');
        return;
      }
      if (!(ciphertext instanceof Uint8Array) || ciphertext.length < 12 + 16) {
        fail(callback, grpcStatus.INVALID_ARGUMENT, 'ciphertext too short');
        return;
      }
      const plaintext = backend.aesGcm(kek.key.expose()).openAt(ciphertext, 0, utf8(keyID));
      if (!plaintext) {
        fail(callback, grpcStatus.INVALID_ARGUMENT, 'ciphertext does not authenticate under this key_id');
        return;
      }
      callback(null, { plaintext });
    },
  });

  const ino = await bindPrivately(server, options.socket);
  const endpoint = `unix://${options.socket.startsWith('/') ? '' : '/'}${options.socket}`;
  log(`listening on ${endpoint}, active key_id ${store.active.keyID}`);

  let closed: Promise<void> | undefined;
  return {
    endpoint,
    keyID: () => {
      store.refresh();
      return store.active.keyID;
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.tryShutdown(() => {
          removeOwnSocket(options.socket, ino);
          log('stopped');
          resolve();
        });
      });
      return closed;
    },
  };
}
