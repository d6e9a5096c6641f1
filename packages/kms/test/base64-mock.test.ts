import { AtrestError, ErrorCode, fromUtf8, utf8 } from '@atrest/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64Decode, base64Encode } from '@atrest/core/go';
import { Base64MockV1, Base64MockV2 } from '@atrest/kms';

describe('base64 (Go StdEncoding)', () => {
  it('encodes like Buffer and decodes back', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (data) => {
        const enc = base64Encode(data);
        expect(fromUtf8(enc)).toBe(Buffer.from(data).toString('base64'));
        expect(base64Decode(enc)).toEqual(data);
      }),
    );
  });

  it('ignores CR and LF as Go does', () => {
    expect(base64Decode(utf8('aG\r\nVs\nbG8='))).toEqual(utf8('hello'));
  });

  it.each([
    ['aGVsbG8', 4], // missing padding: Go reports the start of the short quantum
    ['aGVs*G8=', 4],
    ['a===', 1],
    ['aGVsbG8=x', 8],
    ['aG=x', 2],
    ['aG=', 3],
  ])('rejects %j at byte %i', (text, offset) => {
    expect(() => base64Decode(utf8(text))).toThrow(`illegal base64 data at input byte ${offset}`);
  });
});

describe('Base64MockV1', () => {
  it('wraps to base64 text and counts calls', async () => {
    const m = new Base64MockV1();
    const w = await m.encrypt(new Uint8Array([1, 2, 3]));
    expect(fromUtf8(w)).toBe('AQID');
    expect(await m.decrypt(w)).toEqual(new Uint8Array([1, 2, 3]));
    expect(m.calls).toEqual({ encrypt: 1, decrypt: 1, status: 0 });
  });

  it('rejects bad base64 with a typed error', async () => {
    const err = await new Base64MockV1().decrypt(utf8('@@@@')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AtrestError);
    expect((err as AtrestError).code).toBe(ErrorCode.KmsPlugin);
    expect((err as AtrestError).message).toBe('illegal base64 data at input byte 0');
  });
});

describe('Base64MockV2', () => {
  it('reports its key ID, rotates, and returns annotations', async () => {
    const m = new Base64MockV2('k1', { annotations: { 'local-kek.kms.kubernetes.io': utf8('x') } });
    expect(await m.status()).toEqual({ version: 'v2', healthz: 'ok', keyID: 'k1' });
    m.setKeyID('k2');
    const r = await m.encrypt('uid', new Uint8Array([9]));
    expect(r.keyID).toBe('k2');
    expect(fromUtf8(r.ciphertext)).toBe('CQ==');
    expect(r.annotations?.['local-kek.kms.kubernetes.io']).toEqual(utf8('x'));
    expect(await m.decrypt('uid', { ciphertext: r.ciphertext, keyID: 'k2' })).toEqual(new Uint8Array([9]));
  });

  it('requires a uid, as upstream', async () => {
    const m = new Base64MockV2('k1');
    await expect(m.encrypt('', new Uint8Array(1))).rejects.toThrow('uid is required');
    await expect(m.decrypt('', { ciphertext: utf8('AA=='), keyID: 'k1' })).rejects.toThrow('uid is required');
  });
});

describe('a plugin answering with Buffer views (as gRPC does)', () => {
  it('kms v2 reads after an unwrap whose answer is a view into a larger Buffer', async () => {
    const { Base64MockV2, kmsV2Provider } = await import('@atrest/kms');
    const { AtrestError, ErrorCode, PrefixChain, utf8 } = await import('@atrest/core');
    const inner = new Base64MockV2('key-1');
    // Wrap the mock so every unwrapped seed is a subarray of a pooled Buffer, like grpc-js output.
    const viewing = {
      status: () => inner.status(),
      encrypt: (uid: string, p: Uint8Array) => inner.encrypt(uid, p),
      decrypt: async (uid: string, r: Parameters<typeof inner.decrypt>[1]) => {
        const plain = await inner.decrypt(uid, r);
        const pool = Buffer.alloc(plain.length + 40);
        pool.set(plain, 20);
        return pool.subarray(20, 20 + plain.length);
      },
    };
    const noMatch = () => new AtrestError(ErrorCode.NoMatchingPrefix, 'no matching prefix found');
    const writer = new PrefixChain([kmsV2Provider('p', viewing)], noMatch);
    const ctx = utf8('/registry/secrets/a/b');
    const stored = await writer.write(utf8('hello'), ctx);
    // A fresh provider has no cached seed: it must unwrap through the plugin.
    const reader = new PrefixChain([kmsV2Provider('p', viewing)], noMatch);
    const r = await reader.read(stored, ctx);
    expect(Buffer.from(r.plaintext).toString()).toBe('hello');
  });
});
