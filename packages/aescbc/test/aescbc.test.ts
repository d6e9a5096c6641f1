import { AESCBC_PREFIX, aescbcProvider, aesCbcTransformer } from '@atrest/aescbc';
import { type AesCbcCipher, AtrestError, type CryptoBackend, ErrorCode, readSync, utf8, writeSync } from '@atrest/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { atrestErrorOf, crossBackendRoundTrip, CTX, damaged, describeKnownAnswers, describeOnEveryBackend, expectKeyChecks, expectKeyHidden, expectNoKeyIn, expectProviderEntry, hex, patterned as kitPatterned, roundTrip, SIZES } from '@atrest/test-support/provider-kit';

const KEY_SIZES = [16, 24, 32];
const AES_NO_MATCHING_KEY = 'no matching key was found for the provided AES transformer';
const patterned = (n: number): Uint8Array => kitPatterned(n, 29, 3);

describeOnEveryBackend('aescbc', (backend, other) => {
  describe.each(KEY_SIZES)('%i-byte key', (keySize) => {
    const key = backend.randomBytes(keySize);
    const t = aesCbcTransformer(key, { backend });

    it.each(SIZES)('round-trips %i bytes as IV(16) || PKCS#7-padded blocks', (n) => {
      const pad = 16 - (n % 16);
      const payload = roundTrip(t, aesCbcTransformer(key, { backend: other }), patterned(n), 16 + n + pad);
      // Padding is really PKCS#7: decrypting the raw blocks shows `pad` bytes of value `pad`.
      const raw = other.aesCbc(key).decryptAt(payload, 0);
      expect(hex(raw.subarray(n))).toBe(hex(new Uint8Array(pad).fill(pad)));
    });

    it('shows its key neither through String, JSON nor util.inspect', () => expectKeyHidden(t, key));
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

  const entryFor = (keys: Parameters<typeof aescbcProvider>[0]) => aescbcProvider(keys, { backend });

  it('validates keys without echoing them', () => {
    expectKeyChecks('aescbc', entryFor, [0, 8, 15, 17, 33], (n) => `crypto/aes: invalid key size ${n}`, 'aes provider has no valid keys');
  });

  it('provider entry: prefix, first key writes, later keys read stale, unknown key named', () => {
    expectProviderEntry('aescbc', AESCBC_PREFIX, entryFor, backend.randomBytes(32), backend.randomBytes(24), AES_NO_MATCHING_KEY);
  });

  describeKnownAnswers('aescbc', 40, (c) => entryFor([{ name: c.keyName, secret: c.secret }]));

  describe('properties', () => {
    const keyArb = fc.constantFrom(16, 24, 32).chain((n) => fc.uint8Array({ minLength: n, maxLength: n }));

    it('round-trips random keys, plaintexts and contexts across backends', () => {
      fc.assert(
        fc.property(keyArb, fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 64 }), crossBackendRoundTrip(aesCbcTransformer, backend, other)),
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
            expectNoKeyIn(err as AtrestError, key);
          }
        }),
        { numRuns: 300 },
      );
    });

    it('never throws anything but an AtrestError on damaged values (flips, truncations)', () => {
      fc.assert(
        fc.property(keyArb, fc.uint8Array({ maxLength: 100 }), fc.nat(), fc.boolean(), (key, pt, where, truncate) => {
          const t = aesCbcTransformer(key, { backend });
          try {
            t.read(damaged(writeSync(t, pt, CTX), where, truncate), CTX);
          } catch (err) {
            expect(err).toBeInstanceOf(AtrestError);
          }
        }),
        { numRuns: 200 },
      );
    });
  });
});
