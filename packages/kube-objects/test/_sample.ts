/**
 * The plaintext objects of the real etcd snapshot in `test-vectors/etcd`: read with
 * `@atrest/etcd-snapshot`; aesgcm and aescbc values are decrypted here with node:crypto from the
 * keys in the manifest's auditor configuration (kept independent of the provider packages, which
 * are not dependencies of this one).
 *
 * @module
 */
import { createDecipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openSnapshot } from '@atrest/etcd-snapshot';
import fc from 'fast-check';

const VECTORS = fileURLToPath(new URL('../../../test-vectors/etcd/', import.meta.url));

export interface ManifestObject {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  uid: string;
  creationTimestamp: string;
  type?: string;
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
  spec?: unknown;
}
interface ManifestRevision {
  revision: number;
  subRevision: number;
  classification: { id: string; status: string };
  object: ManifestObject | null;
}
interface Manifest {
  auditor: { encryptionConfiguration: string };
  totals: { snapshot: { byStatus: Record<string, number>; byProviderKey: Record<string, number> } };
  keys: { key: string; latest: ManifestRevision | null; history: ManifestRevision[] }[];
}

export const manifest = JSON.parse(readFileSync(`${VECTORS}sample.manifest.json`, 'utf8')) as Manifest;

export interface SampleValue {
  key: string;
  revision: number;
  classification: string;
  status: string;
  plaintext: Uint8Array;
  expected: ManifestObject;
}

const keys = new Map<string, Buffer>();
for (const m of manifest.auditor.encryptionConfiguration.matchAll(/- name: (\S+)\n\s+secret: (\S+)/g)) {
  keys.set(m[1] as string, Buffer.from(m[2] as string, 'base64'));
}

function decrypt(id: string, value: Uint8Array, etcdKey: string): Uint8Array | null {
  const b = Buffer.from(value);
  if (id === 'aesgcm:key2') {
    const body = b.subarray('k8s:enc:aesgcm:v1:key2:'.length);
    const d = createDecipheriv('aes-256-gcm', keys.get('key2') as Buffer, body.subarray(0, 12));
    d.setAAD(Buffer.from(etcdKey));
    d.setAuthTag(body.subarray(body.length - 16));
    return Buffer.concat([d.update(body.subarray(12, body.length - 16)), d.final()]);
  }
  if (id === 'aescbc:key1') {
    const body = b.subarray('k8s:enc:aescbc:v1:key1:'.length);
    const d = createDecipheriv('aes-256-cbc', keys.get('key1') as Buffer, body.subarray(0, 16));
    return Buffer.concat([d.update(body.subarray(16)), d.final()]);
  }
  return null;
}

/** Every surviving revision whose plaintext the test can obtain, with the manifest's object. */
export function sampleValues(): SampleValue[] {
  const wanted = new Map<string, { key: string; r: ManifestRevision }>();
  for (const k of manifest.keys) {
    for (const r of [...(k.latest ? [k.latest] : []), ...k.history]) wanted.set(`${r.revision}_${r.subRevision}`, { key: k.key, r });
  }
  const out: SampleValue[] = [];
  const snap = openSnapshot(`${VECTORS}sample.db`);
  try {
    for (const e of snap.revisions()) {
      const w = wanted.get(`${e.revision.main}_${e.revision.sub}`);
      if (w === undefined || e.tombstone || w.r.object === null) continue;
      const id = w.r.classification.id;
      const plaintext = w.r.classification.status === 'plaintext' ? e.kv.value : decrypt(id, e.kv.value, w.key);
      if (plaintext === null) continue;
      out.push({ key: w.key, revision: e.revision.main, classification: id, status: w.r.classification.status, plaintext, expected: w.r.object });
    }
  } finally {
    snap.close();
  }
  return out;
}

/**
 * Fuzz inputs made from real objects: one of `samples` with up to eight bytes overwritten, then
 * that cut short at a random length, and extended by up to 16 random bytes.
 */
export function damagedSamples(samples: readonly Uint8Array[]): fc.Arbitrary<[Uint8Array, Uint8Array, Uint8Array]> {
  return fc
    .tuple(
      fc.integer({ min: 0, max: samples.length - 1 }),
      fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { maxLength: 8 }),
      fc.nat(),
      fc.uint8Array({ maxLength: 16 }),
    )
    .map(([which, edits, cut, extra]) => {
      const b = new Uint8Array(samples[which] as Uint8Array);
      for (const { at, value } of edits) b[at % b.length] = value;
      return [b, b.subarray(0, cut % (b.length + 1)), new Uint8Array([...b, ...extra])];
    });
}
