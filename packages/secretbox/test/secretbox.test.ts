import { type CryptoBackend, ErrorCode, nobleBackend, readSync, type SecretboxCipher, utf8, writeSync } from '@atrest/core';
import { SECRETBOX_PREFIX, secretboxProvider, secretboxTransformer } from '@atrest/secretbox';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { atrestErrorOf, crossBackendRoundTrip, CTX, damaged, describeKnownAnswers, describeOnEveryBackend, expectKeyChecks, expectKeyHidden, expectNoKeyIn, expectProviderEntry, hex, patterned as kitPatterned, roundTrip, SIZES } from '@atrest/test-support/provider-kit';

const patterned = (n: number): Uint8Array => kitPatterned(n, 17, 5);

describeOnEveryBackend('secretbox', (backend, other) => {
  // nodeBackend has no XSalsa20, so with it the transformer dispatches to noble's secretbox; the
  // pair below checks that the dispatch path and noble directly open each other's output.
  const key = backend.randomBytes(32);
  const t = secretboxTransformer(key, { backend });
  const entryFor = (keys: Parameters<typeof secretboxProvider>[0]) => secretboxProvider(keys, { backend });

  it.each(SIZES)('round-trips %i bytes as nonce(24) || tag(16) || ct', (n) => {
    const pt = patterned(n);
    const payload = roundTrip(t, secretboxTransformer(key, { backend: other }), pt, 24 + 16 + n);
    // The layout is NaCl's: opening the bytes after the nonce with noble's secretbox directly works.
    const direct = (nobleBackend.secretbox as (k: Uint8Array) => SecretboxCipher)(key).openAt(payload, 0);
    expect(hex(direct as Uint8Array)).toBe(hex(pt));
  });

  it('shows its key neither through String, JSON nor util.inspect', () => expectKeyHidden(t, key));

  it('uses the backend secretbox when the backend has one', () => {
    let calls = 0;
    const noble = nobleBackend.secretbox as (k: Uint8Array) => SecretboxCipher;
    const spy: CryptoBackend = {
      ...backend,
      name: 'spy',
      secretbox(k: Uint8Array): SecretboxCipher {
        calls++;
        return noble(k);
      },
    };
    const s = secretboxTransformer(key, { backend: spy });
    expect(calls).toBe(1);
    expect(hex(readSync(t, writeSync(s, utf8('x'), CTX), CTX).plaintext)).toBe(hex(utf8('x')));
  });

  it('does not bind the etcd key: a moved value still decrypts', () => {
    const payload = writeSync(t, utf8('moved'), CTX);
    expect(Buffer.from(readSync(t, payload, utf8('/registry/secrets/x/y')).plaintext).toString()).toBe('moved');
  });

  it('reports short payloads and failed opens with upstream texts', () => {
    for (const n of [0, 23, 24, 39]) {
      const e = atrestErrorOf(() => t.read(new Uint8Array(n), CTX));
      expect(e.code).toBe(ErrorCode.TooShort);
      expect(e.message).toBe('the stored data was shorter than the required size');
      expect(e.context).toMatchObject({ length: n, minimum: 40 });
    }
    const e = atrestErrorOf(() => t.read(new Uint8Array(40), CTX));
    expect(e.code).toBe(ErrorCode.Authentication);
    expect(e.message).toBe('output array was not large enough for encryption');
  });

  it('validates the key without echoing it', () => {
    const text = (n: number): string => `expected key size 32 for secretbox provider, got ${n}`;
    expectKeyChecks('secretbox', entryFor, [0, 16, 24, 31, 33], text, 'secretbox provider has no valid keys');
  });

  it('provider entry: prefix, first key writes, later keys read stale, unknown key named', () => {
    const noMatchingKey = 'no matching key was found for the provided Secretbox transformer';
    expectProviderEntry('secretbox', SECRETBOX_PREFIX, entryFor, key, backend.randomBytes(32), noMatchingKey);
  });

  describeKnownAnswers('secretbox', 15, (c) => entryFor([{ name: c.keyName, secret: c.secret }]));

  describe('properties', () => {
    const keyArb = fc.uint8Array({ minLength: 32, maxLength: 32 });

    it('round-trips random keys, plaintexts and contexts through both paths', () => {
      fc.assert(
        fc.property(keyArb, fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 64 }), crossBackendRoundTrip(secretboxTransformer, backend, other)),
        { numRuns: 100 },
      );
    });

    it('rejects every single-bit flip and every truncation with a typed error, never echoing the key', () => {
      fc.assert(
        fc.property(keyArb, fc.uint8Array({ maxLength: 200 }), fc.nat(), fc.boolean(), (k, pt, where, truncate) => {
          const s = secretboxTransformer(k, { backend });
          const e = atrestErrorOf(() => s.read(damaged(writeSync(s, pt, CTX), where, truncate), CTX));
          expect([ErrorCode.Authentication, ErrorCode.TooShort]).toContain(e.code);
          expectNoKeyIn(e, k);
        }),
        { numRuns: 200 },
      );
    });
  });
});
