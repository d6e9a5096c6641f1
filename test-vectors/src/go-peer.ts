/**
 * The TypeScript side of atrest's Go peer: builds `test-vectors/go/bin/atrest-go-peer` when it is
 * missing or older than its sources, starts it once, and talks to it in JSON lines.
 *
 * The peer (`test-vectors/go/src/atrestpeer`) is our own, independent Go implementation of the
 * Kubernetes encryption-at-rest stored-value formats, written from the format descriptions with
 * Go's standard library and golang.org/x/crypto. The differential suite uses it as a second
 * opinion: what atrest writes, the peer must read, and the other way round. Every request carries
 * an `id` the peer echoes, so answers are matched to requests even if a future peer answers out of
 * order. Byte fields travel as standard base64; the etcd key (`context`) travels as text.
 *
 * This is test infrastructure: failures are plain `Error`s with the peer's message, and a
 * decrypt that is *expected* to fail is asked with {@link GoPeer.tryDecrypt}, which returns the
 * peer's error text instead of throwing.
 *
 * @example
 * ```ts
 * import { startGoPeer } from '../src/go-peer.js'; // test-vectors is private: import by path
 * const peer = await startGoPeer();
 * const stored = await peer.encrypt({ provider: 'aesgcm', keyName: 'key1', key: new Uint8Array(32), context: '/registry/secrets/a/b', data: new Uint8Array([1]) });
 * const { data, stale } = await peer.decrypt({ provider: 'aesgcm', keyName: 'key1', key: new Uint8Array(32), context: '/registry/secrets/a/b', data: stored });
 * await peer.close();
 * ```
 * @module
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** `test-vectors/go`: the peer's GOPATH root and build script. */
export const GO_DIR = fileURLToPath(new URL('../go/', import.meta.url));
/** Where `build.sh` puts the peer binary (git-ignored). */
export const PEER_BINARY = path.join(GO_DIR, 'bin', 'atrest-go-peer');
const BUILD_SCRIPT = path.join(GO_DIR, 'build.sh');
const GO_SOURCES = path.join(GO_DIR, 'src');
const INSTALL_HINT = 'install Go and golang.org/x/crypto, e.g. `apt-get install golang-go golang-golang-x-crypto-dev`';

/** Providers the peer speaks. */
export type PeerProvider = 'identity' | 'aescbc' | 'aesgcm' | 'secretbox' | 'kmsv1' | 'kmsv2';

/** kms v2 `encryptedDEKSourceType` names, as upstream's enum spells them. */
export type DekSourceType = 'AES_GCM_KEY' | 'HKDF_SHA256_XNONCE_AES_GCM_SEED';

/** One encrypt or decrypt request. */
export interface PeerRequest {
  /** Which format. */
  readonly provider: PeerProvider;
  /** Local providers: the key name; kms: the provider name (the `<name>` in the prefix). */
  readonly keyName?: string;
  /** Local providers: the key's secret bytes. */
  readonly key?: Uint8Array;
  /** The etcd key, the authenticated data of aesgcm and kms. */
  readonly context?: string;
  /** Encrypt: the plaintext. Decrypt: the complete stored value, prefix included. */
  readonly data: Uint8Array;
  /** kms v2: the key ID encrypt writes, or the plugin's current key ID a decrypt compares with. */
  readonly keyID?: string;
  /** kms v2 encrypt: the source type (default `HKDF_SHA256_XNONCE_AES_GCM_SEED`). */
  readonly dekSourceType?: DekSourceType;
  /** kms v2 encrypt: annotations to store. */
  readonly annotations?: Readonly<Record<string, Uint8Array>>;
  /** kms v1 encrypt: `gcm` (current writers, default) or `cbc` (writers before Kubernetes 1.25). */
  readonly payload?: 'gcm' | 'cbc';
}

/** A successful decrypt. */
export interface PeerDecrypted {
  /** The plaintext. */
  readonly data: Uint8Array;
  /** Whether a reader holding only this provider and key would call the value stale. */
  readonly stale: boolean;
  /** kms v2: the stored key ID. */
  readonly keyID?: string;
  /** kms v2: the stored source type. */
  readonly dekSourceType?: DekSourceType;
  /** kms v2: the stored annotations. */
  readonly annotations?: Readonly<Record<string, Uint8Array>>;
}

/** A decrypt that may fail: the answer, or the peer's error text. */
export type PeerDecryptOutcome = ({ readonly ok: true } & PeerDecrypted) | { readonly ok: false; readonly error: string };

interface WireAnswer {
  id?: number;
  ok: boolean;
  data?: string;
  stale?: boolean;
  keyID?: string;
  dekSourceType?: DekSourceType;
  annotations?: Record<string, string>;
  error?: string;
}

const toB64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
const fromB64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

function newestSourceTime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSourceTime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * Build the peer unless the binary is newer than every Go source file and the build script.
 *
 * @returns the path of the binary
 * @throws Error naming the packages to install when Go or golang.org/x/crypto is missing, or
 *   carrying the compiler output when the build fails
 */
export function ensureGoPeerBuilt(): string {
  const sourcesTime = Math.max(newestSourceTime(GO_SOURCES), statSync(BUILD_SCRIPT).mtimeMs);
  if (existsSync(PEER_BINARY) && statSync(PEER_BINARY).mtimeMs >= sourcesTime) return PEER_BINARY;
  const version = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (version.error !== undefined || version.status !== 0) {
    throw new Error(`the Go peer needs a Go toolchain (\`go\` not found or not working): ${INSTALL_HINT}`);
  }
  const gocode = process.env['ATREST_GOCODE'] ?? '/usr/share/gocode';
  if (!existsSync(path.join(gocode, 'src/golang.org/x/crypto/nacl/secretbox'))) {
    throw new Error(`the Go peer needs golang.org/x/crypto under ${gocode}/src: ${INSTALL_HINT}`);
  }
  const build = spawnSync('sh', [BUILD_SCRIPT], { encoding: 'utf8' });
  if (build.error !== undefined || build.status !== 0) {
    throw new Error(`building the Go peer failed (${BUILD_SCRIPT}):\n${build.stderr}${build.stdout}`);
  }
  return PEER_BINARY;
}

/** A running peer process. Start one with {@link startGoPeer}; close it when done. */
export class GoPeer {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #pending = new Map<number, { resolve: (a: WireAnswer) => void; reject: (e: Error) => void }>();
  readonly #exited: Promise<void>;
  #nextId = 1;
  #stderr = '';
  #dead: Error | undefined;

  /** @param binary - path of the peer executable */
  constructor(binary: string) {
    this.#child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child.stderr.setEncoding('utf8');
    this.#child.stderr.on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-4096);
    });
    const lines = createInterface({ input: this.#child.stdout, crlfDelay: Infinity });
    lines.on('line', (line) => this.#onLine(line));
    this.#exited = new Promise((resolve) => {
      this.#child.on('error', (err) => {
        this.#fail(new Error(`Go peer could not run: ${err.message}`));
        resolve();
      });
      this.#child.on('exit', (code, signal) => {
        this.#fail(new Error(`Go peer exited (code ${String(code)}, signal ${String(signal)}): ${this.#stderr}`));
        resolve();
      });
    });
    // A peer that dies mid-write must fail the pending requests, not crash the test process.
    this.#child.stdin.on('error', (err) => this.#fail(new Error(`Go peer stdin: ${err.message}`)));
  }

  #onLine(line: string): void {
    let answer: WireAnswer;
    try {
      answer = JSON.parse(line) as WireAnswer;
    } catch {
      this.#fail(new Error(`Go peer sent a line that is not JSON: ${line.slice(0, 200)}`));
      return;
    }
    const waiter = answer.id === undefined ? undefined : this.#pending.get(answer.id);
    if (waiter === undefined) {
      this.#fail(new Error(`Go peer answered an unknown request: ${line.slice(0, 200)}`));
      return;
    }
    this.#pending.delete(answer.id as number);
    waiter.resolve(answer);
  }

  #fail(err: Error): void {
    this.#dead ??= err;
    for (const waiter of this.#pending.values()) waiter.reject(err);
    this.#pending.clear();
  }

  #send(message: Record<string, unknown>): Promise<WireAnswer> {
    if (this.#dead !== undefined) return Promise.reject(this.#dead);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#child.stdin.write(`${JSON.stringify({ id, ...message })}\n`);
    });
  }

  #request(op: 'encrypt' | 'decrypt', req: PeerRequest): Promise<WireAnswer> {
    const message: Record<string, unknown> = { op, provider: req.provider, data: toB64(req.data) };
    if (req.keyName !== undefined) message['keyName'] = req.keyName;
    if (req.key !== undefined) message['key'] = toB64(req.key);
    if (req.context !== undefined) message['context'] = req.context;
    if (req.keyID !== undefined) message['keyID'] = req.keyID;
    if (req.dekSourceType !== undefined) message['dekSourceType'] = req.dekSourceType;
    if (req.payload !== undefined) message['payload'] = req.payload;
    if (req.annotations !== undefined) {
      message['annotations'] = Object.fromEntries(Object.entries(req.annotations).map(([k, v]) => [k, toB64(v)]));
    }
    return this.#send(message);
  }

  /**
   * Check the peer is alive.
   * @throws Error when it is not
   */
  async ping(): Promise<void> {
    const answer = await this.#send({ op: 'ping' });
    if (!answer.ok) throw new Error(`Go peer ping failed: ${answer.error ?? '?'}`);
  }

  /**
   * Encrypt with the peer.
   * @param req - provider, key or kms settings, etcd key, plaintext
   * @returns the complete stored value, prefix included
   * @throws Error with the peer's message when it refuses
   */
  async encrypt(req: PeerRequest): Promise<Uint8Array> {
    const answer = await this.#request('encrypt', req);
    if (!answer.ok || answer.data === undefined) throw new Error(`Go peer encrypt failed: ${answer.error ?? 'no data'}`);
    return fromB64(answer.data);
  }

  /**
   * Decrypt with the peer, returning its error text instead of throwing on a refused value.
   * @param req - provider, key or kms settings, etcd key, the complete stored value
   * @returns the plaintext and stale flag (and kms v2 metadata), or the peer's error
   * @throws Error only when the peer itself fails (exited, garbled answer)
   */
  async tryDecrypt(req: PeerRequest): Promise<PeerDecryptOutcome> {
    const answer = await this.#request('decrypt', req);
    if (!answer.ok) return { ok: false, error: answer.error ?? '' };
    if (answer.data === undefined) throw new Error('Go peer decrypt answered without data');
    const annotations = answer.annotations;
    return {
      ok: true,
      data: fromB64(answer.data),
      stale: answer.stale === true,
      ...(answer.keyID === undefined ? {} : { keyID: answer.keyID }),
      ...(answer.dekSourceType === undefined ? {} : { dekSourceType: answer.dekSourceType }),
      ...(annotations === undefined
        ? {}
        : { annotations: Object.fromEntries(Object.entries(annotations).map(([k, v]) => [k, fromB64(v)])) }),
    };
  }

  /**
   * Decrypt with the peer.
   * @param req - provider, key or kms settings, etcd key, the complete stored value
   * @returns the plaintext and stale flag (and kms v2 metadata)
   * @throws Error with the peer's message when it refuses the value
   */
  async decrypt(req: PeerRequest): Promise<PeerDecrypted> {
    const outcome = await this.tryDecrypt(req);
    if (!outcome.ok) throw new Error(`Go peer decrypt failed: ${outcome.error}`);
    return outcome;
  }

  /**
   * kms v1 write through upstream's Base64 mock plugin.
   * @param name - the kms provider name
   * @param plaintext - the value
   * @param context - the etcd key
   * @param payload - `gcm` (default) or `cbc` (pre-1.25 writers; reads are stale)
   * @returns the complete stored value
   */
  encryptKmsV1(name: string, plaintext: Uint8Array, context: string, payload: 'gcm' | 'cbc' = 'gcm'): Promise<Uint8Array> {
    return this.encrypt({ provider: 'kmsv1', keyName: name, data: plaintext, context, payload });
  }

  /**
   * kms v1 read through upstream's Base64 mock plugin.
   * @param name - the kms provider name
   * @param stored - the complete stored value
   * @param context - the etcd key
   * @returns plaintext and stale (true for a CBC payload), or the peer's error
   */
  decryptKmsV1(name: string, stored: Uint8Array, context: string): Promise<PeerDecryptOutcome> {
    return this.tryDecrypt({ provider: 'kmsv1', keyName: name, data: stored, context });
  }

  /**
   * kms v2 write through upstream's Base64 mock plugin.
   * @param name - the kms provider name
   * @param plaintext - the value
   * @param context - the etcd key
   * @param options - key ID to record, source type (default HKDF seed), annotations
   * @returns the complete stored value
   */
  encryptKmsV2(
    name: string,
    plaintext: Uint8Array,
    context: string,
    options: { keyID: string; dekSourceType?: DekSourceType; annotations?: Readonly<Record<string, Uint8Array>> },
  ): Promise<Uint8Array> {
    return this.encrypt({ provider: 'kmsv2', keyName: name, data: plaintext, context, ...options });
  }

  /**
   * kms v2 read through upstream's Base64 mock plugin.
   * @param name - the kms provider name
   * @param stored - the complete stored value
   * @param context - the etcd key
   * @param currentKeyID - the key ID the plugin reports now (a different stored one is stale)
   * @returns plaintext, stale, stored key ID, source type and annotations, or the peer's error
   */
  decryptKmsV2(name: string, stored: Uint8Array, context: string, currentKeyID: string): Promise<PeerDecryptOutcome> {
    return this.tryDecrypt({ provider: 'kmsv2', keyName: name, data: stored, context, keyID: currentKeyID });
  }

  /** End the peer (closes its input) and wait for it to exit; kills it after 5 s. */
  async close(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    this.#child.stdin.end();
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5000);
    await this.#exited;
    clearTimeout(timer);
  }
}

/**
 * Build the peer if needed, start it, and check it answers.
 *
 * @returns a running peer; call {@link GoPeer.close} when done (e.g. in `afterAll`)
 * @throws Error when Go is missing, the build fails, or the peer does not answer
 */
export async function startGoPeer(): Promise<GoPeer> {
  const peer = new GoPeer(ensureGoPeerBuilt());
  await peer.ping();
  return peer;
}
