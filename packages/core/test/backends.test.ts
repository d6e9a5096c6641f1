import { createCipheriv } from 'node:crypto';
import { type CryptoBackend, nobleBackend, nodeBackend, type SecretboxCipher } from '@atrest/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const pairs: [CryptoBackend, CryptoBackend][] = [
  [nodeBackend, nobleBackend],
  [nobleBackend, nodeBackend],
];

describe.each(pairs)('%s seals, the other opens', (a, b) => {
  const keyArb = fc.constantFrom(16, 24, 32).chain((n) => fc.uint8Array({ minLength: n, maxLength: n }));

  it('AES-GCM, both directions, with additional data', () => {
    fc.assert(
      fc.property(keyArb, fc.uint8Array({ minLength: 12, maxLength: 12 }), fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 50 }), (key, nonce, pt, aad) => {
        const sealed = a.aesGcm(key).seal(nonce, pt, aad);
        expect(hex(sealed)).toBe(hex(b.aesGcm(key).seal(nonce, pt, aad)));
        expect(hex(b.aesGcm(key).open(nonce, sealed, aad) as Uint8Array)).toBe(hex(pt));
        const wrongAad = new Uint8Array([...aad, 0]);
        expect(b.aesGcm(key).open(nonce, sealed, wrongAad)).toBeNull();
      }),
      { numRuns: 100 },
    );
  });

  it('AES-CBC without padding, both directions', () => {
    fc.assert(
      fc.property(keyArb, fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 1, max: 12 }), (key, iv, blocks) => {
        const data = a.randomBytes(blocks * 16);
        const ct = a.aesCbc(key).encrypt(iv, data);
        expect(ct.length).toBe(data.length);
        expect(hex(ct)).toBe(hex(b.aesCbc(key).encrypt(iv, data)));
        expect(hex(b.aesCbc(key).decrypt(iv, ct))).toBe(hex(data));
      }),
      { numRuns: 60 },
    );
  });

  it('AES-CBC refuses data that is not whole blocks', () => {
    const c = a.aesCbc(new Uint8Array(16));
    for (const n of [0, 1, 15, 17]) expect(() => c.decrypt(new Uint8Array(16), new Uint8Array(n))).toThrow(RangeError);
  });

  it('randomBytes gives the requested lengths and distinct values', () => {
    for (const n of [0, 1, 12, 32, 257, 70000]) expect(a.randomBytes(n).length).toBe(n);
    expect(hex(a.randomBytes(32))).not.toBe(hex(a.randomBytes(32)));
  });
});

describe('AES-GCM tag handling', () => {
  const key = nodeBackend.randomBytes(32);
  const nonce = nodeBackend.randomBytes(12);
  const aad = new Uint8Array([1, 2, 3]);

  /** What a sloppy writer would store: ciphertext followed by a 4-byte tag. */
  function withShortTag(pt: Uint8Array): Uint8Array {
    const c = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: 4 });
    c.setAAD(aad);
    const ct = Buffer.concat([c.update(pt), c.final()]);
    return new Uint8Array(Buffer.concat([ct, c.getAuthTag()]));
  }

  it.each([nodeBackend, nobleBackend])('$name rejects a 4-byte tag and any truncated tag', (backend) => {
    for (const n of [0, 5, 12, 40]) expect(backend.aesGcm(key).open(nonce, withShortTag(new Uint8Array(n).fill(7)), aad)).toBeNull();
    const sealed = backend.aesGcm(key).seal(nonce, new Uint8Array(20), aad);
    for (const cut of [1, 4, 12, 15, 16]) expect(backend.aesGcm(key).open(nonce, sealed.subarray(0, sealed.length - cut), aad)).toBeNull();
  });
});

describe('secretbox', () => {
  it('only noble has it, and it round-trips', () => {
    expect(nodeBackend.secretbox).toBeUndefined();
    const box = (nobleBackend.secretbox as (k: Uint8Array) => SecretboxCipher)(nobleBackend.randomBytes(32));
    const nonce = nobleBackend.randomBytes(24);
    const sealed = box.seal(nonce, new Uint8Array([1, 2, 3]));
    expect(sealed.length).toBe(16 + 3);
    expect(hex(box.open(nonce, sealed) as Uint8Array)).toBe('010203');
    const bad = sealed.slice();
    bad[0] = (bad[0] as number) ^ 1;
    expect(box.open(nonce, bad)).toBeNull();
    expect(box.open(nonce, sealed.subarray(0, 15))).toBeNull();
  });
});
