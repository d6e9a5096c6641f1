/**
 * Builders of Kubernetes protobuf bytes for crafted test cases (protobufjs Writer, field numbers as
 * in the module docs of `_protobuf-schema.ts`).
 *
 * @module
 */
import protobuf from 'protobufjs';

export type Field = [number, 'bytes', Uint8Array | string] | [number, 'varint', number | bigint];

/** Encode fields in order (repeats allowed). */
export function message(...fields: Field[]): Uint8Array {
  const w = protobuf.Writer.create();
  for (const [id, kind, value] of fields) {
    if (kind === 'bytes') {
      w.uint32((id << 3) | 2);
      w.bytes(typeof value === 'string' ? Buffer.from(value) : value);
    } else {
      w.uint32((id << 3) | 0);
      w.int64(typeof value === 'bigint' ? value.toString() : value);
    }
  }
  return w.finish();
}

export const entry = (id: number, key: string, value: Uint8Array | string): Field => [id, 'bytes', message([1, 'bytes', key], [2, 'bytes', value])];

/** `k8s\0` + Unknown{typeMeta{apiVersion, kind}, raw, contentEncoding?}. */
export function envelope(apiVersion: string, kind: string, raw: Uint8Array, contentEncoding = ''): Uint8Array {
  const fields: Field[] = [
    [1, 'bytes', message([1, 'bytes', apiVersion], [2, 'bytes', kind])],
    [2, 'bytes', raw],
  ];
  if (contentEncoding !== '') fields.push([3, 'bytes', contentEncoding]);
  return Buffer.concat([Buffer.from('k8s\0'), message(...fields)]);
}
