import { AES_NO_MATCHING_KEY, AESGCM_PREFIX, aesgcmProvider, aesGcmTransformer } from '@atrest/aesgcm';
import { AtrestError, ErrorCode, PrefixChain, utf8, writeSync } from '@atrest/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { atrestErrorOf, crossBackendRoundTrip, CTX, damaged, describeKnownAnswers, describeOnEveryBackend, expectKeyChecks, expectKeyHidden, expectNoKeyIn, expectProviderEntry, hex, noMatch, patterned as kitPatterned, roundTrip, SIZES } from '@atrest/test-support/provider-kit';

const KEY_SIZES = [16, 24, 32];
const patterned = (n: number): Uint8Array => kitPatterned(n, 31, 7);

describeOnEveryBackend('aesgcm', (backend, other) => {
  const entryFor = (keys: Parameters<typeof aesgcmProvider>[0]) => aesgcmProvider(keys, { backend });

  describe.each(KEY_SIZES)('%i-byte key', (keySize) => {
    const key = backend.randomBytes(keySize);
    const t = aesGcmTransformer(key, { backend });

    it.each(SIZES)('round-trips %i bytes with layout nonce(12) || ct || tag(16)', (n) => {
      roundTrip(t, aesGcmTransformer(key, { backend: other }), patterned(n), 12 + n + 16);
    });

    it('shows its key neither through String, JSON nor util.inspect', () => expectKeyHidden(t, key));

    it('uses a fresh nonce per write', () => {
      const a = writeSync(t, utf8('same'), CTX);
      const b = writeSync(t, utf8('same'), CTX);
      expect(hex(a.subarray(0, 12))).not.toBe(hex(b.subarray(0, 12)));
    });
  });

  it('refuses a value under another etcd key (the context is the additional data)', () => {
    const t = aesGcmTransformer(backend.randomBytes(32), { backend });
    const payload = writeSync(t, utf8('x'), CTX);
    const e = atrestErrorOf(() => t.read(payload, utf8('/registry/secrets/default/other')));
    expect(e.code).toBe(ErrorCode.Authentication);
    expect(e.message).toBe('cipher: message authentication failed');
  });

  it('reports payloads under 12 bytes as too short and a short tag as an authentication failure', () => {
    const t = aesGcmTransformer(backend.randomBytes(16), { backend });
    for (const n of [0, 1, 11]) {
      const e = atrestErrorOf(() => t.read(new Uint8Array(n), CTX));
      expect(e.code).toBe(ErrorCode.TooShort);
      expect(e.message).toBe('the stored data was shorter than the required size');
      expect(e.context.length).toBe(n);
    }
    const payload = writeSync(t, utf8('hello'), CTX);
    for (const n of [12, 13, 27, payload.length - 1]) {
      const e = atrestErrorOf(() => t.read(payload.subarray(0, n), CTX));
      expect(e.code).toBe(ErrorCode.Authentication);
    }
  });

  it('validates keys without echoing them', () => {
    expectKeyChecks('aesgcm', entryFor, [0, 1, 15, 17, 31, 33, 64], (n) => `crypto/aes: invalid key size ${n}`, 'aes provider has no valid keys');
    expect(atrestErrorOf(() => aesGcmTransformer(new Uint8Array(17), { backend })).context).toEqual({ provider: 'aesgcm', length: 17 });
  });

  it('provider entry: prefix, first key writes, later keys read stale, unknown key named', () => {
    expectProviderEntry('aesgcm', AESGCM_PREFIX, entryFor, backend.randomBytes(32), backend.randomBytes(16), AES_NO_MATCHING_KEY);
  });

  describeKnownAnswers(
    'aesgcm',
    40,
    (c) => entryFor([{ name: c.keyName, secret: c.secret }]),
    (chain, stored, c) => {
      const moved = atrestErrorOf(() => chain.read(stored, utf8(`${c.key}-moved`)));
      expect(moved.code).toBe(ErrorCode.Authentication);
    },
  );

  describe('properties', () => {
    const keyArb = fc.constantFrom(16, 24, 32).chain((n) => fc.uint8Array({ minLength: n, maxLength: n }));
    const ptArb = fc.uint8Array({ maxLength: 300 });
    const ctxArb = fc.uint8Array({ maxLength: 80 });

    it('round-trips random keys, plaintexts and contexts, across backends', () => {
      fc.assert(
        fc.property(keyArb, ptArb, ctxArb, crossBackendRoundTrip(aesGcmTransformer, backend, other)),
        { numRuns: 100 },
      );
    });

    it('rejects every single-bit flip and every truncation with a typed error', () => {
      fc.assert(
        fc.property(keyArb, ptArb, ctxArb, fc.nat(), fc.boolean(), (key, pt, ctx, where, truncate) => {
          const t = aesGcmTransformer(key, { backend });
          const e = atrestErrorOf(() => t.read(damaged(writeSync(t, pt, ctx), where, truncate), ctx));
          expect([ErrorCode.Authentication, ErrorCode.TooShort]).toContain(e.code);
          expectNoKeyIn(e, key);
        }),
        { numRuns: 200 },
      );
    });

    it('never leaks the key into errors (wrong key, unknown name, bad sizes)', () => {
      fc.assert(
        fc.property(keyArb, keyArb, fc.uint8Array({ maxLength: 64 }), (k1, k2, junk) => {
          const writer = new PrefixChain([aesgcmProvider([{ name: 'a', secret: k1 }], { backend })], noMatch);
          const reader = new PrefixChain([aesgcmProvider([{ name: 'a', secret: k2 }], { backend })], noMatch);
          const stored = writeSync(writer, junk, CTX);
          const errors: AtrestError[] = [];
          const collect = (fn: () => unknown): void => {
            try {
              fn();
            } catch (err) {
              expect(err).toBeInstanceOf(AtrestError);
              errors.push(err as AtrestError);
            }
          };
          collect(() => reader.read(stored, CTX));
          collect(() => reader.read(junk, CTX));
          collect(() => aesgcmProvider([{ name: 'a', secret: k1.subarray(1) }], { backend }));
          for (const e of errors) expectNoKeyIn(e, k1, k2);
        }),
        { numRuns: 50 },
      );
    });
  });
});
