import { inspect } from 'node:util';
import { AtrestError, ErrorCode, fromUtf8, isPromise, type ReadResult, utf8 } from '@atrest/core';
import { aesCbcTransformer } from '@atrest/aescbc';
import { describe, expect, it } from 'vitest';
import { Base64MockV1, type KmsServiceV1, kmsV1Provider } from '@atrest/kms';
import { backends, caught, chainOf } from './_helpers.js';

const ctx = utf8('/registry/secrets/default/db');
const PREFIX = 'k8s:enc:kms:v1:kms1:';

function payloadOf(stored: Uint8Array): Uint8Array {
  expect(fromUtf8(stored.subarray(0, PREFIX.length))).toBe(PREFIX);
  return stored.subarray(PREFIX.length);
}

describe.each(backends)('kms v1 (%s)', (_, backend) => {
  it.each([0, 1, 15, 16, 17, 4096, 100_000])('round-trips %i bytes with the upstream layout', async (n) => {
    const plugin = new Base64MockV1();
    const chain = chainOf(kmsV1Provider('kms1', plugin, { backend }));
    const pt = backend.randomBytes(n);
    const stored = await chain.write(pt, ctx);
    const body = payloadOf(stored);
    // 2-byte big-endian length, then the wrapped DEK: base64 of 32 bytes is 44 characters.
    expect((body[0] as number) * 256 + (body[1] as number)).toBe(44);
    const dek = Buffer.from(fromUtf8(body.subarray(2, 46)), 'base64');
    expect(dek.length).toBe(32);
    // payload: nonce(12) || ciphertext || tag(16)
    expect(body.length).toBe(2 + 44 + 12 + n + 16);
    const r = await chain.read(stored, ctx);
    expect(new Uint8Array(r.plaintext)).toEqual(pt);
    expect(r.stale).toBe(false);
    expect(plugin.calls.decrypt).toBe(0); // the writer cached its DEK
  });

  it('generates a fresh DEK per write, as upstream', async () => {
    const plugin = new Base64MockV1();
    const entry = kmsV1Provider('kms1', plugin, { backend });
    const a = payloadOf(await chainOf(entry).write(utf8('x'), ctx));
    const b = payloadOf(await chainOf(entry).write(utf8('x'), ctx));
    expect(a.subarray(2, 46)).not.toEqual(b.subarray(2, 46));
    expect(plugin.calls.encrypt).toBe(2);
  });

  it('reads CBC payloads written before 1.25 as stale', async () => {
    const dek = backend.randomBytes(32);
    const wrapped = await new Base64MockV1().encrypt(dek);
    const cbc = aesCbcTransformer(dek, { backend }).write(utf8('legacy'), ctx) as Uint8Array;
    const stored = new Uint8Array([...utf8(PREFIX), 0, wrapped.length, ...wrapped, ...cbc]);
    const r = await chainOf(kmsV1Provider('kms1', new Base64MockV1(), { backend })).read(stored, ctx);
    expect(fromUtf8(r.plaintext)).toBe('legacy');
    expect(r.stale).toBe(true);
  });

  it('reports both the GCM and the CBC failure', async () => {
    const chain = chainOf(kmsV1Provider('kms1', new Base64MockV1(), { backend }));
    const stored = await chain.write(utf8('hello'), ctx);
    const err = await caught(() => chain.read(stored, utf8('/registry/secrets/default/other')));
    expect(err.code).toBe(ErrorCode.Aggregate);
    expect(err.message).toBe('[cipher: message authentication failed, the stored data is not a multiple of the block size]');
  });

  it('answers cache hits synchronously and misses with a promise', async () => {
    const writer = kmsV1Provider('kms1', new Base64MockV1(), { backend });
    const stored = payloadOf(await chainOf(writer).write(utf8('v'), ctx));
    const reader = kmsV1Provider('kms1', new Base64MockV1(), { backend }).transformer;
    const first = reader.read(stored, ctx);
    expect(isPromise(first)).toBe(true);
    await first;
    const second = reader.read(stored, ctx);
    expect(isPromise(second)).toBe(false);
    expect(fromUtf8((second as ReadResult).plaintext)).toBe('v');
  });

  describe('cache bounds', () => {
    async function values(n: number): Promise<Uint8Array[]> {
      const writer = kmsV1Provider('kms1', new Base64MockV1(), { backend });
      const out: Uint8Array[] = [];
      for (let i = 0; i < n; i++) out.push(payloadOf(await chainOf(writer).write(utf8(`v${i}`), ctx)));
      return out;
    }

    it.each([
      // [values, cacheSize, expected decrypt calls for two sequential passes]
      [5, 10, 5], // everything fits: one call per distinct DEK
      [5, 5, 5],
      [5, 4, 10], // LRU thrashes on a sequential scan larger than the cache
      [5, 1, 10],
      [5, -1, 10], // upstream's cachesize -1: no cache
      [5, 0, 10],
    ])('%i DEKs, cacheSize %i -> %i plugin calls', async (n, cacheSize, expected) => {
      const stored = await values(n);
      const plugin = new Base64MockV1();
      const t = kmsV1Provider('kms1', plugin, { backend, cacheSize }).transformer;
      for (let pass = 0; pass < 2; pass++) {
        for (const [i, s] of stored.entries()) expect(fromUtf8((await t.read(s, ctx)).plaintext)).toBe(`v${i}`);
      }
      expect(plugin.calls.decrypt).toBe(expected);
    });

    it('keeps the most recently used entry', async () => {
      const [a, b, c] = (await values(3)) as [Uint8Array, Uint8Array, Uint8Array];
      const plugin = new Base64MockV1();
      const t = kmsV1Provider('kms1', plugin, { backend, cacheSize: 2 }).transformer;
      await t.read(a, ctx);
      await t.read(b, ctx);
      await t.read(a, ctx); // a is now most recent
      await t.read(c, ctx); // evicts b
      expect(plugin.calls.decrypt).toBe(3);
      await t.read(a, ctx);
      expect(plugin.calls.decrypt).toBe(3);
      await t.read(b, ctx);
      expect(plugin.calls.decrypt).toBe(4);
    });
  });

  it('coalesces 100 concurrent reads of one value into one plugin call', async () => {
    const stored = payloadOf(await chainOf(kmsV1Provider('kms1', new Base64MockV1(), { backend })).write(utf8('v'), ctx));
    for (const cacheSize of [1000, -1]) {
      const plugin = new Base64MockV1();
      const t = kmsV1Provider('kms1', plugin, { backend, cacheSize }).transformer;
      const results = await Promise.all(Array.from({ length: 100 }, () => t.read(stored, ctx)));
      expect(results.every((r) => fromUtf8(r.plaintext) === 'v')).toBe(true);
      expect(plugin.calls.decrypt).toBe(1);
    }
  });

  it.each([
    [[], 'empty'],
    [[0], 'one byte'],
    [[0, 5, 1, 2], 'length beyond the data'],
    [[0xff, 0xff], 'maximum length, no data'],
  ])('refuses a malformed envelope %j (%s)', async (bytes) => {
    const t = kmsV1Provider('kms1', new Base64MockV1(), { backend }).transformer;
    const err = await caught(() => t.read(new Uint8Array(bytes), ctx));
    expect(err.code).toBe(ErrorCode.KmsInvalid);
    expect(err.message).toBe(
      'invalid data encountered by envelope transformer: failed to read uint16 length prefixed data',
    );
    expect(err.context['provider']).toBe('kms1');
  });

  it('returns the plugin error for an undecodable wrapped DEK', async () => {
    const t = kmsV1Provider('kms1', new Base64MockV1(), { backend }).transformer;
    const err = await caught(() => t.read(new Uint8Array([0, 4, ...utf8('@@@@'), 1, 2, 3]), ctx));
    expect(err.code).toBe(ErrorCode.KmsPlugin);
    expect(err.message).toBe('illegal base64 data at input byte 0');
  });

  it('refuses a wrong-size DEK after unwrap and does not cache the failure', async () => {
    const wrapped = await new Base64MockV1().encrypt(new Uint8Array(20));
    const plugin = new Base64MockV1();
    const t = kmsV1Provider('kms1', plugin, { backend }).transformer;
    const data = new Uint8Array([0, wrapped.length, ...wrapped, ...new Uint8Array(40)]);
    for (let i = 1; i <= 2; i++) {
      const err = await caught(() => t.read(data, ctx));
      expect(err.code).toBe(ErrorCode.KmsInvalid);
      expect(err.message).toBe('crypto/aes: invalid key size 20');
      expect(plugin.calls.decrypt).toBe(i);
    }
  });

  it('accepts 16- and 24-byte DEKs from the plugin, as aes.NewCipher does', async () => {
    for (const size of [16, 24]) {
      const dek = backend.randomBytes(size);
      const wrapped = await new Base64MockV1().encrypt(dek);
      const cbc = aesCbcTransformer(dek, { backend }).write(utf8('ok'), ctx) as Uint8Array;
      const data = new Uint8Array([0, wrapped.length, ...wrapped, ...cbc]);
      const r = await kmsV1Provider('kms1', new Base64MockV1(), { backend }).transformer.read(data, ctx);
      expect(fromUtf8(r.plaintext)).toBe('ok');
    }
  });

  it('never puts key material into errors when the plugin misbehaves', async () => {
    let seen: Uint8Array | undefined;
    const leaky: KmsServiceV1 = {
      encrypt(dek) {
        seen = dek.slice();
        return Promise.reject(new Error(`cannot wrap ${Buffer.from(dek).toString('hex')}`));
      },
      decrypt() {
        return Promise.reject(new TypeError('boom'));
      },
    };
    const chain = chainOf(kmsV1Provider('kms1', leaky, { backend }));
    const err = await caught(() => chain.write(utf8('secret-plaintext'), ctx));
    expect(err.code).toBe(ErrorCode.KmsPlugin);
    const hex = Buffer.from(seen as Uint8Array).toString('hex');
    const rendered = `${err.describe()} ${JSON.stringify(err)} ${inspect(err)}`;
    expect(rendered).not.toContain(hex);
    expect(rendered).not.toContain('secret-plaintext');
    const err2 = await caught(() => chain.read(new Uint8Array([...utf8(PREFIX), 0, 1, 0x41, 0]), ctx));
    expect(err2.code).toBe(ErrorCode.KmsPlugin);
    expect(err2.message).toBe('kms plugin decrypt call failed');
  });

  it('refuses plugin answers that are not bytes', async () => {
    const garbage = {
      encrypt: () => Promise.resolve('nope' as unknown as Uint8Array),
      decrypt: () => Promise.resolve(42 as unknown as Uint8Array),
    };
    const chain = chainOf(kmsV1Provider('kms1', garbage, { backend }));
    expect((await caught(() => chain.write(utf8('x'), ctx))).code).toBe(ErrorCode.KmsInvalid);
    const err = await caught(() => chain.read(new Uint8Array([...utf8(PREFIX), 0, 1, 0x41, 0]), ctx));
    expect(err.code).toBe(ErrorCode.KmsInvalid);
    expect(err.message).toBe('kms plugin returned an invalid decrypt response: plaintext is not bytes');
  });

  it('keeps key material out of inspect and JSON', async () => {
    const entry = kmsV1Provider('kms1', new Base64MockV1(), { backend });
    const stored = await chainOf(entry).write(utf8('x'), ctx);
    const wrapped = fromUtf8(payloadOf(stored).subarray(2, 46));
    const dekHex = Buffer.from(wrapped, 'base64').toString('hex');
    const shown = `${inspect(entry, { depth: 10, showHidden: true })} ${JSON.stringify(entry)} ${String(entry.transformer)}`;
    expect(shown).not.toContain(dekHex);
    expect(shown).not.toContain(wrapped);
    expect(entry.name).toBe('kms:v1:kms1');
  });

  it('refuses a non-integer cache size', () => {
    expect(() => kmsV1Provider('kms1', new Base64MockV1(), { cacheSize: 1.5 })).toThrow(AtrestError);
  });
});
