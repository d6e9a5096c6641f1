import { type CryptoBackend, hkdfSha256Expand } from '@atrest/core';
import { availableBackends } from '@atrest/core';
import { expand } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const h = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

// RFC 5869 appendix A.1 (Basic test case with SHA-256): the expand step from its PRK.
const A1 = {
  prk: h('077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5'),
  info: h('f0f1f2f3f4f5f6f7f8f9'),
  okm: h('3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865'),
};

describe.each(availableBackends())('hkdfSha256Expand on the $name backend', (backend: CryptoBackend) => {
  it('matches RFC 5869 test case A.1 (L = 42)', () => {
    expect(hex(hkdfSha256Expand(backend, A1.prk, A1.info, 42))).toBe(hex(A1.okm));
  });

  it('gives prefixes of the same stream for shorter lengths', () => {
    for (const n of [0, 1, 31, 32, 33]) expect(hex(hkdfSha256Expand(backend, A1.prk, A1.info, n))).toBe(hex(A1.okm.subarray(0, n)));
  });

  it('agrees with noble-hashes expand for random inputs and lengths', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 64 }), fc.uint8Array({ maxLength: 100 }), fc.integer({ min: 0, max: 300 }), (prk, info, n) => {
        expect(hex(hkdfSha256Expand(backend, prk, info, n))).toBe(hex(expand(sha256, prk, info, n)));
      }),
      { numRuns: 100 },
    );
  });

  it('refuses lengths outside 0..8160', () => {
    for (const n of [-1, 8161, 1.5, Number.NaN]) expect(() => hkdfSha256Expand(backend, A1.prk, A1.info, n)).toThrow(RangeError);
    expect(hkdfSha256Expand(backend, A1.prk, A1.info, 8160).length).toBe(8160);
  });
});
