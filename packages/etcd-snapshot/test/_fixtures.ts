/**
 * Shared test fixtures: the real etcd 3.4 snapshot in `test-vectors/etcd`, its manifest, and
 * helpers to make corrupted copies in a temporary directory.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const VECTORS = fileURLToPath(new URL('../../../test-vectors/etcd/', import.meta.url));
export const SAMPLE_DB = join(VECTORS, 'sample.db');

export interface ManifestRevision {
  revision: number;
  subRevision: number;
  createRevision: number;
  version: number;
  valueBytes: number;
  valueSha256: string;
}
export interface ManifestKey {
  key: string;
  latest: ManifestRevision | null;
  history: ManifestRevision[];
  tombstones: number[];
  compacted: { revision: number; op: string }[];
}
export interface Manifest {
  snapshot: {
    bytes: number;
    sha256: string;
    trailingSha256: string;
    boltPageSize: number;
    etcdctlSnapshotStatus: { hash: number; revision: number; totalKey: number; totalSize: number };
  };
  revisions: { head: number; compact: number };
  keys: ManifestKey[];
  otherKeys: { key: string; revisions: (Omit<ManifestRevision, 'valueBytes' | 'valueSha256'> & { value: string })[] }[];
}

export const manifest = JSON.parse(readFileSync(join(VECTORS, 'sample.manifest.json'), 'utf8')) as Manifest;

export function sha256Hex(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

/** A scratch directory, removed by the returned cleanup. */
export function scratch(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'atrest-etcd-snapshot-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The sample's bytes (a fresh copy each call). */
export function sampleBytes(): Buffer {
  return readFileSync(SAMPLE_DB);
}

/** Recompute etcd's trailer over a (modified) snapshot so only the intended corruption remains. */
export function resealTrailer(file: Buffer): Buffer {
  const dataEnd = file.length - 32;
  createHash('sha256').update(file.subarray(0, dataEnd)).digest().copy(file, dataEnd);
  return file;
}

export function writeCopy(dir: string, name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** CRC-32C (Castagnoli), the hash `etcdctl snapshot status` reports. */
const CRC32C_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export class Crc32c {
  #crc = 0xffffffff;
  update(b: Uint8Array): this {
    let c = this.#crc;
    for (const x of b) c = (CRC32C_TABLE[(c ^ x) & 0xff] as number) ^ (c >>> 8);
    this.#crc = c;
    return this;
  }
  digest(): number {
    return (this.#crc ^ 0xffffffff) >>> 0;
  }
}

/** Little-endian reads of a snapshot copy, for crafting corruptions. */
export function u16(b: Buffer, at: number): number {
  return b.readUInt16LE(at);
}
export function u32(b: Buffer, at: number): number {
  return b.readUInt32LE(at);
}
export function u64(b: Buffer, at: number): number {
  return Number(b.readBigUInt64LE(at));
}

/**
 * Locate, by hand, the root page of bucket `key` in a snapshot (so corruption tests do not depend
 * on the reader under test): meta 0's root bucket page, its leaf element named `key`, the bucket
 * header's root pgid.
 */
export function keyBucketRoot(b: Buffer, pageSize = 4096): number {
  const rootPgid = u64(b, 16 + 16);
  const page = rootPgid * pageSize;
  // The root bucket of etcd's ten buckets fits one leaf page.
  if ((u16(b, page + 8) & 0x02) === 0) throw new Error('fixture: root bucket is not a single leaf');
  const count = u16(b, page + 10);
  for (let i = 0; i < count; i++) {
    const el = page + 16 + i * 16;
    const pos = u32(b, el + 4);
    const ksize = u32(b, el + 8);
    const key = b.subarray(el + pos, el + pos + ksize).toString();
    if (key === 'key') return u64(b, el + pos + ksize);
  }
  throw new Error('fixture: bucket key not found');
}
