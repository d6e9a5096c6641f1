import { inspect } from 'node:util';
import { AtrestError, ErrorCode, fromUtf8, isPromise, type ReadResult, utf8 } from '@atrest/core';
import { aesGcmTransformer } from '@atrest/aesgcm';
import { describe, expect, it } from 'vitest';
import {
  Base64MockV2,
  decodeEncryptedObject,
  EncryptedDEKSourceType,
  encodeEncryptedObject,
  type KmsServiceV2,
  kmsV2Provider,
  type KmsV2Options,
} from '@atrest/kms';
import { backends, caught, chainOf } from './_helpers.js';

const ctx = utf8('/registry/secrets/default/db');
const PREFIX = 'k8s:enc:kms:v2:kms2:';

function body(stored: Uint8Array): Uint8Array {
  expect(fromUtf8(stored.subarray(0, PREFIX.length))).toBe(PREFIX);
  return stored.subarray(PREFIX.length);
}

/** A settable clock, so time-based behaviour is tested without waiting. */
function clock(start = Date.UTC(2026, 0, 1)): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe.each(backends)('kms v2 (%s)', (_, backend) => {
  const make = (plugin: KmsServiceV2, extra: KmsV2Options = {}) => kmsV2Provider('kms2', plugin, { backend, ...extra });

  it.each([0, 1, 16, 33, 4096, 100_000])('round-trips %i bytes as an HKDF-seed EncryptedObject', async (n) => {
    const plugin = new Base64MockV2('key-id-1');
    const chain = chainOf(make(plugin));
    const pt = backend.randomBytes(n);
    const stored = await chain.write(pt, ctx);
    const o = decodeEncryptedObject(body(stored));
    expect(o.encryptedDEKSourceType).toBe(EncryptedDEKSourceType.HKDF_SHA256_XNONCE_AES_GCM_SEED);
    expect(o.keyID).toBe('key-id-1');
    expect(Buffer.from(fromUtf8(o.encryptedDEKSource), 'base64').length).toBe(32);
    expect(o.encryptedData.length).toBe(32 + 12 + n + 16);
    const r = await chain.read(stored, ctx);
    expect(new Uint8Array(r.plaintext)).toEqual(pt);
    expect(r.stale).toBe(false);
    expect(plugin.calls).toEqual({ status: 1, encrypt: 1, decrypt: 0 });
  });

  it('reuses one wrapped seed across writes with a fresh info per write', async () => {
    const plugin = new Base64MockV2('k1');
    const chain = chainOf(make(plugin));
    const objs = [];
    for (let i = 0; i < 3; i++) objs.push(decodeEncryptedObject(body(await chain.write(utf8('same'), ctx))));
    expect(new Set(objs.map((o) => fromUtf8(o.encryptedDEKSource))).size).toBe(1);
    expect(new Set(objs.map((o) => Buffer.from(o.encryptedData.subarray(0, 32)).toString('hex'))).size).toBe(3);
    expect(plugin.calls.encrypt).toBe(1);
  });

  it('stores the plugin annotations and sends them back on decrypt', async () => {
    const seen: Record<string, Uint8Array>[] = [];
    const plugin = new Base64MockV2('k1', { annotations: { 'local-kek.kms.kubernetes.io': utf8('encrypted-local-kek') } });
    const spy: KmsServiceV2 = {
      status: () => plugin.status(),
      encrypt: (uid, p) => plugin.encrypt(uid, p),
      decrypt: (uid, req) => {
        seen.push({ ...req.annotations });
        return plugin.decrypt(uid, req);
      },
    };
    const stored = await chainOf(make(plugin)).write(utf8('x'), ctx);
    expect(fromUtf8(decodeEncryptedObject(body(stored)).annotations['local-kek.kms.kubernetes.io'] as Uint8Array)).toBe(
      'encrypted-local-kek',
    );
    expect(fromUtf8((await chainOf(make(spy)).read(stored, ctx)).plaintext)).toBe('x');
    expect(fromUtf8(seen[0]?.['local-kek.kms.kubernetes.io'] as Uint8Array)).toBe('encrypted-local-kek');
  });

  it('key ID rotation: old values stay readable but stale, new writes use a new seed', async () => {
    const plugin = new Base64MockV2('k1');
    const entry = make(plugin);
    const chain = chainOf(entry);
    const old = await chain.write(utf8('old'), ctx);
    expect(entry.currentKeyID).toBe('k1');
    plugin.setKeyID('k2');
    // Not yet noticed: no poll is due.
    expect((await chain.read(old, ctx)).stale).toBe(false);
    expect(await entry.refreshStatus()).toEqual({ version: 'v2', healthz: 'ok', keyID: 'k2' });
    expect(entry.currentKeyID).toBe('k2');
    const r = await chain.read(old, ctx);
    expect(fromUtf8(r.plaintext)).toBe('old');
    expect(r.stale).toBe(true);
    const fresh = await chain.write(utf8('new'), ctx);
    const [o1, o2] = [decodeEncryptedObject(body(old)), decodeEncryptedObject(body(fresh))];
    expect(o2.keyID).toBe('k2');
    expect(fromUtf8(o2.encryptedDEKSource)).not.toBe(fromUtf8(o1.encryptedDEKSource));
    expect((await chain.read(fresh, ctx)).stale).toBe(false);
    expect(plugin.calls.encrypt).toBe(2);
  });

  it('polls Status lazily once the interval has passed', async () => {
    const c = clock();
    const plugin = new Base64MockV2('k1');
    const chain = chainOf(make(plugin, { now: c.now }));
    const stored = await chain.write(utf8('v'), ctx);
    plugin.setKeyID('k2');
    c.advance(59_999);
    expect((await chain.read(stored, ctx)).stale).toBe(false);
    expect(plugin.calls.status).toBe(1);
    c.advance(1);
    const r = chain.read(stored, ctx);
    expect(isPromise(r)).toBe(true);
    expect((await r).stale).toBe(true);
    expect(plugin.calls.status).toBe(2);
  });

  it('reads AES_GCM_KEY values (KDF off writers) as stale', async () => {
    const key = backend.randomBytes(32);
    const mock = new Base64MockV2('k1');
    const wrapped = (await mock.encrypt('u', key)).ciphertext;
    const encryptedData = aesGcmTransformer(key, { backend }).write(utf8('legacy'), ctx) as Uint8Array;
    const stored = new Uint8Array([
      ...utf8(PREFIX),
      ...encodeEncryptedObject({ encryptedData, keyID: 'k1', encryptedDEKSource: wrapped, annotations: {}, encryptedDEKSourceType: 0 }),
    ]);
    const r = await chainOf(make(new Base64MockV2('k1'))).read(stored, ctx);
    expect(fromUtf8(r.plaintext)).toBe('legacy');
    expect(r.stale).toBe(true);
  });

  it('coalesces 100 concurrent reads into one Decrypt (and one Status)', async () => {
    const stored = await chainOf(make(new Base64MockV2('k1'))).write(utf8('v'), ctx);
    const plugin = new Base64MockV2('k1');
    const chain = chainOf(make(plugin));
    const results = await Promise.all(Array.from({ length: 100 }, () => chain.read(stored, ctx)));
    expect(results.every((r) => fromUtf8(r.plaintext) === 'v' && !r.stale)).toBe(true);
    expect(plugin.calls).toEqual({ status: 1, encrypt: 1, decrypt: 1 });
  });

  it('answers cache hits synchronously', async () => {
    const stored = body(await chainOf(make(new Base64MockV2('k1'))).write(utf8('v'), ctx));
    const t = make(new Base64MockV2('k1')).transformer;
    await t.read(stored, ctx);
    const again = t.read(stored, ctx);
    expect(isPromise(again)).toBe(false);
    expect(fromUtf8((again as ReadResult).plaintext)).toBe('v');
  });

  it.each([
    [5, 10, 5],
    [5, 4, 10],
    [5, 0, 10],
  ])('%i distinct seeds, cacheSize %i -> %i Decrypt calls', async (n, cacheSize, expected) => {
    const stored: Uint8Array[] = [];
    for (let i = 0; i < n; i++) stored.push(body(await chainOf(make(new Base64MockV2('k1'))).write(utf8(`v${i}`), ctx)));
    const plugin = new Base64MockV2('k1');
    const t = make(plugin, { cacheSize }).transformer;
    for (let pass = 0; pass < 2; pass++) {
      for (const [i, s] of stored.entries()) expect(fromUtf8((await t.read(s, ctx)).plaintext)).toBe(`v${i}`);
    }
    expect(plugin.calls.decrypt).toBe(expected);
  });

  it('drops cache entries after the TTL', async () => {
    const c = clock();
    const stored = body(await chainOf(make(new Base64MockV2('k1'))).write(utf8('v'), ctx));
    const plugin = new Base64MockV2('k1');
    const t = make(plugin, { now: c.now, cacheTTLMs: 1000, statusIntervalMs: Number.POSITIVE_INFINITY }).transformer;
    await t.read(stored, ctx);
    c.advance(999);
    await t.read(stored, ctx);
    expect(plugin.calls.decrypt).toBe(1);
    c.advance(1);
    await t.read(stored, ctx);
    expect(plugin.calls.decrypt).toBe(2);
  });

  it('coasts on a failing plugin: reads keep working, writes stop after 3 minutes', async () => {
    const c = clock();
    const plugin = new Base64MockV2('k1');
    let down = false;
    const flaky: KmsServiceV2 = {
      status: () => (down ? Promise.reject(new AtrestError(ErrorCode.KmsPlugin, 'rpc error: unavailable')) : plugin.status()),
      encrypt: (u, p) => plugin.encrypt(u, p),
      decrypt: (u, r) => plugin.decrypt(u, r),
    };
    const entry = make(flaky, { now: c.now });
    const chain = chainOf(entry);
    const stored = await chain.write(utf8('v'), ctx);
    down = true;
    c.advance(60_000);
    expect(fromUtf8((await chain.read(stored, ctx)).plaintext)).toBe('v');
    await chain.write(utf8('still fine'), ctx);
    await expect(entry.refreshStatus()).rejects.toThrow(
      'failed to perform status section of the healthz check for KMS Provider kms2, error: rpc error: unavailable',
    );
    c.advance(120_001); // 3 minutes and 1 ms after the last healthy poll
    const err = await caught(() => chain.write(utf8('x'), ctx));
    expect(err.code).toBe(ErrorCode.KmsPlugin);
    expect(err.message).toMatch(
      /^encryptedDEKSource with keyID hash "sha256:[0-9a-f]{64}" expired at 2026-01-01T00:03:00Z \(current time is 2026-01-01T00:03:00Z\)$/,
    );
    expect(fromUtf8((await chain.read(stored, ctx)).plaintext)).toBe('v');
    down = false;
    c.advance(10_000);
    await chain.write(utf8('recovered'), ctx);
  });

  describe('bad input', () => {
    const reader = () => make(new Base64MockV2('k1')).transformer;
    const valid = { encryptedData: new Uint8Array(60), keyID: 'k1', encryptedDEKSource: utf8('AAAA'), annotations: {}, encryptedDEKSourceType: 1 };

    it('corrupt protobuf -> ERR_KMS_INVALID with the provider in context', async () => {
      const err = await caught(() => reader().read(new Uint8Array([0x0a, 0x05, 1]), ctx));
      expect(err.code).toBe(ErrorCode.KmsInvalid);
      expect(err.message).toBe('unexpected EOF');
      expect(err.context['provider']).toBe('kms2');
    });

    it.each([
      [[0x12, 0x01, 0x31, 0x1a, 0x01, 0x41, 0x28, 0x07, 0x0a, 0x01, 0x00], 'unknown encryptedDEKSourceType: 7'],
      [[0x12, 0x01, 0x31, 0x1a, 0x01, 0x41], 'encrypted data is empty'],
    ])('hand-made object %#', async (bytes, message) => {
      const err = await caught(() => reader().read(new Uint8Array(bytes), ctx));
      expect(err.code).toBe(ErrorCode.KmsInvalid);
      expect(err.message).toBe(message);
    });

    it('oversized keyID and annotations in a stored value', async () => {
      const big = (patch: object): Uint8Array => {
        // Encode a valid object, then splice in fields the encoder would refuse.
        const ok = encodeEncryptedObject(valid);
        const extra = patch as { keyID?: string; annotation?: [string, number] };
        const parts: number[] = [...ok];
        if (extra.keyID !== undefined) {
          const k = utf8(extra.keyID);
          parts.push(0x12, 0x81, 0x08, ...k); // length 1025 as varint 0x81 0x08
        }
        if (extra.annotation !== undefined) {
          const key = utf8(extra.annotation[0]);
          const value = new Uint8Array(extra.annotation[1]);
          const entry = [0x0a, key.length, ...key, 0x12, ...varint(value.length), ...value];
          parts.push(0x22, ...varint(entry.length), ...entry);
        }
        return new Uint8Array(parts);
      };
      const e1 = await caught(() => reader().read(big({ keyID: 'x'.repeat(1025) }), ctx));
      expect(e1.message).toBe('failed to validate key id: keyID is 1025 bytes, which exceeds the max size of 1024');
      const e2 = await caught(() => reader().read(big({ annotation: ['a.example.com', 32 * 1024] }), ctx));
      expect(e2.message).toBe(
        'failed to validate annotations: total size of annotations is 32781, which exceeds the max size of 32768',
      );
      expect(e2.code).toBe(ErrorCode.KmsInvalid);
    });

    it('wrong-size DEK source after unwrap', async () => {
      const mock = new Base64MockV2('k1');
      const seedStored = encodeEncryptedObject({ ...valid, encryptedDEKSource: (await mock.encrypt('u', new Uint8Array(16))).ciphertext });
      const e1 = await caught(() => reader().read(seedStored, ctx));
      expect(e1.code).toBe(ErrorCode.KmsInvalid);
      expect(e1.message).toBe('invalid seed length 16 used for key generation');
      const keyStored = encodeEncryptedObject({
        ...valid,
        encryptedDEKSource: (await mock.encrypt('u', new Uint8Array(20))).ciphertext,
        encryptedDEKSourceType: 0,
      });
      const e2 = await caught(() => reader().read(keyStored, ctx));
      expect(e2.message).toBe('crypto/aes: invalid key size 20');
    });

    it('undecodable wrapped DEK -> upstream text', async () => {
      const err = await caught(() => reader().read(encodeEncryptedObject({ ...valid, encryptedDEKSource: utf8('@@@@') }), ctx));
      expect(err.code).toBe(ErrorCode.KmsPlugin);
      expect(err.message).toBe('failed to decrypt DEK, error: illegal base64 data at input byte 0');
    });

    it('plugin garbage and throws never leak key material', async () => {
      const mock = new Base64MockV2('k1');
      let seedHex = '';
      const leaky: KmsServiceV2 = {
        status: () => mock.status(),
        encrypt: (_uid, seed) => {
          seedHex = Buffer.from(seed).toString('hex');
          return Promise.reject(new Error(`refusing ${seedHex}`));
        },
        decrypt: () => Promise.resolve('garbage' as unknown as Uint8Array),
      };
      const entry = make(leaky);
      const err = await caught(() => chainOf(entry).write(utf8('plaintext-secret'), ctx));
      expect(err.code).toBe(ErrorCode.KmsPlugin);
      expect(err.message).toMatch(/^kmsv2 Provider kms2 is not healthy, error: failed to rotate DEK uid="[0-9a-f-]{36}", useSeed=true, errState=got unexpected nil transformer, errGen=failed to encrypt DEK, error: kms plugin encrypt call failed, statusKeyIDHash="sha256:[0-9a-f]{64}", encryptKeyIDHash="", stateKeyIDHash="", expirationTimestamp=0001-01-01T00:00:00Z$/);
      const rendered = `${err.describe()} ${JSON.stringify(err)} ${inspect(err, { depth: 5 })}`;
      expect(seedHex).toHaveLength(64);
      expect(rendered).not.toContain(seedHex);
      expect(rendered).not.toContain('plaintext-secret');
      const stored = await chainOf(make(mock)).write(utf8('v'), ctx);
      const e2 = await caught(() => chainOf(make({ ...leaky, encrypt: (u, p) => mock.encrypt(u, p) })).read(stored, ctx));
      expect(e2.code).toBe(ErrorCode.KmsInvalid);
      expect(e2.message).toBe('kms plugin returned an invalid decrypt response: plaintext is not bytes');
    });

    it('unhealthy status, bad key IDs and mismatched encrypt answers', async () => {
      const e1 = await caught(() => make(new Base64MockV2('k1', { healthz: 'sick', version: 'v1' })).refreshStatus());
      expect(e1.message).toBe(
        'kmsv2 Provider kms2 is not healthy, error: [got unexpected healthz status: sick, expected KMSv2 API version v2, got v1]',
      );
      const e2 = await caught(() => make(new Base64MockV2('')).refreshStatus());
      expect(e2.message).toBe('kmsv2 Provider kms2 is not healthy, error: got invalid KMSv2 KeyID hash "": keyID is empty');
      const mock = new Base64MockV2('k1');
      const liar: KmsServiceV2 = {
        status: () => mock.status(),
        encrypt: async (u, p) => ({ ...(await mock.encrypt(u, p)), keyID: 'other' }),
        decrypt: (u, r) => mock.decrypt(u, r),
      };
      const entry = make(liar);
      const e3 = await caught(() => entry.refreshStatus());
      expect(e3.message).toContain('failed to rotate DEK');
      expect(e3.message).toContain('errGen=<nil>');
      expect(entry.currentKeyID).toBeUndefined();
      const e4 = await caught(() => chainOf(entry).write(utf8('x'), ctx));
      expect(e4.message).toBe(e3.message);
    });

    it('an encrypt answer with an invalid annotation is refused with upstream text', async () => {
      const entry = make(new Base64MockV2('k1', { annotations: { NotFQDN: utf8('x') } }));
      const err = await caught(() => entry.refreshStatus());
      expect(err.message).toContain(
        'errGen=failed to validate annotations: annotations: Invalid value: "NotFQDN": a lowercase RFC 1123 subdomain',
      );
    });
  });

  it('keeps key material out of inspect and JSON', async () => {
    const entry = make(new Base64MockV2('k1'));
    const stored = await chainOf(entry).write(utf8('x'), ctx);
    const wrapped = fromUtf8(decodeEncryptedObject(body(stored)).encryptedDEKSource);
    const seedHex = Buffer.from(wrapped, 'base64').toString('hex');
    const shown = `${inspect(entry, { depth: 10, showHidden: true })} ${JSON.stringify(entry)} ${String(entry.transformer)}`;
    expect(shown).not.toContain(seedHex);
    expect(entry.name).toBe('kms:v2:kms2');
  });
});

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}
