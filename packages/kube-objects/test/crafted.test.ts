import { decodeObject } from '@atrest/kube-objects';
import type { AtrestError } from '@atrest/core';
import { describe, expect, it } from 'vitest';
import { entry, envelope, message } from '@atrest/test-support';
import { atrestErrorOf } from '@atrest/test-support/provider-kit';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

function invalid(bytes: Uint8Array): AtrestError {
  const e = atrestErrorOf(() => decodeObject(bytes));
  expect(e.code).toBe('ERR_INVALID_DATA');
  return e;
}

const meta = message(
  [1, 'bytes', 'db'],
  [2, 'bytes', 'db-'],
  [3, 'bytes', 'shop'],
  [5, 'bytes', 'a7c4-uid'],
  [6, 'bytes', '42'],
  [7, 'varint', 3],
  [8, 'bytes', message([1, 'varint', 1740994465], [2, 'varint', 5])],
  entry(11, 'app', 'shop'),
  entry(12, 'note', 'x'),
  [13, 'bytes', message([1, 'bytes', 'ignored ownerReference'])],
  [14, 'bytes', 'example.com/finalizer'],
  [17, 'bytes', message([1, 'bytes', 'ignored managedFields'])],
);

describe('protobuf objects', () => {
  it('a Secret, every field', () => {
    const raw = message(
      [1, 'bytes', meta],
      entry(2, 'password', new Uint8Array([0, 255, 1])),
      entry(2, '__proto__', 'x'),
      entry(2, 'password', 'second wins'),
      [3, 'bytes', 'kubernetes.io/basic-auth'],
      [5, 'varint', 1],
    );
    const o = decodeObject(envelope('v1', 'Secret', raw));
    expect(o).toMatchObject({ encoding: 'protobuf', mediaType: 'application/vnd.kubernetes.protobuf', apiVersion: 'v1', kind: 'Secret', rawSize: raw.length });
    expect(o.metadata).toMatchObject({
      name: 'db',
      generateName: 'db-',
      namespace: 'shop',
      selfLink: '',
      uid: 'a7c4-uid',
      resourceVersion: '42',
      generation: 3,
      creationTimestamp: '2025-03-03T09:34:25Z',
      deletionTimestamp: null,
      finalizers: ['example.com/finalizer'],
    });
    expect({ ...o.metadata?.labels }).toEqual({ app: 'shop' });
    expect({ ...o.metadata?.annotations }).toEqual({ note: 'x' });
    expect(o.secret?.type).toBe('kubernetes.io/basic-auth');
    expect(o.secret?.immutable).toBe(true);
    expect(Object.keys(o.secret?.data ?? {}).sort()).toEqual(['__proto__', 'password']);
    expect(Buffer.from(o.secret?.data.password ?? []).toString()).toBe('second wins');
    expect(Object.getPrototypeOf(o.secret?.data)).toBeNull();
  });

  it('a ConfigMap with binaryData and an empty (zero) timestamp', () => {
    const m = message([1, 'bytes', 'cfg'], [8, 'bytes', new Uint8Array(0)]);
    const raw = message([1, 'bytes', m], entry(2, 'a', 'b'), entry(3, 'bin', new Uint8Array([1, 2])), [4, 'varint', 0]);
    const o = decodeObject(envelope('v1', 'ConfigMap', raw));
    expect(o.metadata?.creationTimestamp).toBeNull();
    expect({ ...o.configMap?.data }).toEqual({ a: 'b' });
    expect([...(o.configMap?.binaryData.bin ?? [])]).toEqual([1, 2]);
    expect(o.configMap?.immutable).toBe(false);
  });

  it('another kind: metadata from field 1, nothing else', () => {
    const o = decodeObject(envelope('apps/v1', 'Deployment', message([1, 'bytes', meta], [2, 'bytes', message([1, 'varint', 3])])));
    expect(o).toMatchObject({ encoding: 'protobuf', apiVersion: 'apps/v1', kind: 'Deployment' });
    expect(o.metadata?.name).toBe('db');
    expect(o.secret).toBeUndefined();
    expect(o.configMap).toBeUndefined();
  });

  it('another kind whose field 1 is not metadata, or a content-encoded payload: unknown', () => {
    const notMeta = decodeObject(envelope('x.io/v1', 'Thing', message([1, 'varint', 7])));
    expect(notMeta).toMatchObject({ encoding: 'unknown', apiVersion: 'x.io/v1', kind: 'Thing', metadata: null, rawSize: 2 });
    const gz = decodeObject(envelope('v1', 'Secret', new Uint8Array([0x1f, 0x8b, 8]), 'gzip'));
    expect(gz).toMatchObject({ encoding: 'unknown', kind: 'Secret', metadata: null, rawSize: 3 });
    expect(gz.secret).toBeUndefined();
  });

  it('malformed Secrets and ConfigMaps are errors', () => {
    const cases: [Uint8Array, string][] = [
      [envelope('v1', 'Secret', message([2, 'varint', 1])), 'raw'],
      [envelope('v1', 'Secret', message([1, 'bytes', message([8, 'varint', 1])])), 'raw.metadata'],
      [envelope('v1', 'Secret', message([1, 'bytes', message([8, 'bytes', message([1, 'varint', 10n ** 15n])])])), 'raw.metadata.creationTimestamp'],
      [envelope('v1', 'ConfigMap', message([3, 'bytes', new Uint8Array([0x0a, 0x05, 0x61])])), 'raw.binaryData'],
      [envelope('v1', 'ConfigMap', new Uint8Array([0x0a, 0x80])), 'raw'],
    ];
    for (const [bytes, field] of cases) expect(invalid(bytes).context.field).toBe(field);
  });

  it('malformed envelopes are errors', () => {
    expect(invalid(Buffer.from('k8s\0')).message).toBe("Object 'Kind' is missing");
    expect(invalid(envelope('', 'Secret', new Uint8Array(0))).context.field).toBe('Unknown.typeMeta.apiVersion');
    expect(invalid(Buffer.concat([Buffer.from('k8s\0'), Buffer.from([0x0a, 0x10, 0x01])])).context.field).toBe('Unknown');
    expect(invalid(Buffer.concat([Buffer.from('k8s\0'), Buffer.from([0x08, 0x01])])).context.field).toBe('Unknown');
  });
});

describe('JSON objects', () => {
  it('a custom resource keeps its document', () => {
    const doc = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'ns', creationTimestamp: '2025-03-03T08:31:14Z', labels: { a: 'b' } }, spec: { size: 1 } };
    const o = decodeObject(utf8(`${JSON.stringify(doc)}\n`));
    expect(o).toMatchObject({ encoding: 'json', mediaType: 'application/json', apiVersion: 'example.com/v1', kind: 'Widget' });
    expect(o.metadata).toMatchObject({ name: 'w', namespace: 'ns', creationTimestamp: '2025-03-03T08:31:14Z', deletionTimestamp: null, generation: 0 });
    expect(o.json).toEqual(doc);
  });

  it('a JSON Secret and ConfigMap have their base64 decoded', () => {
    const s = decodeObject(utf8('{"apiVersion":"v1","kind":"Secret","type":"Opaque","data":{"k":"aGk="},"immutable":true}'));
    expect(Buffer.from(s.secret?.data.k ?? []).toString()).toBe('hi');
    expect(s.secret?.immutable).toBe(true);
    const c = decodeObject(utf8(' \n{"apiVersion":"v1","kind":"ConfigMap","data":{"a":"b"},"binaryData":{"x":"AAE="}}'));
    expect([...(c.configMap?.binaryData.x ?? [])]).toEqual([0, 1]);
  });

  it.each([
    ['invalid JSON', '{"a":'],
    ['no kind', '{"apiVersion":"v1","metadata":{"name":"x"}}'],
    ['no apiVersion', '{"kind":"Secret"}'],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d])],
    ['a name that is a number', '{"apiVersion":"v1","kind":"X","metadata":{"name":1}}'],
    ['metadata that is a list', '{"apiVersion":"v1","kind":"X","metadata":[]}'],
    ['labels with a number', '{"apiVersion":"v1","kind":"X","metadata":{"labels":{"a":1}}}'],
    ['a non-integer generation', '{"apiVersion":"v1","kind":"X","metadata":{"generation":1.5}}'],
    ['bad base64 in a Secret', '{"apiVersion":"v1","kind":"Secret","data":{"k":"!!"}}'],
    ['a kind that is not a string', '{"apiVersion":"v1","kind":{}}'],
  ])('%s is an error', (_, input) => {
    invalid(typeof input === 'string' ? utf8(input) : input);
  });
});

describe('other inputs', () => {
  it('CBOR is reported as unknown', () => {
    expect(decodeObject(new Uint8Array([0xd9, 0xd9, 0xf7, 0xa0]))).toMatchObject({ encoding: 'unknown', mediaType: 'application/cbor', rawSize: 4, metadata: null });
  });

  it('encrypted values, empty input and other bytes are errors', () => {
    expect(invalid(utf8('k8s:enc:aesgcm:v1:key1:xxxx')).message).toMatch(/encrypted/);
    invalid(new Uint8Array(0));
    invalid(utf8('   '));
    invalid(utf8('[1,2]'));
    invalid(utf8('hello'));
  });
});
