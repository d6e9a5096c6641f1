import { decodeObject, type DecodedObject } from '@atrest/kube-objects';
import { describe, expect, it } from 'vitest';
import { type ManifestObject, manifest, sampleValues } from './_sample.js';

const values = sampleValues();
const b64 = (r: Readonly<Record<string, Uint8Array>>): Record<string, string> =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));

function expectMatches(o: DecodedObject, want: ManifestObject, where: string): void {
  expect(o.apiVersion, where).toBe(want.apiVersion);
  expect(o.kind, where).toBe(want.kind);
  expect(o.metadata, where).not.toBeNull();
  expect(o.metadata?.namespace, where).toBe(want.namespace);
  expect(o.metadata?.name, where).toBe(want.name);
  expect(o.metadata?.uid, where).toBe(want.uid);
  expect(o.metadata?.creationTimestamp, where).toBe(want.creationTimestamp);
  if (want.kind === 'Secret') {
    expect(o.secret?.type, where).toBe(want.type);
    expect(b64(o.secret?.data ?? {}), where).toEqual(want.data ?? {});
  } else {
    expect(o.secret, where).toBeUndefined();
  }
  if (want.kind === 'ConfigMap') {
    expect({ ...o.configMap?.data }, where).toEqual(want.data ?? {});
    expect(b64(o.configMap?.binaryData ?? {}), where).toEqual(want.binaryData ?? {});
  } else {
    expect(o.configMap, where).toBeUndefined();
  }
  if (want.spec !== undefined) expect((o.json as { spec?: unknown }).spec, where).toEqual(want.spec);
}

describe('objects of the sample snapshot', () => {
  it('covers every plaintext revision and the aesgcm/aescbc ones', () => {
    const byStatus = manifest.totals.snapshot.byStatus;
    const byKey = manifest.totals.snapshot.byProviderKey;
    expect(values.filter((v) => v.status === 'plaintext').length).toBe(byStatus.plaintext);
    expect(values.filter((v) => v.status === 'encrypted').length).toBe((byKey['aesgcm:key2'] ?? 0) + (byKey['aescbc:key1'] ?? 0));
  });

  it.each(values.map((v) => [`${v.key}@${v.revision} (${v.classification})`, v] as const))('%s', (where, v) => {
    const o = decodeObject(v.plaintext);
    const json = v.expected.spec !== undefined;
    expect(o.encoding).toBe(json ? 'json' : 'protobuf');
    expect(o.rawSize).toBeGreaterThan(0);
    expect(o.rawSize).toBeLessThanOrEqual(v.plaintext.length);
    expectMatches(o, v.expected, where);
  });

  it('includes binaryData and overflow-sized objects', () => {
    const kinds = new Set(values.map((v) => v.expected.kind));
    expect(kinds).toEqual(new Set(['Secret', 'ConfigMap', 'Widget', 'Deployment', 'ClusterRole']));
    expect(values.some((v) => v.expected.binaryData !== undefined)).toBe(true);
    expect(values.some((v) => v.plaintext.length > 4096)).toBe(true);
  });
});
