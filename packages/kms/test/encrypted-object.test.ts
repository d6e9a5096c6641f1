import { AtrestError, ErrorCode, utf8 } from '@atrest/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeEncryptedObject,
  EncryptedDEKSourceType,
  type EncryptedObject,
  encodeEncryptedObject,
  parseEncryptedObject,
  validateEncryptedObject,
} from '@atrest/kms';
import { b64, loadValues } from './_helpers.js';

const base: EncryptedObject = {
  encryptedData: new Uint8Array([1, 2, 3]),
  keyID: 'key-1',
  encryptedDEKSource: utf8('d3JhcHBlZA=='),
  annotations: {},
  encryptedDEKSourceType: EncryptedDEKSourceType.HKDF_SHA256_XNONCE_AES_GCM_SEED,
};

function errorOf(fn: () => unknown): AtrestError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AtrestError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

describe('EncryptedObject codec', () => {
  it('encodes the proto3 wire format by hand-checkable bytes', () => {
    const bytes = encodeEncryptedObject({ ...base, encryptedData: new Uint8Array([0xaa]), keyID: '1', encryptedDEKSource: new Uint8Array([0xbb]) });
    expect([...bytes]).toEqual([0x0a, 1, 0xaa, 0x12, 1, 0x31, 0x1a, 1, 0xbb, 0x28, 1]);
    // type 0 is omitted on the wire
    const zero = encodeEncryptedObject({ ...base, encryptedData: new Uint8Array([0xaa]), keyID: '1', encryptedDEKSource: new Uint8Array([0xbb]), encryptedDEKSourceType: 0 });
    expect([...zero]).toEqual([0x0a, 1, 0xaa, 0x12, 1, 0x31, 0x1a, 1, 0xbb]);
  });

  it('round-trips annotations (map entries) and keeps the last duplicate', () => {
    const o = { ...base, annotations: { 'b.example.com': utf8('2'), 'a.example.com': new Uint8Array(0) } };
    const back = decodeEncryptedObject(encodeEncryptedObject(o));
    expect(back.keyID).toBe('key-1');
    expect({ ...back.annotations }).toEqual({ 'a.example.com': new Uint8Array(0), 'b.example.com': utf8('2') });
    // two entries with the same key: Go's map keeps the last one
    const entry = (v: number): number[] => [0x22, 9, 0x0a, 4, ...utf8('a.io'), 0x12, 1, v];
    const dup = new Uint8Array([...encodeEncryptedObject(base), ...entry(1), ...entry(2)]);
    expect(decodeEncryptedObject(dup).annotations['a.io']).toEqual(new Uint8Array([2]));
  });

  it('decodes every kms v2 vector value and finds upstream annotations', () => {
    let n = 0;
    for (const c of loadValues()) {
      const stored = b64(c.stored);
      const m = /^k8s:enc:kms:v2:[^:]+:/.exec(Buffer.from(stored).toString('latin1'));
      if (m === null || 'error' in c.expect) continue;
      const o = decodeEncryptedObject(stored.subarray(m[0].length));
      expect(o.keyID.length).toBeGreaterThan(0);
      if (c.id === 'p-kmsv2-annotations-upstream-mock') {
        expect(new TextDecoder().decode(o.annotations['local-kek.kms.kubernetes.io'])).toBe('encrypted-local-kek');
      }
      n++;
    }
    expect(n).toBeGreaterThan(40);
  });

  it.each([
    [{ encryptedDEKSourceType: 7 }, 'unknown encryptedDEKSourceType: 7'],
    [{ encryptedData: new Uint8Array(0) }, 'encrypted data is empty'],
    [{ encryptedDEKSource: new Uint8Array(0) }, 'failed to validate encrypted DEK source: encrypted DEK source is empty'],
    [
      { encryptedDEKSource: new Uint8Array(1025) },
      'failed to validate encrypted DEK source: encrypted DEK source is 1025 bytes, which exceeds the max size of 1024',
    ],
    [{ keyID: '' }, 'failed to validate key id: keyID is empty'],
    [{ keyID: 'x'.repeat(1025) }, 'failed to validate key id: keyID is 1025 bytes, which exceeds the max size of 1024'],
    [{ keyID: 'é'.repeat(513) }, 'failed to validate key id: keyID is 1026 bytes, which exceeds the max size of 1024'],
    [{ annotations: { '': new Uint8Array(0) } }, 'failed to validate annotations: annotations: Required value'],
    [
      { annotations: { localhost: new Uint8Array(0) } },
      'failed to validate annotations: annotations: Invalid value: "localhost": should be a domain with at least two segments separated by dots',
    ],
    [
      { annotations: { 'Bad_Key.io': new Uint8Array(0) } },
      "failed to validate annotations: annotations: Invalid value: \"Bad_Key.io\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ],
    [
      { annotations: { [`${'a'.repeat(64)}.io`]: new Uint8Array(0) } },
      `failed to validate annotations: annotations: Invalid value: "${'a'.repeat(64)}": must be no more than 63 characters`,
    ],
    // Go's %q escapes non-printable runes beyond ASCII (here a zero-width space, a no-break
    // space and U+FFFD kept as Go keeps a valid one); answers recorded from Go's strconv.Quote.
    [
      { annotations: { 'a\u200bb.io': new Uint8Array(0) } },
      "failed to validate annotations: annotations: Invalid value: \"a\\u200bb.io\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ],
    [
      { annotations: { 'x.\u00a0\ufffd': new Uint8Array(0) } },
      "failed to validate annotations: annotations: Invalid value: \"x.\\u00a0\ufffd\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ],
    [
      { annotations: { 'a.io': new Uint8Array(32 * 1024) } },
      'failed to validate annotations: total size of annotations is 32772, which exceeds the max size of 32768',
    ],
    [
      { annotations: { localhost: new Uint8Array(32 * 1024) } },
      'failed to validate annotations: [annotations: Invalid value: "localhost": should be a domain with at least two segments separated by dots, total size of annotations is 32777, which exceeds the max size of 32768]',
    ],
  ] as const)('validation %#: %s', (patch, message) => {
    const o = { ...base, ...patch } as EncryptedObject;
    const e1 = errorOf(() => validateEncryptedObject(o));
    expect(e1.code).toBe(ErrorCode.KmsInvalid);
    expect(e1.message).toBe(message);
    expect(errorOf(() => encodeEncryptedObject(o)).message).toBe(message);
  });

  it('accepts a trailing dot in annotation keys, as upstream', () => {
    expect(() => validateEncryptedObject({ ...base, annotations: { 'kms.example.com.': utf8('v') } })).not.toThrow();
  });

  it.each([
    [[0x0a, 5, 1], 'unexpected EOF'],
    [[0x0a], 'unexpected EOF'],
    [[0x08, 1], 'proto: wrong wireType = 0 for field EncryptedData'],
    [[0x2a, 1, 1], 'proto: wrong wireType = 2 for field EncryptedDEKSourceType'],
    [[0x00, 1], 'proto: EncryptedObject: illegal tag 0 (wire type 0)'],
    [[0x0c], 'proto: EncryptedObject: wiretype end group for non-group'],
    [[0x0e], 'proto: illegal wireType 6'],
    [[0x22, 2, 0x08, 1], 'proto: wrong wireType = 0 for field key'],
    [[0x12, 1, 0xff], 'proto: field v2.EncryptedObject.keyID contains invalid UTF-8'],
  ])('corrupt protobuf %j -> %s', (bytes, message) => {
    const e = errorOf(() => parseEncryptedObject(new Uint8Array(bytes)));
    expect(e.code).toBe(ErrorCode.KmsInvalid);
    expect(e.message).toBe(message);
  });

  it('skips unknown fields, as Go does', () => {
    const bytes = new Uint8Array([...encodeEncryptedObject(base), 0x30, 0x05, 0x3a, 1, 0]);
    expect(decodeEncryptedObject(bytes).keyID).toBe('key-1');
  });

  it('never crashes on arbitrary bytes: decodes or throws ERR_KMS_INVALID', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          decodeEncryptedObject(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(AtrestError);
          expect((e as AtrestError).code).toBe(ErrorCode.KmsInvalid);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never crashes on mutated valid objects', () => {
    const good = encodeEncryptedObject({ ...base, annotations: { 'a.example.com': utf8('v') } });
    fc.assert(
      fc.property(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 }), fc.nat(good.length), (i, v, cut) => {
        const bad = good.slice(0, Math.max(cut, 1));
        if (i < bad.length) bad[i] = v;
        try {
          decodeEncryptedObject(bad);
        } catch (e) {
          expect((e as AtrestError).code).toBe(ErrorCode.KmsInvalid);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
