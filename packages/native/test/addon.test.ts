/**
 * The addon's own contract, called directly: every bound and handle check the C code makes, and
 * agreement with node:crypto. (The backend built on it runs the whole provider and vector suites
 * through `availableBackends()`.)
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const native = createRequire(import.meta.url)('@atrest/native') as typeof import('@atrest/native');

describe.runIf(native.addon !== null)('addon functions', () => {
  const addon = native.addon!;
  const key = randomBytes(32);
  const aad = Buffer.from('/registry/secrets/default/db');

  it('reports its ABI and OpenSSL version', () => {
    expect(addon.ABI_VERSION).toBe(1);
    expect(addon.OPENSSL_VERSION).toMatch(/^OpenSSL 3\./);
  });

  it('gcmSeal writes exactly what node:crypto writes, and gcmOpen reads node:crypto output', () => {
    for (const n of [0, 1, 15, 16, 17, 1000, 70000]) {
      const pt = randomBytes(n);
      const out = new Uint8Array(7 + 12 + n + 16).fill(0xee);
      out.set(randomBytes(12), 7);
      addon.gcmSeal(addon.gcmKey(key), out, 7, pt, aad);
      const c = createCipheriv('aes-256-gcm', key, out.subarray(7, 19), { authTagLength: 16 });
      c.setAAD(aad);
      expect(Buffer.from(out.subarray(19))).toEqual(Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]));
      expect(Buffer.from(out.subarray(0, 7))).toEqual(Buffer.alloc(7, 0xee));
      const back = new Uint8Array(n);
      expect(addon.gcmOpen(addon.gcmKey(key), out, 7, aad, back)).toBe(true);
      expect(Buffer.from(back)).toEqual(pt);
    }
  });

  it('gcmOpen releases nothing when the tag fails, and zeroes its output', () => {
    const h = addon.gcmKey(key);
    const out = new Uint8Array(12 + 32 + 16);
    out.set(randomBytes(12));
    addon.gcmSeal(h, out, 0, new Uint8Array(32).fill(0x41), aad);
    out[out.length - 1] ^= 1;
    const back = new Uint8Array(32).fill(0x99);
    expect(addon.gcmOpen(h, out, 0, aad, back)).toBe(false);
    expect(back.every((b) => b === 0)).toBe(true);
    expect(addon.gcmOpen(h, new Uint8Array(27), 0, aad, back)).toBe(false);
  });

  it('AES-CBC in place matches node:crypto', () => {
    const k = randomBytes(16);
    const iv = randomBytes(16);
    const data = randomBytes(64);
    const buf = new Uint8Array([0, 0, 0, ...iv, ...data]);
    addon.cbcEncrypt(addon.cbcKey(k), buf, 3, buf.length);
    const c = createCipheriv('aes-128-cbc', k, iv).setAutoPadding(false);
    expect(Buffer.from(buf.subarray(19))).toEqual(Buffer.concat([c.update(data), c.final()]));
    const out = new Uint8Array(64);
    addon.cbcDecrypt(addon.cbcKey(k), buf, 3, out);
    expect(Buffer.from(out)).toEqual(data);
    const d = createDecipheriv('aes-128-cbc', k, iv).setAutoPadding(false);
    expect(Buffer.concat([d.update(buf.subarray(19)), d.final()])).toEqual(data);
  });

  it('refuses handles of another kind, and things that are not handles', () => {
    const gcm = addon.gcmKey(key);
    const cbc = addon.cbcKey(key);
    const out = new Uint8Array(64);
    expect(() => addon.gcmSeal(cbc, out, 0, new Uint8Array(1), aad)).toThrow(/not a key handle/);
    expect(() => addon.cbcEncrypt(gcm, out, 0, 32)).toThrow(/not a key handle/);
    expect(() => addon.hkdfGcmOpen(gcm, out, 0, aad, out)).toThrow(/not a key handle/);
    expect(() => addon.gcmSeal({}, out, 0, new Uint8Array(1), aad)).toThrow(TypeError);
  });

  it('refuses bad offsets, short outputs, overlaps and non-Uint8Array arguments', () => {
    const h = addon.gcmKey(key);
    const out = new Uint8Array(12 + 10 + 16);
    for (const at of [-1, 0.5, NaN, 2 ** 32, out.length + 1]) expect(() => addon.gcmSeal(h, out, at, new Uint8Array(10), aad)).toThrow();
    expect(() => addon.gcmSeal(h, out, 1, new Uint8Array(10), aad)).toThrow(RangeError);
    expect(() => addon.gcmSeal(h, out, 0, out.subarray(12, 22), aad)).toThrow(/overlap/);
    expect(() => addon.gcmSeal(h, out, 0, new Uint16Array(5) as unknown as Uint8Array, aad)).toThrow(TypeError);
    expect(() => addon.gcmSeal(h, out, 0, 'text' as unknown as Uint8Array, aad)).toThrow(TypeError);
    const big = new Uint8Array(12 + 10 + 16);
    big.set(randomBytes(12));
    addon.gcmSeal(h, big, 0, new Uint8Array(10), aad);
    expect(() => addon.gcmOpen(h, big, 0, aad, new Uint8Array(9))).toThrow(RangeError);
    expect(() => addon.gcmOpen(h, big, 0, aad, big.subarray(0, 10))).toThrow(/overlap/);
    expect(() => addon.cbcEncrypt(addon.cbcKey(key), new Uint8Array(40), 0, 40)).toThrow(RangeError);
    expect(() => addon.gcmKey(new Uint8Array(20))).toThrow(RangeError);
    expect(() => addon.hkdfGcmKey(new Uint8Array(31))).toThrow(RangeError);
    expect(() => (addon.gcmSeal as (...a: unknown[]) => void)(h, out)).toThrow(/too few arguments/);
  });

  it('the AEAD entry points share one argument check, whose texts name the function and the argument', () => {
    const seed = randomBytes(32);
    const families = [
      { seal: 'gcmSeal', open: 'gcmOpen', make: 'gcmKey', handle: addon.gcmKey(key), header: 12 },
      { seal: 'hkdfGcmSeal', open: 'hkdfGcmOpen', make: 'hkdfGcmKey', handle: addon.hkdfGcmKey(seed), header: 44 },
    ] as const;
    const thrown = (f: () => unknown): [string, string] | undefined => {
      try {
        f();
      } catch (e) {
        return [(e as Error).constructor.name, (e as Error).message];
      }
      return undefined;
    };
    const call = (name: string, ...args: unknown[]): unknown => (addon as unknown as Record<string, (...a: unknown[]) => unknown>)[name](...args);
    for (const f of families) {
      const pt = new Uint8Array(10);
      const out = new Uint8Array(f.header + 10 + 16);
      out.set(randomBytes(f.header));
      expect(thrown(() => call(f.seal, f.handle, 'out', 0, pt, aad))).toEqual(['TypeError', `${f.seal}: out must be a Uint8Array`]);
      expect(thrown(() => call(f.seal, f.handle, out, '0', pt, aad))).toEqual(['TypeError', `${f.seal}: at must be an offset inside out`]);
      expect(thrown(() => call(f.seal, f.handle, out, 0.5, pt, aad))).toEqual(['RangeError', `${f.seal}: at must be an offset inside out`]);
      expect(thrown(() => call(f.seal, f.handle, out, 0, [1], aad))).toEqual(['TypeError', `${f.seal}: plaintext must be a Uint8Array`]);
      expect(thrown(() => call(f.seal, f.handle, out, 0, pt, null))).toEqual(['TypeError', `${f.seal}: aad must be a Uint8Array`]);
      expect(thrown(() => call(f.seal, f.handle, out, 1, pt, aad))).toEqual(['RangeError', `${f.seal}: out is too small for the header, ciphertext and tag`]);
      expect(thrown(() => call(f.seal, f.handle, out, 0, out.subarray(f.header, f.header + 10), aad))).toEqual(['RangeError', `${f.seal}: out must not overlap plaintext`]);
      call(f.seal, f.handle, out, 0, pt, aad);
      expect(thrown(() => call(f.open, f.handle, out, 0, aad, new Uint8Array(9)))).toEqual(['RangeError', `${f.open}: out is too small for the plaintext`]);
      expect(thrown(() => call(f.open, f.handle, out, 0, aad, out.subarray(0, 10)))).toEqual(['RangeError', `${f.open}: out must not overlap data`]);
      expect(thrown(() => call(f.open, f.handle, out, 0, 'aad', new Uint8Array(10)))).toEqual(['TypeError', `${f.open}: aad must be a Uint8Array`]);
      expect(thrown(() => call(f.open, f.handle, out, out.length + 1, aad, new Uint8Array(10)))).toEqual(['RangeError', `${f.open}: at must be an offset inside data`]);
      // Shorter than header and tag: not a value (false), checked before out's size.
      expect(call(f.open, f.handle, out.subarray(0, f.header + 15), 0, aad, new Uint8Array(0))).toBe(false);
      const back = new Uint8Array(10).fill(7);
      expect(call(f.open, f.handle, out, 0, aad, back)).toBe(true);
      expect(back).toEqual(pt);
      expect(thrown(() => call(f.make, 'key'))).toEqual(['TypeError', `${f.make}: key must be a Uint8Array`]);
    }
    expect(thrown(() => addon.cbcKey('key' as unknown as Uint8Array))).toEqual(['TypeError', 'cbcKey: key must be a Uint8Array']);
    expect(thrown(() => addon.cbcEncrypt(addon.cbcKey(key), new Uint8Array(48), 0, 49))).toEqual(['RangeError', 'cbcEncrypt: end must be an offset inside buf']);
    expect(thrown(() => addon.cbcDecrypt(addon.cbcKey(key), new Uint8Array(48), 0, 'out' as unknown as Uint8Array))).toEqual(['TypeError', 'cbcDecrypt: out must be a Uint8Array']);
  });

  it('error messages never carry key or data bytes', () => {
    const secret = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    for (const f of [() => addon.gcmKey(secret.subarray(0, 15)), () => addon.cbcKey(secret.subarray(0, 15))]) {
      let message = '';
      try {
        f();
      } catch (e) {
        message = String((e as Error).message);
      }
      expect(message).not.toMatch(/0011|\\x00/);
      expect(message.length).toBeGreaterThan(0);
    }
  });
});
