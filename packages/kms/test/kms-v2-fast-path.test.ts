/**
 * The KMS v2 read fast path (packages/kms/src/_canonical-object.ts): values in the canonical
 * layout whose tail was validated before skip the protobuf decoder. These tests check that the
 * shortcut never changes an answer: other layouts, changed tails, empty data, cache expiry and
 * rotation all behave exactly as through the full decoder.
 */
import { AtrestError, ErrorCode, fromUtf8, utf8 } from '@atrest/core';
import { describe, expect, it } from 'vitest';
import { Base64MockV2, decodeEncryptedObject, encodeEncryptedObject, kmsV2Provider } from '@atrest/kms';
import { splitCanonical, tailWithoutField1 } from '../src/_canonical-object.js';
import { backends, caught, chainOf } from './_helpers.js';

const ctx = utf8('/registry/secrets/default/db');
const PREFIX = utf8('k8s:enc:kms:v2:kms2:');

const withPrefix = (body: Uint8Array): Uint8Array => new Uint8Array([...PREFIX, ...body]);
const bodyOf = (stored: Uint8Array): Uint8Array => stored.subarray(PREFIX.length);

describe('canonical layout helpers', () => {
  it('split 0x0a varint(n) data(n) tail, and nothing else', () => {
    expect(splitCanonical(new Uint8Array([0x0a, 2, 7, 7, 0x12, 1, 0x31]), 0)).toEqual({ dataStart: 2, dataEnd: 4 });
    expect(splitCanonical(new Uint8Array([9, 0x0a, 1, 7]), 1)).toEqual({ dataStart: 3, dataEnd: 4 });
    expect(splitCanonical(new Uint8Array([0x12, 1, 0x31, 0x0a, 1, 7]), 0)).toBeUndefined(); // field 1 not first
    expect(splitCanonical(new Uint8Array([0x0a, 0]), 0)).toBeUndefined(); // empty data
    expect(splitCanonical(new Uint8Array([0x0a, 5, 1]), 0)).toBeUndefined(); // truncated
    expect(splitCanonical(new Uint8Array([0x0a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), 0)).toBeUndefined(); // overlong varint
    const big = new Uint8Array(3 + 300);
    big.set([0x0a, 0xac, 0x02]);
    expect(splitCanonical(big, 0)).toEqual({ dataStart: 3, dataEnd: 303 });
  });

  it('tails with a field 1 or a group are not remembered', () => {
    expect(tailWithoutField1(new Uint8Array([0x12, 1, 0x31, 0x28, 2]))).toBe(true);
    expect(tailWithoutField1(new Uint8Array([0x12, 1, 0x31, 0x0a, 1, 9]))).toBe(false);
    expect(tailWithoutField1(new Uint8Array([0x13]))).toBe(false);
    expect(tailWithoutField1(new Uint8Array([0x12, 5, 1]))).toBe(false);
  });
});

describe.each(backends)('kms v2 fast path (%s)', (_, backend) => {
  const setup = () => {
    const plugin = new Base64MockV2('k1');
    const entry = kmsV2Provider('kms2', plugin, { backend });
    return { plugin, entry, chain: chainOf(entry) };
  };

  it('answers as the full decoder for values in another field order or with field 1 twice', async () => {
    const { chain } = setup();
    const pt = utf8('value');
    const stored = await chain.write(pt, ctx);
    const o = decodeEncryptedObject(bodyOf(stored));
    const canonical = encodeEncryptedObject(o);
    const tailStart = splitCanonical(canonical, 0)?.dataEnd as number;
    // The same fields with encryptedData last: still a valid EncryptedObject.
    const reordered = new Uint8Array([...canonical.subarray(tailStart), ...canonical.subarray(0, tailStart)]);
    expect(fromUtf8((await chain.read(withPrefix(reordered), ctx)).plaintext)).toBe('value');
    // field 1 twice: protobuf keeps the last one, so a bogus first copy must not be the one opened.
    const doubled = new Uint8Array([0x0a, 1, 0x00, ...canonical]);
    expect(fromUtf8((await chain.read(withPrefix(doubled), ctx)).plaintext)).toBe('value');
    // The canonical form itself takes the fast path.
    expect(fromUtf8((await chain.read(withPrefix(canonical), ctx)).plaintext)).toBe('value');
  });

  it('a changed tail is decoded in full: another key ID is stale, a broken one fails as upstream', async () => {
    const { chain, plugin } = setup();
    const stored = await chain.write(utf8('value'), ctx);
    const o = decodeEncryptedObject(bodyOf(stored));
    // Same wrapped seed, but recorded under another key ID: decrypts (the mock ignores key IDs), and is stale.
    const otherKeyID = encodeEncryptedObject({ ...o, keyID: 'k0' });
    const r = await chain.read(withPrefix(otherKeyID), ctx);
    expect(fromUtf8(r.plaintext)).toBe('value');
    expect(r.stale).toBe(true);
    expect(plugin.calls.decrypt).toBe(1);
    const broken = new Uint8Array([...bodyOf(stored), 0x08]); // a truncated varint field after the tail
    const e = await caught(() => chain.read(withPrefix(broken), ctx));
    expect(e).toBeInstanceOf(AtrestError);
    expect((e as AtrestError).code).toBe(ErrorCode.KmsInvalid);
  });

  it('keeps reporting empty encrypted data with upstream text after the tail is known', async () => {
    const { chain } = setup();
    const stored = await chain.write(utf8('value'), ctx);
    await chain.read(stored, ctx);
    const tail = bodyOf(stored).subarray(splitCanonical(bodyOf(stored), 0)?.dataEnd as number);
    const empty = new Uint8Array([0x0a, 0, ...tail]);
    const e = await caught(() => chain.read(withPrefix(empty), ctx));
    expect((e as AtrestError).message).toContain('encrypted data is empty');
  });

  it('respects the DEK cache: after the entry expires the plugin is asked again', async () => {
    let t = Date.UTC(2026, 0, 1);
    const plugin = new Base64MockV2('k1');
    const writer = chainOf(kmsV2Provider('kms2', plugin, { backend }));
    const stored = await writer.write(utf8('value'), ctx);
    const reader = chainOf(kmsV2Provider('kms2', plugin, { backend, now: () => t, cacheTTLMs: 1000, statusIntervalMs: Infinity }));
    await reader.read(stored, ctx);
    await reader.read(stored, ctx);
    expect(plugin.calls.decrypt).toBe(1);
    t += 2000;
    expect(fromUtf8((await reader.read(stored, ctx)).plaintext)).toBe('value');
    expect(plugin.calls.decrypt).toBe(2);
  });

  it('after a rotation, values under the old seed read through the fast path are stale', async () => {
    const { chain, plugin, entry } = setup();
    const old = await chain.write(utf8('old'), ctx);
    expect((await chain.read(old, ctx)).stale).toBe(false);
    plugin.setKeyID('k2');
    await entry.refreshStatus();
    for (let i = 0; i < 2; i++) {
      const r = await chain.read(old, ctx);
      expect(fromUtf8(r.plaintext)).toBe('old');
      expect(r.stale).toBe(true);
    }
    const fresh = await chain.write(utf8('new'), ctx);
    expect((await chain.read(fresh, ctx)).stale).toBe(false);
  });
});

describe('key IDs without a UTF-8 form', () => {
  it('are refused from the plugin, so a stored key ID always reads back as the one written', async () => {
    const plugin = new Base64MockV2('k\uD800');
    const chain = chainOf(kmsV2Provider('kms2', plugin));
    const e = await caught(() => chain.write(utf8('x'), ctx));
    expect(e.message).toContain('keyID is not valid UTF-8');
  });

  it('are refused by the encoder', () => {
    expect(() =>
      encodeEncryptedObject({ encryptedData: new Uint8Array(1), keyID: 'k\uDC00', encryptedDEKSource: new Uint8Array(1), annotations: {}, encryptedDEKSourceType: 1 }),
    ).toThrow('failed to validate key id: keyID is not valid UTF-8');
  });
});
