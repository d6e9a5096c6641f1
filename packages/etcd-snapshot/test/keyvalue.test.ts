/**
 * The hand-written `mvccpb.KeyValue` decoder against protobufjs (the schema of `kv.proto`): the
 * same fields for any well-formed message, and typed errors (never anything else) for garbage.
 */
import { AtrestError } from '@atrest/core';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
// The decoder is internal; openSnapshot runs it on every revision, so it is tested directly.
import { decodeKeyValue, decodeKeyValueView } from '../src/_keyvalue.js';
import { atrestErrorOf } from '@atrest/test-support/provider-kit';

const KeyValue = protobuf.Root.fromJSON({
  nested: {
    KeyValue: {
      fields: {
        key: { type: 'bytes', id: 1 },
        createRevision: { type: 'int64', id: 2 },
        modRevision: { type: 'int64', id: 3 },
        version: { type: 'int64', id: 4 },
        value: { type: 'bytes', id: 5 },
        lease: { type: 'int64', id: 6 },
      },
    },
  },
}).lookupType('KeyValue');

const revision = fc.oneof(fc.nat(1000), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
const kvArb = fc.record({
  key: fc.uint8Array({ maxLength: 64 }),
  createRevision: revision,
  modRevision: revision,
  version: revision,
  value: fc.uint8Array({ maxLength: 3000 }),
  lease: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
});

describe('mvccpb.KeyValue decoding', () => {
  it('equals protobufjs for any message, with or without unknown fields', () => {
    fc.assert(
      fc.property(kvArb, fc.boolean(), (kv, unknown) => {
        const w = KeyValue.encode({ ...kv, lease: kv.lease.toString() });
        // Unknown fields of every wire type a newer etcd might add: varint, fixed64, bytes, fixed32.
        if (unknown) w.uint32((7 << 3) | 0).uint64(123456789).uint32((8 << 3) | 1).fixed64(1).uint32((9 << 3) | 2).bytes(new Uint8Array(3)).uint32((10 << 3) | 5).fixed32(7);
        const bytes = w.finish();
        for (const decode of [decodeKeyValue, decodeKeyValueView]) {
          const got = decode(bytes, {});
          expect(Buffer.from(got.key).equals(Buffer.from(kv.key))).toBe(true);
          expect(Buffer.from(got.value).equals(Buffer.from(kv.value))).toBe(true);
          expect([got.createRevision, got.modRevision, got.version, got.lease]).toEqual([kv.createRevision, kv.modRevision, kv.version, kv.lease]);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('copies or views as asked', () => {
    const bytes = KeyValue.encode({ key: Buffer.from('/registry/a'), value: Buffer.from('v'), modRevision: 3 }).finish();
    const view = decodeKeyValueView(bytes, {});
    const copy = decodeKeyValue(bytes, {});
    expect(view.key.buffer).toBe(bytes.buffer);
    expect(copy.key.buffer).not.toBe(bytes.buffer);
    expect(copy.value.buffer).not.toBe(bytes.buffer);
  });

  it('a repeated field keeps its last value, as proto3 says', () => {
    const w = protobuf.Writer.create();
    w.uint32((3 << 3) | 0).int64(5).uint32((1 << 3) | 2).bytes(Buffer.from('a')).uint32((3 << 3) | 0).int64(9).uint32((1 << 3) | 2).bytes(Buffer.from('b'));
    const kv = decodeKeyValue(w.finish(), {});
    expect([kv.modRevision, Buffer.from(kv.key).toString()]).toEqual([9, 'b']);
  });

  it.each([
    ['a wrong wire type', [0x0a + 1, 0], 'bad field tag'],
    ['field 0', [0x00, 0], 'bad field tag'],
    ['a group', [(1 << 3) | 3], 'bad field tag'],
    ['a length past the end', [0x0a, 5, 1], 'truncated'],
    ['a varint past the end', [0x10, 0x80], 'truncated'],
    ['an 11-byte varint', [0x10, ...new Array(10).fill(0xff), 1], 'truncated'],
    ['a fixed64 past the end', [(7 << 3) | 1, 1, 2], 'truncated'],
  ])('%s is a typed error', (_, bytes, problem) => {
    const e = atrestErrorOf(() => decodeKeyValue(new Uint8Array(bytes as number[]), { revision: 7 }));
    expect(e.message).toBe(`malformed mvccpb.KeyValue: ${problem}`);
    expect(e.context.revision).toBe(7);
  });

  it('revisions beyond 2^53 - 1, or negative, are refused with the exact value', () => {
    for (const v of ['9007199254740992', '-1']) {
      const bytes = KeyValue.encode({ key: Buffer.from('k'), modRevision: v }).finish();
      const e = atrestErrorOf(() => decodeKeyValue(bytes, {}));
      expect(e.message).toBe('mod_revision does not fit in a safe integer');
      expect(e.context.value).toBe(v);
    }
  });

  it('garbage never escapes as anything but an AtrestError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          decodeKeyValueView(bytes, {});
        } catch (err) {
          if (!(err instanceof AtrestError)) throw err;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
