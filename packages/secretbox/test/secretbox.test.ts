import {
  type CryptoBackend,
  ErrorCode,
  nobleBackend,
  nodeBackend,
  PrefixChain,
  readSync,
  type SecretboxCipher,
  utf8,
  writeSync,
} from '@atrest/core';
import { availableBackends } from '@atrest/core';
import { SECRETBOX_PREFIX, secretboxProvider, secretboxTransformer } from '@atrest/secretbox';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { atrestErrorOf, CTX, describeKnownAnswers, hex, noMatch, patterned as kitPatterned } from '@atrest/test-support/provider-kit';

const SIZES = [0, 1, 15, 16, 17, 31, 32, 33, 1000, 65536];
const patterned = (n: number): Uint8Array => kitPatterned(n, 17, 5);


describe.each(availableBackends())('secretbox on the $name backend', (backend: CryptoBackend) => {
  // nodeBackend has no XSalsa20, so with it the transformer dispatches to noble's secretbox; the
  // pair below checks that the dispatch path and noble directly open each other's output.
  const other = backend === nodeBackend ? nobleBackend : nodeBackend;
  const key = backend.randomBytes(32);
  const t = secretboxTransformer(key, { backend });

  it.each(SIZES)('round-trips %i bytes as nonce(24) || tag(16) || ct', (n) => {
    const pt = patterned(n);
    const payload = writeSync(t, pt, CTX);
    expect(payload.length).toBe(24 + 16 + n);
    const r = readSync(t, payload, CTX);
    expect(hex(r.plaintext)).toBe(hex(pt));
    expect(r.stale).toBe(false);
    expect(hex(readSync(secretboxTransformer(key, { backend: other }), payload, CTX).plaintext)).toBe(hex(pt));
    // The layout is NaCl's: opening the bytes after the nonce with noble's secretbox directly works.
    const direct = (nobleBackend.secretbox as (k: Uint8Array) => SecretboxCipher)(key).openAt(payload, 0);
    expect(hex(direct as Uint8Array)).toBe(hex(pt));
  });

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

  it('validates the key size without echoing the key', () => {
    for (const n of [0, 16, 24, 31, 33]) {
      const e = atrestErrorOf(() => secretboxProvider([{ name: 'k', secret: backend.randomBytes(n) }], { backend }));
      expect(e.code).toBe(ErrorCode.InvalidKey);
      expect(e.message).toBe(`expected key size 32 for secretbox provider, got ${n}`);
      expect(e.context).toEqual({ provider: 'secretbox', key: 'k', length: n });
    }
    expect(atrestErrorOf(() => secretboxProvider([], { backend })).message).toBe('secretbox provider has no valid keys');
  });

  it('provider entry: prefix, first key writes, later keys read stale, unknown key named', () => {
    const k2 = backend.randomBytes(32);
    const entry = secretboxProvider(
      [
        { name: 'a', secret: key },
        { name: 'b', secret: k2 },
      ],
      { backend },
    );
    expect(Buffer.from(entry.prefix).toString()).toBe(SECRETBOX_PREFIX);
    const chain = new PrefixChain([entry], noMatch);
    const stored = writeSync(chain, utf8('v'), CTX);
    expect(Buffer.from(stored.subarray(0, SECRETBOX_PREFIX.length + 2)).toString()).toBe(`${SECRETBOX_PREFIX}a:`);
    expect(readSync(chain, stored, CTX)).toMatchObject({ stale: false, source: 'secretbox:a' });
    const byB = writeSync(new PrefixChain([secretboxProvider([{ name: 'b', secret: k2 }], { backend })], noMatch), utf8('w'), CTX);
    expect(readSync(chain, byB, CTX)).toMatchObject({ stale: true, source: 'secretbox:b' });
    const e = atrestErrorOf(() => chain.read(utf8(`${SECRETBOX_PREFIX}c:${'x'.repeat(40)}`), CTX));
    expect(e.code).toBe(ErrorCode.NoMatchingKey);
    expect(e.message).toBe('no matching key was found for the provided Secretbox transformer');
  });

  describeKnownAnswers(
    'secretbox',
    15,
    (c) => secretboxProvider([{ name: c.keyName, secret: c.secret }], { backend }),
  );

  describe('properties', () => {
    const keyArb = fc.uint8Array({ minLength: 32, maxLength: 32 });

    it('round-trips random keys, plaintexts and contexts through both paths', () => {
      fc.assert(
        fc.property(keyArb, fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 64 }), (k, pt, ctx) => {
          const payload = writeSync(secretboxTransformer(k, { backend }), pt, ctx);
          expect(hex(readSync(secretboxTransformer(k, { backend: other }), payload, ctx).plaintext)).toBe(hex(pt));
        }),
        { numRuns: 100 },
      );
    });

    it('rejects every single-bit flip and every truncation with a typed error, never echoing the key', () => {
      fc.assert(
        fc.property(keyArb, fc.uint8Array({ maxLength: 200 }), fc.nat(), fc.boolean(), (k, pt, where, truncate) => {
          const s = secretboxTransformer(k, { backend });
          const payload = writeSync(s, pt, CTX);
          let bad: Uint8Array;
          if (truncate) bad = payload.subarray(0, where % payload.length);
          else {
            bad = payload.slice();
            const bit = where % (payload.length * 8);
            bad[bit >> 3] = (bad[bit >> 3] as number) ^ (1 << (bit & 7));
          }
          const e = atrestErrorOf(() => s.read(bad, CTX));
          expect([ErrorCode.Authentication, ErrorCode.TooShort]).toContain(e.code);
          const text = `${e.message} ${e.describe()} ${JSON.stringify(e.context)}`;
          expect(text).not.toContain(Buffer.from(k).toString('hex'));
          expect(text).not.toContain(Buffer.from(k).toString('base64'));
        }),
        { numRuns: 200 },
      );
    });
  });
});
