import { aesGcmCounterNonceTransformer, aesGcmExtendedNonceTransformer, aesGcmTransformer } from '@atrest/aesgcm';
import { type CryptoBackend, ErrorCode, hkdfSha256Expand, nobleBackend, nodeBackend, readSync, utf8, writeSync } from '@atrest/core';
import { availableBackends } from '@atrest/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NonceCounter } from '../src/_nonce-counter.js';
import { counterNonceTransformerWith } from '../src/counter-nonce.js';
import { allValueCases, fromB64, protoBytesFields } from '@atrest/test-support/provider-kit';
import { atrestErrorOf, CTX, damaged, expectKeyHidden, hex, patterned as kitPatterned, roundTrip, SIZES } from '@atrest/test-support/provider-kit';

const le64 = (b: Uint8Array): bigint => Buffer.from(b).readBigUInt64LE(0);
const patterned = (n: number): Uint8Array => kitPatterned(n, 13, 1);


/** kms v2 vectors: the base64 mock's wrapped DEK source is the base64 text of the seed or key. */
function kmsV2Cases(family: 'seed' | 'aesgcmkey') {
  return allValueCases()
    .filter((c) => c.id.startsWith(`p-kmsv2-${family}-`))
    .map((c) => {
      const stored = fromB64(c.stored);
      const prefix = `k8s:enc:kms:v2:${c.kms?.[0]?.name}:`;
      expect(Buffer.from(stored.subarray(0, prefix.length)).toString()).toBe(prefix);
      const fields = protoBytesFields(stored.subarray(prefix.length));
      const source = fromB64(Buffer.from(fields.get(3) as Uint8Array).toString('latin1'));
      return { id: c.id, etcdKey: c.key, encryptedData: fields.get(1) as Uint8Array, source, expect: c.expect };
    });
}

describe.each(availableBackends())('KMS v2 AES-GCM formats on the $name backend', (backend: CryptoBackend) => {
  const other = backend === nodeBackend ? nobleBackend : nodeBackend;

  describe('counter nonce (AES_GCM_KEY writer)', () => {
    it('writes 4 random bytes then a little-endian counter starting at 1,000,000,001', () => {
      const key = backend.randomBytes(32);
      const t = aesGcmCounterNonceTransformer(key, { backend });
      const reader = aesGcmTransformer(key, { backend: other });
      for (let i = 1n; i <= 3n; i++) {
        const pt = patterned(Number(i) * 10);
        const payload = writeSync(t, pt, CTX);
        expect(payload.length).toBe(12 + pt.length + 16);
        expect(le64(payload.subarray(4, 12))).toBe(1_000_000_000n + i);
        expect(hex(readSync(reader, payload, CTX).plaintext)).toBe(hex(pt));
        expect(hex(readSync(t, payload, CTX).plaintext)).toBe(hex(pt));
      }
      expectKeyHidden(t, key);
    });

    it('carries into the high word', () => {
      const t = counterNonceTransformerWith(backend.randomBytes(16), backend, new NonceCounter(0xffff_ffffn));
      expect(le64(writeSync(t, new Uint8Array(0), CTX).subarray(4, 12))).toBe(0x1_0000_0000n);
    });

    it('refuses to write once the counter would wrap, and keeps refusing', () => {
      const t = counterNonceTransformerWith(backend.randomBytes(32), backend, new NonceCounter(2n ** 64n - 2n));
      expect(le64(writeSync(t, utf8('last'), CTX).subarray(4, 12))).toBe(2n ** 64n - 1n);
      for (let i = 0; i < 2; i++) {
        const e = atrestErrorOf(() => t.write(utf8('x'), CTX));
        expect(e.code).toBe(ErrorCode.NonceExhausted);
        expect(e.message).toBe('aes-gcm detected nonce overflow - cryptographic wear out has occurred');
      }
    });

    it.each(kmsV2Cases('aesgcmkey').map((c) => [c.id, c] as const))('reads upstream %s', (_id, c) => {
      if (!('plaintext' in c.expect)) throw new Error('expected a plaintext case');
      const t = aesGcmCounterNonceTransformer(c.source, { backend });
      expect(Buffer.from(readSync(t, c.encryptedData, utf8(c.etcdKey)).plaintext).toString('base64')).toBe(c.expect.plaintext);
      // Upstream's writer put a counter above one billion in nonce bytes 4..12.
      expect(le64(c.encryptedData.subarray(4, 12)) > 1_000_000_000n).toBe(true);
    });
  });

  describe('extended nonce (HKDF_SHA256_XNONCE_AES_GCM_SEED)', () => {
    it.each(SIZES)('round-trips %i bytes as info(32) || nonce(12) || ct || tag(16)', (n) => {
      const seed = backend.randomBytes(32);
      const t = aesGcmExtendedNonceTransformer(seed, { backend });
      const pt = patterned(n);
      const payload = roundTrip(t, aesGcmExtendedNonceTransformer(seed, { backend: other }), pt, 32 + 12 + n + 16);
      expectKeyHidden(t, seed);
      // The key is HKDF-Expand(seed, info, 32): the rest of the payload is plain aesgcm under it.
      const derived = hkdfSha256Expand(other, seed, payload.subarray(0, 32), 32);
      expect(hex(readSync(aesGcmTransformer(derived, { backend: other }), payload.subarray(32), CTX).plaintext)).toBe(hex(pt));
    });

    it('draws a fresh info and nonce per write', () => {
      const t = aesGcmExtendedNonceTransformer(backend.randomBytes(32), { backend });
      const a = writeSync(t, utf8('same'), CTX);
      const b = writeSync(t, utf8('same'), CTX);
      expect(hex(a.subarray(0, 32))).not.toBe(hex(b.subarray(0, 32)));
      expect(hex(a.subarray(32, 44))).not.toBe(hex(b.subarray(32, 44)));
    });

    it('checks sizes in upstream order and authenticates the etcd key and the info', () => {
      const t = aesGcmExtendedNonceTransformer(backend.randomBytes(32), { backend });
      for (const n of [0, 31, 32, 43]) {
        const e = atrestErrorOf(() => t.read(new Uint8Array(n), CTX));
        expect(e.code).toBe(ErrorCode.TooShort);
        expect(e.message).toBe('the stored data was shorter than the required size');
      }
      expect(atrestErrorOf(() => t.read(new Uint8Array(44), CTX)).code).toBe(ErrorCode.Authentication);
      const payload = writeSync(t, utf8('v'), CTX);
      expect(atrestErrorOf(() => t.read(payload, utf8('/registry/secrets/default/x'))).message).toBe(
        'cipher: message authentication failed',
      );
      const badInfo = payload.slice();
      badInfo[0] = (badInfo[0] as number) ^ 1;
      expect(atrestErrorOf(() => t.read(badInfo, CTX)).code).toBe(ErrorCode.Authentication);
    });

    it('refuses seeds under 32 bytes, naming only the length', () => {
      for (const n of [0, 16, 31]) {
        const e = atrestErrorOf(() => aesGcmExtendedNonceTransformer(new Uint8Array(n), { backend }));
        expect(e.code).toBe(ErrorCode.InvalidKey);
        expect(e.message).toBe(`invalid seed length ${n} used for key generation`);
      }
    });

    it('rejects every single-bit flip and truncation with a typed error', () => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 200 }), fc.nat(), fc.boolean(), (seed, pt, where, truncate) => {
          const t = aesGcmExtendedNonceTransformer(seed, { backend });
          const bad = damaged(writeSync(t, pt, CTX), where, truncate);
          expect([ErrorCode.Authentication, ErrorCode.TooShort]).toContain(atrestErrorOf(() => t.read(bad, CTX)).code);
        }),
        { numRuns: 100 },
      );
    });

    it.each(kmsV2Cases('seed').map((c) => [c.id, c] as const))('reads upstream %s', (_id, c) => {
      if (!('plaintext' in c.expect)) throw new Error('expected a plaintext case');
      const t = aesGcmExtendedNonceTransformer(c.source, { backend });
      expect(Buffer.from(readSync(t, c.encryptedData, utf8(c.etcdKey)).plaintext).toString('base64')).toBe(c.expect.plaintext);
      expect(atrestErrorOf(() => t.read(c.encryptedData, utf8(`${c.etcdKey}x`))).code).toBe(ErrorCode.Authentication);
    });
  });
});
