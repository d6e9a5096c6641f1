import { AESGCM_PREFIX, aesgcmProvider, aesGcmTransformer } from '@atrest/aesgcm';
import {
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

/** Run `fn`, returning the AtrestError it throws; fail on success or on any other throwable. */

const patterned = (n: number): Uint8Array => kitPatterned(n, 31, 7);

describe.each(availableBackends())('aesgcm on the $name backend', (backend: CryptoBackend) => {
  const other = backend === nodeBackend ? nobleBackend : nodeBackend;

  describe.each(KEY_SIZES)('%i-byte key', (keySize) => {
    const key = backend.randomBytes(keySize);
    const t = aesGcmTransformer(key, { backend });

    it.each(SIZES)('round-trips %i bytes with layout nonce(12) || ct || tag(16)', (n) => {
      const pt = patterned(n);
      const payload = writeSync(t, pt, CTX);
      expect(payload.length).toBe(12 + n + 16);
      const r = readSync(t, payload, CTX);
      expect(hex(r.plaintext)).toBe(hex(pt));
      expect(r.stale).toBe(false);
      // The other backend opens it too.
      expect(hex(readSync(aesGcmTransformer(key, { backend: other }), payload, CTX).plaintext)).toBe(hex(pt));
    });

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

  it('validates key sizes without echoing the key', () => {
    for (const n of [0, 1, 15, 17, 31, 33, 64]) {
      const secret = backend.randomBytes(n);
      const e = atrestErrorOf(() => aesgcmProvider([{ name: 'k1', secret }], { backend }));
      expect(e.code).toBe(ErrorCode.InvalidKey);
      expect(e.message).toBe(`crypto/aes: invalid key size ${n}`);
      expect(e.context).toEqual({ provider: 'aesgcm', key: 'k1', length: n });
      expect(atrestErrorOf(() => aesGcmTransformer(secret, { backend })).code).toBe(ErrorCode.InvalidKey);
    }
    expect(atrestErrorOf(() => aesgcmProvider([], { backend })).code).toBe(ErrorCode.InvalidArgument);
    expect(atrestErrorOf(() => aesgcmProvider([{ name: '', secret: new Uint8Array(32) }], { backend })).code).toBe(
      ErrorCode.InvalidArgument,
    );
  });

  describe('provider entry', () => {
    const k1 = backend.randomBytes(32);
    const k2 = backend.randomBytes(16);

    it('writes with the first key under k8s:enc:aesgcm:v1:<name>: and reads later keys as stale', () => {
      const entry = aesgcmProvider(
        [
          { name: 'new', secret: k1 },
          { name: 'old', secret: k2 },
        ],
        { backend },
      );
      expect(Buffer.from(entry.prefix).toString()).toBe(AESGCM_PREFIX);
      const chain = new PrefixChain([entry], noMatch);
      const stored = writeSync(chain, utf8('v'), CTX);
      expect(Buffer.from(stored.subarray(0, AESGCM_PREFIX.length + 4)).toString()).toBe(`${AESGCM_PREFIX}new:`);
      expect(readSync(chain, stored, CTX)).toMatchObject({ stale: false, source: 'aesgcm:new' });

      const oldOnly = new PrefixChain([aesgcmProvider([{ name: 'old', secret: k2 }], { backend })], noMatch);
      const oldStored = writeSync(oldOnly, utf8('w'), CTX);
      const r = readSync(chain, oldStored, CTX);
      expect(Buffer.from(r.plaintext).toString()).toBe('w');
      expect(r).toMatchObject({ stale: true, source: 'aesgcm:old' });
    });

    it('reports an unknown key name with upstream text', () => {
      const chain = new PrefixChain([aesgcmProvider([{ name: 'a', secret: k1 }], { backend })], noMatch);
      const e = atrestErrorOf(() => chain.read(utf8(`${AESGCM_PREFIX}b:${'x'.repeat(40)}`), CTX));
      expect(e.code).toBe(ErrorCode.NoMatchingKey);
      expect(e.message).toBe('no matching key was found for the provided AES transformer');
    });
  });

  describeKnownAnswers(
    'aesgcm',
    40,
    (c) => aesgcmProvider([{ name: c.keyName, secret: c.secret }], { backend }),
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
        fc.property(keyArb, ptArb, ctxArb, (key, pt, ctx) => {
          const payload = writeSync(aesGcmTransformer(key, { backend }), pt, ctx);
          expect(hex(readSync(aesGcmTransformer(key, { backend: other }), payload, ctx).plaintext)).toBe(hex(pt));
        }),
        { numRuns: 100 },
      );
    });

    it('rejects every single-bit flip and every truncation with a typed error', () => {
      fc.assert(
        fc.property(keyArb, ptArb, ctxArb, fc.nat(), fc.boolean(), (key, pt, ctx, where, truncate) => {
          const t = aesGcmTransformer(key, { backend });
          const payload = writeSync(t, pt, ctx);
          let bad: Uint8Array;
          if (truncate) bad = payload.subarray(0, where % payload.length);
          else {
            bad = payload.slice();
            const bit = where % (payload.length * 8);
            bad[bit >> 3] = (bad[bit >> 3] as number) ^ (1 << (bit & 7));
          }
          const e = atrestErrorOf(() => t.read(bad, ctx));
          expect([ErrorCode.Authentication, ErrorCode.TooShort]).toContain(e.code);
          const hk = Buffer.from(key).toString('hex');
          const bk = Buffer.from(key).toString('base64');
          const text = `${e.message} ${e.describe()} ${JSON.stringify(e.context)}`;
          expect(text).not.toContain(hk);
          expect(text).not.toContain(bk);
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
          for (const e of errors) {
            const text = `${e.message} ${e.describe()} ${JSON.stringify(e.context)} ${String(e.stack)}`;
            for (const k of [k1, k2]) {
              expect(text).not.toContain(Buffer.from(k).toString('hex'));
              expect(text).not.toContain(Buffer.from(k).toString('base64'));
            }
          }
        }),
        { numRuns: 50 },
      );
    });
  });
});
