import { createCipheriv } from 'node:crypto';
import { availableBackends, type CryptoBackend, hkdfSha256Expand, nobleBackend, nodeBackend, type SecretboxCipher } from '@atrest/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const backends = availableBackends();
/** Every ordered pair of distinct backends: what one seals, the other must open, byte for byte. */
const pairs: [CryptoBackend, CryptoBackend][] = backends.flatMap((a) => backends.filter((b) => b !== a).map((b): [CryptoBackend, CryptoBackend] => [a, b]));

/** `lead` bytes of junk, then `body`: positional APIs must honour offsets, aligned or not. */
function at(lead: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(lead + body.length).fill(0xee);
  out.set(body, lead);
  return out;
}

const keyArb = fc.constantFrom(16, 24, 32).chain((n) => fc.uint8Array({ minLength: n, maxLength: n }));
const leadArb = fc.integer({ min: 0, max: 29 });

describe.each(pairs)('%s seals, the other opens', (a, b) => {
  it('AES-GCM, both directions, with additional data, at any offset', () => {
    fc.assert(
      fc.property(keyArb, fc.uint8Array({ minLength: 12, maxLength: 12 }), fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 50 }), leadArb, leadArb, (key, nonce, pt, aad, la, lb) => {
        const outA = at(la, new Uint8Array(12 + pt.length + 16));
        outA.set(nonce, la);
        a.aesGcm(key).sealInto(outA, la, pt, aad);
        const outB = at(lb, new Uint8Array(12 + pt.length + 16));
        outB.set(nonce, lb);
        b.aesGcm(key).sealInto(outB, lb, pt, aad);
        expect(hex(outA.subarray(la))).toBe(hex(outB.subarray(lb)));
        expect(hex(outA.subarray(0, la))).toBe('ee'.repeat(la)); // nothing written before the offset
        expect(hex(b.aesGcm(key).openAt(outA, la, aad) as Uint8Array)).toBe(hex(pt));
        expect(b.aesGcm(key).openAt(outA, la, new Uint8Array([...aad, 0]))).toBeNull();
      }),
      { numRuns: 100 },
    );
  });

  it('AES-CBC without padding, in place, at any offset', () => {
    fc.assert(
      fc.property(keyArb, fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 1, max: 12 }), leadArb, (key, iv, blocks, lead) => {
        const data = a.randomBytes(blocks * 16);
        const bufA = at(lead, new Uint8Array([...iv, ...data]));
        a.aesCbc(key).encryptInPlace(bufA, lead, bufA.length);
        const bufB = at(lead, new Uint8Array([...iv, ...data]));
        b.aesCbc(key).encryptInPlace(bufB, lead, bufB.length);
        expect(hex(bufA)).toBe(hex(bufB));
        expect(hex(bufA.subarray(lead, lead + 16))).toBe(hex(iv)); // the IV stays
        expect(hex(b.aesCbc(key).decryptAt(bufA, lead))).toBe(hex(data));
      }),
      { numRuns: 60 },
    );
  });

  it('secretbox, both directions, at any offset', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 24, maxLength: 24 }), fc.uint8Array({ maxLength: 200 }), leadArb, (key, nonce, pt, lead) => {
        const outA = at(lead, new Uint8Array(24 + 16 + pt.length));
        outA.set(nonce, lead);
        a.secretbox!(key).sealInto(outA, lead, pt);
        const outB = new Uint8Array(24 + 16 + pt.length);
        outB.set(nonce, 0);
        b.secretbox!(key).sealInto(outB, 0, pt);
        expect(hex(outA.subarray(lead))).toBe(hex(outB));
        expect(hex(b.secretbox!(key).openAt(outA, lead) as Uint8Array)).toBe(hex(pt));
      }),
      { numRuns: 60 },
    );
  });

  it("KMS v2's seeded AES-GCM, both directions", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 64 }), fc.uint8Array({ minLength: 44, maxLength: 44 }), fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 50 }), leadArb, (seed, infoNonce, pt, aad, lead) => {
        const outA = at(lead, new Uint8Array(44 + pt.length + 16));
        outA.set(infoNonce, lead);
        a.hkdfAesGcm(seed).sealInto(outA, lead, pt, aad);
        const outB = new Uint8Array(44 + pt.length + 16);
        outB.set(infoNonce, 0);
        b.hkdfAesGcm(seed).sealInto(outB, 0, pt, aad);
        expect(hex(outA.subarray(lead))).toBe(hex(outB));
        expect(hex(b.hkdfAesGcm(seed).openAt(outA, lead, aad) as Uint8Array)).toBe(hex(pt));
        const tampered = outA.slice();
        tampered[lead] = (tampered[lead] as number) ^ 1; // another info derives another key
        expect(b.hkdfAesGcm(seed).openAt(tampered, lead, aad)).toBeNull();
      }),
      { numRuns: 60 },
    );
  });
});

describe.each(backends)('the $name backend', (backend) => {
  it('describes itself', () => {
    expect(backend.description.length).toBeGreaterThan(0);
  });

  it('AES-GCM equals node:crypto on a known answer', () => {
    const key = new Uint8Array(32).map((_, i) => 255 - i);
    const nonce = new Uint8Array(12).map((_, i) => i);
    const pt = new TextEncoder().encode('a value worth protecting');
    const aad = new TextEncoder().encode('/registry/secrets/default/db');
    const c = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 });
    c.setAAD(aad);
    const expected = Buffer.concat([nonce, c.update(pt), c.final(), c.getAuthTag()]);
    const out = new Uint8Array(expected.length);
    out.set(nonce);
    backend.aesGcm(key).sealInto(out, 0, pt, aad);
    expect(hex(out)).toBe(expected.toString('hex'));
  });

  it("the seeded AES-GCM's key is HKDF-Expand(seed, info, 32)", () => {
    const seed = backend.randomBytes(32);
    const out = new Uint8Array(44 + 5 + 16);
    backend.randomFill(out, 0, 44);
    const pt = new Uint8Array([1, 2, 3, 4, 5]);
    backend.hkdfAesGcm(seed).sealInto(out, 0, pt, new Uint8Array(0));
    const key = hkdfSha256Expand(nodeBackend, seed, out.subarray(0, 32), 32);
    expect(hex(nodeBackend.aesGcm(key).openAt(out, 32, new Uint8Array(0)) as Uint8Array)).toBe(hex(pt));
  });

  it('AES-CBC refuses data that is not whole blocks', () => {
    const c = backend.aesCbc(new Uint8Array(16));
    for (const n of [0, 1, 15, 17]) expect(() => c.decryptAt(new Uint8Array(16 + n), 0)).toThrow(RangeError);
    for (const n of [0, 1, 15, 17]) expect(() => c.encryptInPlace(new Uint8Array(16 + n), 0, 16 + n)).toThrow(RangeError);
  });

  it('refuses AES keys of other sizes and short seeds', () => {
    for (const n of [0, 15, 31, 33]) {
      expect(() => backend.aesGcm(new Uint8Array(n))).toThrow(RangeError);
      expect(() => backend.aesCbc(new Uint8Array(n))).toThrow(RangeError);
    }
    expect(() => backend.hkdfAesGcm(new Uint8Array(31))).toThrow(RangeError);
    expect(() => backend.secretbox!(new Uint8Array(31))).toThrow(RangeError);
  });

  it('opens nothing shorter than nonce and tag, and no tampered byte', () => {
    const key = backend.randomBytes(32);
    const gcm = backend.aesGcm(key);
    for (const n of [0, 11, 12, 27]) expect(gcm.openAt(new Uint8Array(n), 0, new Uint8Array(0))).toBeNull();
    const out = new Uint8Array(12 + 20 + 16);
    backend.randomFill(out, 0, 12);
    gcm.sealInto(out, 0, new Uint8Array(20).fill(9), new Uint8Array(0));
    for (let i = 0; i < out.length; i++) {
      const bad = out.slice();
      bad[i] = (bad[i] as number) ^ 0x80;
      expect(gcm.openAt(bad, 0, new Uint8Array(0))).toBeNull();
    }
    const box = backend.secretbox!(key) as SecretboxCipher;
    for (const n of [0, 24, 39]) expect(box.openAt(new Uint8Array(n), 0)).toBeNull();
  });

  it('randomBytes and randomFill give the requested lengths and fresh values', () => {
    for (const n of [0, 1, 12, 32, 257, 70000]) expect(backend.randomBytes(n).length).toBe(n);
    expect(hex(backend.randomBytes(32))).not.toBe(hex(backend.randomBytes(32)));
    const buf = new Uint8Array(40);
    backend.randomFill(buf, 8, 24);
    expect(hex(buf.subarray(0, 8))).toBe('00'.repeat(8));
    expect(hex(buf.subarray(32))).toBe('00'.repeat(8));
    expect(hex(buf.subarray(8, 32))).not.toBe('00'.repeat(24));
    expect(() => backend.randomFill(buf, 30, 24)).toThrow(RangeError);
  });
});

describe('AES-GCM tag handling', () => {
  const key = nodeBackend.randomBytes(32);
  const nonce = nodeBackend.randomBytes(12);
  const aad = new Uint8Array([1, 2, 3]);

  /** What a sloppy writer would store: nonce, ciphertext, then a 4-byte tag. */
  function withShortTag(pt: Uint8Array): Uint8Array {
    const c = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: 4 });
    c.setAAD(aad);
    return new Uint8Array(Buffer.concat([nonce, c.update(pt), c.final(), c.getAuthTag()]));
  }

  it.each(backends)('$name rejects a 4-byte tag and any truncated tag', (backend) => {
    for (const n of [0, 5, 12, 40]) expect(backend.aesGcm(key).openAt(withShortTag(new Uint8Array(n).fill(7)), 0, aad)).toBeNull();
    const sealed = new Uint8Array(12 + 20 + 16);
    sealed.set(nonce);
    backend.aesGcm(key).sealInto(sealed, 0, new Uint8Array(20), aad);
    for (const cut of [1, 4, 12, 15, 16]) expect(backend.aesGcm(key).openAt(sealed.subarray(0, sealed.length - cut), 0, aad)).toBeNull();
  });
});

describe('secretbox', () => {
  it('node has no XSalsa20 and uses noble\'s', () => {
    expect(nodeBackend.secretbox).toBe(nobleBackend.secretbox);
  });
});
