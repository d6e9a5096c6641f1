/**
 * decodeObjectSummary must accept and refuse exactly what decodeObject(bytes, { payloads: false })
 * does, with the same error (message and context), and report the same identity: on the real
 * objects of the sample snapshot, on crafted edge cases, and on structured and random garbage.
 */
import { AtrestError } from '@atrest/core';
import { checkObject, decodeObject, decodeObjectSummary } from '@atrest/kube-objects';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { entry, envelope, message } from '@atrest/test-support';
import { damagedSamples, sampleValues } from './_sample.js';

type Outcome = { ok: Record<string, string> } | { error: { code: string; message: string; context: unknown } };

function capture(fn: () => Record<string, string>): Outcome {
  try {
    return { ok: fn() };
  } catch (err) {
    if (!(err instanceof AtrestError)) throw err;
    return { error: { code: err.code, message: err.message, context: err.context } };
  }
}

function full(bytes: Uint8Array): Outcome {
  return capture(() => {
    const o = decodeObject(bytes, { payloads: false });
    const m = o.metadata;
    return { encoding: o.encoding, apiVersion: o.apiVersion, kind: o.kind, name: m?.name ?? '', namespace: m?.namespace ?? '', uid: m?.uid ?? '' };
  });
}

function summary(bytes: Uint8Array): Outcome {
  return capture(() => ({ ...decodeObjectSummary(bytes) }));
}

function same(bytes: Uint8Array): void {
  const want = full(bytes);
  expect(summary(bytes)).toEqual(want);
  // checkObject: the same errors, and the encoding alone.
  const checked = capture(() => ({ encoding: checkObject(bytes) }));
  expect(checked).toEqual('ok' in want ? { ok: { encoding: want.ok['encoding'] } } : want);
}
const samples = sampleValues().map((v) => v.plaintext);
const MAGIC = Buffer.from('k8s\0');

/** Bytes of a varint of `n`, padded to `length` bytes when asked (an overlong encoding). */
function varintBytes(n: number, length: number): number[] {
  const out: number[] = [];
  do {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  } while (n > 0);
  while (out.length < length) out.push(0x80);
  out[out.length - 1] = (out[out.length - 1] as number) & 0x7f;
  return out;
}

/**
 * A raw protobuf field with any wire type, tags and lengths of 1..7 bytes (overlong encodings
 * included), varints of 1..12 bytes (unterminated ones included) and any payload.
 */
const rawField = fc
  .record({
    number: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 18 }) }, fc.integer({ min: 0, max: 2 ** 29 - 1 })),
    wireType: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(0, 2) }, fc.integer({ min: 0, max: 7 })),
    tagLength: fc.oneof({ weight: 4, arbitrary: fc.constant(1) }, fc.integer({ min: 1, max: 7 })),
    lengthLength: fc.oneof({ weight: 4, arbitrary: fc.constant(1) }, fc.integer({ min: 1, max: 7 })),
    varint: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 12 }),
    body: fc.uint8Array({ maxLength: 24 }),
    cut: fc.integer({ min: 0, max: 10 }),
  })
  .map(({ number, wireType, tagLength, lengthLength, varint, body, cut }) => {
    const tag = varintBytes(number * 8 + wireType, tagLength);
    // Continuation bits on all but the last byte (sometimes on the last too: unterminated).
    const v = varint.map((b, i) => (i < varint.length - 1 || cut === 0 ? b | 0x80 : b & 0x7f));
    const payload =
      wireType === 0 ? v
      : wireType === 1 ? [...body.subarray(0, 8 - (cut % 3))]
      : wireType === 5 ? [...body.subarray(0, 4)]
      : wireType === 2 ? [...varintBytes(body.length + (cut === 1 ? 3 : 0), lengthLength), ...body]
      : [];
    return Uint8Array.from([...tag, ...payload]);
  });
const rawMessage = fc.array(rawField, { maxLength: 6 }).map((fields) => Buffer.concat(fields));

describe('decodeObjectSummary and checkObject equal decodeObject(…, { payloads: false })', () => {
  it('on every object of the sample snapshot (protobuf and JSON)', () => {
    expect(samples.length).toBeGreaterThan(20);
    for (const b of samples) {
      same(b);
      expect('ok' in summary(b)).toBe(true);
    }
  });

  it('on crafted protobuf edge cases', () => {
    const meta = message([1, 'bytes', 'db'], [3, 'bytes', 'shop'], [5, 'bytes', 'uid'], [8, 'bytes', message([1, 'varint', 1740994465])], entry(11, 'a', 'b'));
    const cases: Uint8Array[] = [
      envelope('v1', 'Secret', message([1, 'bytes', meta], entry(2, 'k', 'v'))),
      envelope('v1', 'Secret', message([1, 'bytes', meta], [2, 'bytes', Buffer.from([0x08])])), // a data entry that is not a MapEntry
      envelope('v1', 'Secret', message([1, 'bytes', meta], [1, 'bytes', ''])), // the last metadata is empty
      envelope('v1', 'ConfigMap', message([1, 'bytes', meta], entry(2, 'k', 'v'), [3, 'bytes', Buffer.from([0x12, 0x09])])),
      envelope('v1', 'Pod', message([1, 'bytes', meta])),
      envelope('v1', 'Pod', message([1, 'varint', 3])), // field 1 not a message: unknown
      envelope('apps/v1', 'Deployment', message([1, 'bytes', Buffer.from([0xff])])),
      envelope('v1', 'Secret', message([1, 'bytes', meta]), 'gzip'),
      envelope('v1', 'Secret', message([1, 'bytes', message([7, 'varint', 2n ** 60n])])), // generation out of range
      envelope('v1', 'Secret', message([1, 'bytes', message([8, 'bytes', message([1, 'varint', 2n ** 50n])])])), // timestamp out of range
      envelope('v1', 'Secret', message([1, 'bytes', message([9, 'bytes', message([2, 'varint', -1])])])), // negative nanos: a 10-byte int32
      envelope('v1', 'Secret', message([1, 'bytes', message([12, 'bytes', Buffer.from([0x0a, 0x05])])])), // a truncated annotation
      envelope('\uFEFFv1', 'Secret', message([1, 'bytes', meta])), // the UTF-8 decoder drops a leading byte-order mark
      envelope('v1', '\uFEFF', new Uint8Array(0)),
      envelope('', 'Secret', new Uint8Array(0)),
      envelope('v1', '', new Uint8Array(0)),
      MAGIC,
      Buffer.concat([MAGIC, Buffer.from([0x0a, 0x10, 0x01])]),
      Buffer.concat([MAGIC, Buffer.from([0x08, 0x01])]),
      Buffer.concat([MAGIC, Buffer.from([0x8a, 0x80, 0x80, 0x80, 0x10, 0x00])]), // a 5-byte tag with high bits: the scan reads it, protobufjs' tag() refuses it
      Buffer.concat([MAGIC, Buffer.from([0x12, 0x80, 0x80, 0x80, 0x80, 0x08])]), // a length whose 5th byte is over 7
    ];
    for (const b of cases) same(b);
  });

  it('on structured garbage at every level of a Secret and another kind', () => {
    fc.assert(
      fc.property(rawMessage, rawMessage, rawMessage, fc.constantFrom('Secret', 'ConfigMap', 'Pod'), fc.boolean(), (meta, raw, envelopeTail, kind, wrap) => {
        same(envelope('v1', kind, Buffer.concat([message([1, 'bytes', meta]), raw])));
        same(envelope('v1', kind, message([1, 'bytes', Buffer.concat([message([1, 'bytes', 'n'], [8, 'bytes', raw], [9, 'bytes', meta]), meta])])));
        same(envelope('v1', kind, message([1, 'bytes', message([11, 'bytes', meta], [12, 'bytes', raw])], [2, 'bytes', raw], [3, 'bytes', meta])));
        same(wrap ? Buffer.concat([envelope('v1', kind, raw), envelopeTail]) : Buffer.concat([MAGIC, envelopeTail]));
      }),
      { numRuns: 3000 },
    );
  });

  it('on real objects with flipped bytes, truncated, or extended', () => {
    fc.assert(
      fc.property(damagedSamples(samples), (inputs) => {
        for (const b of inputs) same(b);
      }),
      { numRuns: 2000 },
    );
  });

  it('on random bytes, with and without the protobuf magic, and random JSON', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 256 }), (b) => same(b)), { numRuns: 1000 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 256 }), (b) => same(Buffer.concat([MAGIC, b]))), { numRuns: 2000 });
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), fc.constantFrom('v1', 'example.com/v1'), fc.constantFrom('Secret', 'ConfigMap', 'Widget'), (metadata, data, apiVersion, kind) =>
        same(new TextEncoder().encode(JSON.stringify({ apiVersion, kind, metadata, data }))),
      ),
      { numRuns: 500 },
    );
    // Metadata of every shape: each field a string, null, or something else.
    const value = fc.oneof(fc.string(), fc.constant(null), fc.integer(), fc.double(), fc.boolean(), fc.array(fc.oneof(fc.string(), fc.integer())), fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.constant(null))));
    const fields = ['name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'labels', 'annotations', 'finalizers', '__proto__'];
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...fields), value), fc.option(value), fc.constantFrom('{', ' \n{'), (metadata, apiVersion, lead) =>
        same(new TextEncoder().encode(`${lead.slice(0, -1)}${JSON.stringify({ apiVersion: apiVersion ?? 'v1', kind: 'Secret', metadata })}`)),
      ),
      { numRuns: 2000 },
    );
    for (const s of ['', '   ', '[1,2]', 'hello', 'k8s:enc:aesgcm:v1:key1:xx', '{"kind":"A"}', '{"kind":"A","apiVersion":"v1","metadata":{"name":7}}']) same(Buffer.from(s));
    same(Buffer.from([0xd9, 0xd9, 0xf7, 1, 2]));
  });
});
