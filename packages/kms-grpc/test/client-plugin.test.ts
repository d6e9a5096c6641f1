/**
 * The gRPC clients against the reference plugin (in process, real gRPC over unix sockets), and
 * against fake servers that misbehave.
 */
import { join } from 'node:path';
import { linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { connect, createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AtrestError, PrefixChain, ErrorCode, utf8 } from '@atrest/core';
import { kmsV2Provider } from '@atrest/kms';
import { GrpcKmsServiceV1, GrpcKmsServiceV2, kmsServiceV1beta1, kmsServiceV2, startReferencePlugin } from '@atrest/kms-grpc';
import { fakeServer, kekLine, tempDir, writeKekFile } from './_support.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function setup() {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return { dir: t.dir, socket: join(t.dir, 'kms.sock'), kekFile: join(t.dir, 'kek.txt') };
}

async function plugin(socket: string, kekFile: string) {
  const p = await startReferencePlugin({ socket, kekFile });
  cleanups.push(() => p.close());
  return p;
}

function client(endpoint: string, timeoutMs = 2000) {
  const c = new GrpcKmsServiceV2({ name: 'test-kms', endpoint, timeoutMs });
  cleanups.push(() => c.close());
  return c;
}

async function rejection(p: Promise<unknown>): Promise<AtrestError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AtrestError);
    return e as AtrestError;
  }
  throw new Error('expected a rejection');
}

describe('GrpcKmsServiceV2 against the reference plugin', () => {
  it('status, wrap and unwrap', async () => {
    const { socket, kekFile } = setup();
    writeKekFile(kekFile, kekLine('kek-1'));
    const p = await plugin(socket, kekFile);
    expect(p.endpoint).toBe(`unix://${socket}`);
    const c = client(p.endpoint);
    const s = await c.status();
    expect(s).toEqual({ version: 'v2', healthz: 'ok', keyID: p.keyID() });
    const dek = randomBytes(32);
    const wrapped = await c.encrypt('uid-1', dek);
    expect(wrapped.keyID).toBe(p.keyID());
    expect(Buffer.from(wrapped.ciphertext).includes(dek)).toBe(false);
    expect(Buffer.from(await c.decrypt('uid-2', { ciphertext: wrapped.ciphertext, keyID: wrapped.keyID }))).toEqual(dek);
  });

  it('a rotated KEK file changes the key ID; old wrapped DEKs still unwrap; unknown key IDs are refused', async () => {
    const { socket, kekFile } = setup();
    const old = kekLine('kek-1');
    writeKekFile(kekFile, old);
    const p = await plugin(socket, kekFile);
    const c = client(p.endpoint);
    const before = await c.encrypt('u', randomBytes(32));
    writeKekFile(kekFile, kekLine('kek-2'), old);
    const s = await c.status();
    expect(s.keyID).toMatch(/^kek-2:/);
    expect(s.keyID).not.toBe(before.keyID);
    expect((await c.decrypt('u', { ciphertext: before.ciphertext, keyID: before.keyID })).length).toBe(32);
    const e = await rejection(c.decrypt('u', { ciphertext: before.ciphertext, keyID: 'kek-9:0000000000000000' }));
    expect(e.code).toBe(ErrorCode.KmsPlugin);
    expect(e.context).toMatchObject({ plugin: 'test-kms', call: 'Decrypt', grpcCode: 'NOT_FOUND' });
  });

  it('an invalid rotated file keeps the old keys and reports unhealthy', async () => {
    const { socket, kekFile } = setup();
    writeKekFile(kekFile, kekLine('kek-1'));
    const p = await plugin(socket, kekFile);
    const c = client(p.endpoint);
    const keyID = (await c.status()).keyID;
    writeKekFile(kekFile, 'kek-2: not-base64!\n');
    const s = await c.status();
    expect(s.keyID).toBe(keyID);
    expect(s.healthz).toContain('KEK file invalid');
    expect(s.healthz).toContain('line=2');
  });

  it('works through a kms v2 provider, end to end', async () => {
    const { socket, kekFile } = setup();
    writeKekFile(kekFile, kekLine('kek-1'));
    const p = await plugin(socket, kekFile);
    const chain = new PrefixChain([kmsV2Provider('test-kms', client(p.endpoint))], () => new AtrestError(ErrorCode.NoMatchingPrefix, 'no matching prefix found'));
    const ctx = utf8('/registry/secrets/default/db');
    const stored = await chain.write(utf8('hello'), ctx);
    expect(Buffer.from(stored).subarray(0, 24).toString()).toBe('k8s:enc:kms:v2:test-kms:');
    const r = await chain.read(stored, ctx);
    expect(Buffer.from(r.plaintext).toString()).toBe('hello');
    expect(r.stale).toBe(false);
  });

  it('the client dials abstract sockets (unix:///@name)', async () => {
    const { socket, kekFile } = setup();
    writeKekFile(kekFile, kekLine('kek-1'));
    const p = await plugin(socket, kekFile);
    // grpc-js cannot serve on an abstract socket, so relay one to the plugin's socket file.
    const name = `atrest-test-${process.pid}-${Date.now()}`;
    const relay = createServer((conn) => {
      const upstream = connect(socket);
      conn.pipe(upstream).pipe(conn);
      conn.on('error', () => upstream.destroy());
      upstream.on('error', () => conn.destroy());
    });
    await new Promise<void>((resolve) => relay.listen(`\0${name}`, resolve));
    cleanups.push(() => new Promise((resolve) => relay.close(resolve)));
    const s = await client(`unix:///@${name}`).status();
    expect(s).toMatchObject({ healthz: 'ok', keyID: p.keyID() });
  });

  it('the plugin refuses to serve an abstract socket, clearly', async () => {
    const { kekFile } = setup();
    writeKekFile(kekFile, kekLine('kek-1'));
    const e = await rejection(startReferencePlugin({ socket: '@x', kekFile }));
    expect(e.message).toContain('serves socket files only');
  });

  it('a missing plugin is a typed error naming plugin, endpoint and call', async () => {
    const { socket } = setup();
    const e = await rejection(client(`unix://${socket}`, 500).status());
    expect(e.code).toBe(ErrorCode.KmsPlugin);
    expect(e.message).toContain(`kms plugin "test-kms" at unix://${socket}: Status failed`);
    expect(e.context['grpcCode']).toMatch(/UNAVAILABLE|DEADLINE_EXCEEDED/);
  });

  it('a restarted plugin on the same socket is picked up', async () => {
    const { socket, kekFile } = setup();
    writeKekFile(kekFile, kekLine('kek-1'));
    let p = await startReferencePlugin({ socket, kekFile });
    const c = client(p.endpoint, 1000);
    const w = await c.encrypt('u', randomBytes(32));
    await p.close();
    const down = await rejection(c.status());
    expect(down.code).toBe(ErrorCode.KmsPlugin);
    p = await plugin(socket, kekFile);
    // grpc-js reconnects with back-off (100 ms .. 1 s); a bounded number of tries.
    let ok = false;
    for (let i = 0; i < 30 && !ok; i++) {
      try {
        await c.decrypt('u', { ciphertext: w.ciphertext, keyID: w.keyID });
        ok = true;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    expect(ok).toBe(true);
  });
});

describe('invalid plugin answers', () => {
  it.each([
    ['an empty key_id', { version: 'v2', healthz: 'ok', keyId: '' }, 'key_id is empty'],
    ['a 2000-byte key_id', { version: 'v2', healthz: 'ok', keyId: 'k'.repeat(2000) }, 'key_id is 2000 bytes, more than 1024'],
  ])('Status with %s', async (_what, answer, problem) => {
    const { socket } = setup();
    const s = await fakeServer(socket, kmsServiceV2, {
      Status: (_c: unknown, cb: (e: null, v: unknown) => void) => cb(null, answer),
      Encrypt: (_c: unknown, cb: (e: null, v: unknown) => void) => cb(null, { ciphertext: new Uint8Array([1]), keyId: answer.keyId }),
      Decrypt: (_c: unknown, cb: (e: null, v: unknown) => void) => cb(null, { plaintext: new Uint8Array() }),
    });
    cleanups.push(() => s.close());
    const c = client(`unix://${socket}`);
    expect((await rejection(c.status())).message).toContain(problem);
    expect((await rejection(c.encrypt('u', new Uint8Array(32)))).message).toContain(problem);
    expect((await rejection(c.decrypt('u', { ciphertext: new Uint8Array([1]), keyID: 'k' }))).message).toContain('plaintext is empty');
  });

  it('a plugin error text is not echoed (it could carry key material)', async () => {
    const { socket } = setup();
    const s = await fakeServer(socket, kmsServiceV2, {
      Status: (_c: unknown, cb: (e: unknown) => void) => cb({ code: 13, details: 'SECRET-DEK-BYTES' }),
      Encrypt: (_c: unknown, cb: (e: unknown) => void) => cb({ code: 13, details: 'SECRET-DEK-BYTES' }),
      Decrypt: (_c: unknown, cb: (e: unknown) => void) => cb({ code: 13, details: 'SECRET-DEK-BYTES' }),
    });
    cleanups.push(() => s.close());
    const e = await rejection(client(`unix://${socket}`).encrypt('u', new Uint8Array(32)));
    expect(e.describe()).not.toContain('SECRET');
    expect(e.context['grpcCode']).toBe('INTERNAL');
  });
});

describe('GrpcKmsServiceV1 (v1beta1)', () => {
  it('checks the API version, then wraps and unwraps', async () => {
    const { socket } = setup();
    const versions: string[] = [];
    const s = await fakeServer(socket, kmsServiceV1beta1, {
      Version: (c: { request: { version: string } }, cb: (e: null, v: unknown) => void) => {
        versions.push(c.request.version);
        cb(null, { version: 'v1beta1', runtimeName: 'fake', runtimeVersion: '0.1.0' });
      },
      Encrypt: (c: { request: { plain: Uint8Array } }, cb: (e: null, v: unknown) => void) => cb(null, { cipher: Buffer.from(c.request.plain).reverse() }),
      Decrypt: (c: { request: { cipher: Uint8Array } }, cb: (e: null, v: unknown) => void) => cb(null, { plain: Buffer.from(c.request.cipher).reverse() }),
    });
    cleanups.push(() => s.close());
    const c = new GrpcKmsServiceV1({ name: 'v1', endpoint: `unix://${socket}` });
    cleanups.push(() => c.close());
    const dek = randomBytes(32);
    expect(Buffer.from(await c.decrypt(await c.encrypt(dek)))).toEqual(dek);
    expect(versions).toEqual(['v1beta1']);
  });

  it('refuses a plugin speaking another version', async () => {
    const { socket } = setup();
    const s = await fakeServer(socket, kmsServiceV1beta1, {
      Version: (_c: unknown, cb: (e: null, v: unknown) => void) => cb(null, { version: 'v9' }),
      Encrypt: (_c: unknown, cb: (e: null, v: unknown) => void) => cb(null, { cipher: new Uint8Array([1]) }),
      Decrypt: (_c: unknown, cb: (e: null, v: unknown) => void) => cb(null, { plain: new Uint8Array([1]) }),
    });
    cleanups.push(() => s.close());
    const c = new GrpcKmsServiceV1({ name: 'v1', endpoint: `unix://${socket}` });
    cleanups.push(() => c.close());
    expect((await rejection(c.encrypt(new Uint8Array(32)))).message).toContain('API version "v9", expected "v1beta1"');
  });
});

describe('the plugin socket path', () => {
  it('a regular file at the socket path (the KEK file itself) is never removed: an error names the path', async () => {
    const { kekFile } = setup();
    writeKekFile(kekFile, kekLine('kek-1'));
    const before = readFileSync(kekFile);
    const e = await rejection(startReferencePlugin({ socket: kekFile, kekFile }));
    expect(e.message).toBe(`${kekFile} exists and is not a socket; refusing to replace it (choose another --socket path)`);
    expect(readFileSync(kekFile)).toEqual(before);
  });

  it('a directory or a symbolic link at the socket path is refused and left alone', async () => {
    const { dir, kekFile } = setup();
    writeKekFile(kekFile, kekLine('kek-1'));
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    const link = join(dir, 'link.sock');
    symlinkSync(kekFile, link);
    for (const path of [sub, link]) {
      const e = await rejection(startReferencePlugin({ socket: path, kekFile }));
      expect(e.message).toContain('is not a socket');
    }
    expect(lstatSync(sub).isDirectory()).toBe(true);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it('a stale socket (nobody listening) is replaced; closing removes only the plugin\'s own socket', async () => {
    const { socket, kekFile } = setup();
    writeKekFile(kekFile, kekLine('kek-1'));
    const stale = createServer();
    await new Promise<void>((r) => stale.listen(socket, r));
    // Close the listener but keep the file, as a killed process leaves it (Node's close removes it).
    linkSync(socket, `${socket}.keep`);
    await new Promise<void>((r) => stale.close(() => r()));
    renameSync(`${socket}.keep`, socket);
    const p = await startReferencePlugin({ socket, kekFile });
    expect(lstatSync(socket).isSocket()).toBe(true);
    // Something else replaces the socket path while the plugin runs: close must not remove it.
    unlinkSync(socket);
    writeFileSync(socket, 'not ours');
    await p.close();
    expect(readFileSync(socket, 'utf8')).toBe('not ours');
  });

  it('under umask 000 the socket is 0600 and no other entry is left in its directory', async () => {
    const { dir, socket, kekFile } = setup();
    writeKekFile(kekFile, kekLine('kek-1'));
    const old = process.umask(0);
    try {
      const p = await plugin(socket, kekFile);
      expect(lstatSync(socket).mode & 0o777).toBe(0o600);
      expect(readdirSync(dir).sort()).toEqual(['kek.txt', 'kms.sock']);
      const s = await client(p.endpoint).status();
      expect(s.healthz).toBe('ok');
    } finally {
      process.umask(old);
    }
  });
});
