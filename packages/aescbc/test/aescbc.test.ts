import { AESCBC_PREFIX, aescbcProvider, aesCbcTransformer } from '@atrest/aescbc';
import {
  type AesCbcCipher,
  AtrestError,
  type CryptoBackend,
  ErrorCode,
  nobleBackend,
  nodeBackend,
  PrefixChain,
  readSync,
  utf8,
  writeSync,
} from '@atrest/core';
import { availableBackends } from '@atrest/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { atrestErrorOf, CTX, describeKnownAnswers, hex, noMatch, patterned as kitPatterned } from '@atrest/test-support/provider-kit';

const SIZES = [0, 1, 15, 16, 17, 31, 32, 33, 1000, 65536];
const KEY_SIZES = [16, 24, 32];
const patterned = (n: number): Uint8Array => kitPatterned(n, 29, 3);


describe.each(availableBackends())('aescbc on the $name backend', (backend: CryptoBackend) => {
  const other = backend === nodeBackend ? nobleBackend : nodeBackend;

  describe.each(KEY_SIZES)('%i-byte key', (keySize) => {
    const key = backend.randomBytes(keySize);
    const t = aesCbcTransformer(key, { backend });

    it.each(SIZES)('round-trips %i bytes as IV(16) || PKCS#7-padded blocks', (n) => {
      const pt = patterned(n);
      const payload = writeSync(t, pt, CTX);
      const pad = 16 - (n % 16);
      expect(payload.length).toBe(16 + n + pad);
      const r = readSync(t, payload, CTX);
      expect(hex(r.plaintext)).toBe(hex(pt));
      expect(r.stale).toBe(false);
      // Padding is really PKCS#7: decrypting the raw blocks shows `pad` bytes of value `pad`.
      const raw = other.aesCbc(key).decryptAt(payload, 0);
      expect(hex(raw.subarray(n))).toBe(hex(new Uint8Array(pad).fill(pad)));
      expect(hex(readSync(aesCbcTransformer(key, { backend: other }), payload, CTX).plaintext)).toBe(hex(pt));
    });
  });

  it('does not bind the etcd key: a moved value still decrypts', () => {
    const t = aesCbcTransformer(backend.randomBytes(32), { backend });
    const payload = writeSync(t, utf8('moved'), CTX);
    expect(Buffer.from(readSync(t, payload, utf8('/registry/secrets/other/x')).plaintext).toString()).toBe('moved');
  });

  describe('read checks, in upstream order', () => {
    const key = backend.randomBytes(16);
    const t = aesCbcTransformer(key, { backend });
    /** A payload whose decrypted body is exactly `body` (random IV). */
    const payloadFor = (body: Uint8Array): Uint8Array => {
      const iv = backend.randomBytes(16);
      const out = new Uint8Array(16 + body.length);
      out.set(iv);
      out.set(body, 16);
      backend.aesCbc(key).encryptInPlace(out, 0, out.length);
      return out;
    };

    it('short, misaligned and IV-only payloads', () => {
      for (const n of [0, 1, 15]) {
        const e = atrestErrorOf(() => t.read(new Uint8Array(n), CTX));
        expect(e.code).toBe(ErrorCode.TooShort);
        expect(e.message).toBe('the stored data was shorter than the required size');
      }
      for (const n of [17, 31, 33, 47]) {
        const e = atrestErrorOf(() => t.read(new Uint8Array(n), CTX));
        expect(e.code).toBe(ErrorCode.BlockSize);
        expect(e.message).toBe('the stored data is not a multiple of the block size');
      }
      // Exactly an IV: upstream panics; we report it as too short.
      const e = atrestErrorOf(() => t.read(new Uint8Array(16), CTX));
      expect(e.code).toBe(ErrorCode.TooShort);
      expect(e.message).toBe('the stored data was shorter than the required size');
      expect(e.context).toMatchObject({ length: 16, minimum: 32 });
    });

    it('padding length 0 or beyond the data', () => {
      const zero = patterned(16);
      zero[15] = 0;
      let e = atrestErrorOf(() => t.read(payloadFor(zero), CTX));
      expect(e.code).toBe(ErrorCode.Pkcs7Data);
      expect(e.message).toBe('invalid PKCS7 data (empty or not padded)');
      const big = new Uint8Array(16).fill(17);
      e = atrestErrorOf(() => t.read(payloadFor(big), CTX));
      expect(e.code).toBe(ErrorCode.Pkcs7Data);
    });

    it('disagreeing padding bytes, wherever the mismatch is', () => {
      for (let at = 0; at < 7; at++) {
        const body = patterned(32);
        body.fill(8, 24);
        body[24 + at] = 9;
        const e = atrestErrorOf(() => t.read(payloadFor(body), CTX));
        expect(e.code).toBe(ErrorCode.Pkcs7Padding);
        expect(e.message).toBe('invalid padding on input');
      }
    });

    it('accepts padding longer than a block when the bytes agree, as upstream does', () => {
      const body = patterned(48);
      body.fill(20, 28);
      expect(hex(readSync(t, payloadFor(body), CTX).plaintext)).toBe(hex(body.subarray(0, 28)));
      const all = new Uint8Array(32).fill(32);
      expect(readSync(t, payloadFor(all), CTX).plaintext.length).toBe(0);
    });

    it('wipes the decrypted buffer when it rejects the padding', () => {
      const seen: Uint8Array[] = [];
      const spy: CryptoBackend = {
        ...backend,
        name: `${backend.name}-spy`,
        aesCbc(k: Uint8Array): AesCbcCipher {
          const inner = backend.aesCbc(k);
          return {
            encryptInPlace: (buf, at, end) => inner.encryptInPlace(buf, at, end),
            decryptAt(data, at) {
              const out = inner.decryptAt(data, at);
              seen.push(out);
              return out;
            },
          };
        },
      };
      const spied = aesCbcTransformer(key, { backend: spy });
      const bad = patterned(32);
      bad[31] = 5;
      bad[28] = 4;
      expect(atrestErrorOf(() => spied.read(payloadFor(bad), CTX)).code).toBe(ErrorCode.Pkcs7Padding);
      const zero = patterned(32);
      zero[31] = 0;
      expect(atrestErrorOf(() => spied.read(payloadFor(zero), CTX)).code).toBe(ErrorCode.Pkcs7Data);
      expect(seen.length).toBe(2);
      for (const s of seen) expect(s.every((b) => b === 0)).toBe(true);
    });
  });

  it('validates key sizes without echoing the key', () => {
    for (const n of [0, 8, 15, 17, 33]) {
      const e = atrestErrorOf(() => aescbcProvider([{ name: 'k', secret: backend.randomBytes(n) }], { backend }));
      expect(e.code).toBe(ErrorCode.InvalidKey);
      expect(e.message).toBe(`crypto/aes: invalid key size ${n}`);
      expect(e.context).toEqual({ provider: 'aescbc', key: 'k', length: n });
    }
    expect(atrestErrorOf(() => aescbcProvider([], { backend })).code).toBe(ErrorCode.InvalidArgument);
  });

  it('provider entry: prefix, first key writes, later keys read stale, unknown key named', () => {
    const k1 = backend.randomBytes(32);
    const k2 = backend.randomBytes(24);
    const entry = aescbcProvider(
      [
        { name: 'a', secret: k1 },
        { name: 'b', secret: k2 },
      ],
      { backend },
    );
    expect(Buffer.from(entry.prefix).toString()).toBe(AESCBC_PREFIX);
    const chain = new PrefixChain([entry], noMatch);
    const stored = writeSync(chain, utf8('v'), CTX);
    expect(Buffer.from(stored.subarray(0, AESCBC_PREFIX.length + 2)).toString()).toBe(`${AESCBC_PREFIX}a:`);
    expect(readSync(chain, stored, CTX)).toMatchObject({ stale: false, source: 'aescbc:a' });
    const byB = writeSync(new PrefixChain([aescbcProvider([{ name: 'b', secret: k2 }], { backend })], noMatch), utf8('w'), CTX);
    expect(readSync(chain, byB, CTX)).toMatchObject({ stale: true, source: 'aescbc:b' });
    const e = atrestErrorOf(() => chain.read(utf8(`${AESCBC_PREFIX}c:${'x'.repeat(32)}`), CTX));
    expect(e.code).toBe(ErrorCode.NoMatchingKey);
    expect(e.message).toBe('no matching key was found for the provided AES transformer');
  });

  describeKnownAnswers(
    'aescbc',
    40,
    (c) => aescbcProvider([{ name: c.keyName, secret: c.secret }], { backend }),
  );

  describe('properties', () => {
    const keyArb = fc.constantFrom(16, 24, 32).chain((n) => fc.uint8Array({ minLength: n, maxLength: n }));

    it('round-trips random keys, plaintexts and contexts across backends', () => {
      fc.assert(
        fc.property(keyArb, fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 64 }), (key, pt, ctx) => {
          const payload = writeSync(aesCbcTransformer(key, { backend }), pt, ctx);
          expect(hex(readSync(aesCbcTransformer(key, { backend: other }), payload, ctx).plaintext)).toBe(hex(pt));
        }),
        { numRuns: 100 },
      );
    });

    it('never throws anything but an AtrestError on random input, and never echoes the key', () => {
      fc.assert(
        fc.property(keyArb, fc.uint8Array({ maxLength: 200 }), (key, data) => {
          const t = aesCbcTransformer(key, { backend });
          try {
            const r = readSync(t, data, CTX);
            expect(r.plaintext.length).toBeLessThan(data.length);
          } catch (err) {
            expect(err).toBeInstanceOf(AtrestError);
            const e = err as AtrestError;
            const text = `${e.message} ${e.describe()} ${JSON.stringify(e.context)}`;
            expect(text).not.toContain(Buffer.from(key).toString('hex'));
            expect(text).not.toContain(Buffer.from(key).toString('base64'));
          }
        }),
        { numRuns: 300 },
      );
    });

    it('never throws anything but an AtrestError on damaged values (flips, truncations)', () => {
      fc.assert(
        fc.property(keyArb, fc.uint8Array({ maxLength: 100 }), fc.nat(), fc.boolean(), (key, pt, where, truncate) => {
          const t = aesCbcTransformer(key, { backend });
          const payload = writeSync(t, pt, CTX);
          let bad: Uint8Array;
          if (truncate) bad = payload.subarray(0, where % payload.length);
          else {
            bad = payload.slice();
            const bit = where % (payload.length * 8);
            bad[bit >> 3] = (bad[bit >> 3] as number) ^ (1 << (bit & 7));
          }
          try {
            t.read(bad, CTX);
          } catch (err) {
            expect(err).toBeInstanceOf(AtrestError);
          }
        }),
        { numRuns: 200 },
      );
    });
  });
});
