import { BoltReader, openSnapshot, parseRevisionKey, type RevisionEntry, revisionKey } from '@atrest/etcd-snapshot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Crc32c, manifest, SAMPLE_DB, sha256Hex } from './_fixtures.js';

const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');
const id = (main: number, sub: number, tombstone: boolean): string => `${main}_${sub}${tombstone ? 't' : ''}`;

interface Expected {
  key: string;
  revision: number;
  subRevision: number;
  tombstone: boolean;
  createRevision?: number;
  version?: number;
  valueSha256?: string;
  value?: string;
}

/** Every entry bucket `key` must hold, from the manifest alone. */
function expectedEntries(): Map<string, Expected> {
  const out = new Map<string, Expected>();
  const add = (e: Expected): void => {
    const k = id(e.revision, e.subRevision, e.tombstone);
    expect(out.has(k), `manifest lists ${k} twice`).toBe(false);
    out.set(k, e);
  };
  for (const k of manifest.keys) {
    for (const r of [...(k.latest ? [k.latest] : []), ...k.history]) add({ key: k.key, tombstone: false, ...r });
    for (const t of k.tombstones) add({ key: k.key, revision: t, subRevision: 0, tombstone: true });
  }
  for (const o of manifest.otherKeys) for (const r of o.revisions) add({ key: o.key, tombstone: false, ...r });
  return out;
}

describe.each([
  { name: 'default cache', pageCacheSize: undefined },
  { name: 'no cache', pageCacheSize: 0 },
  { name: 'one-page cache', pageCacheSize: 1 },
])('sample.db ($name)', ({ pageCacheSize }) => {
  let snap: ReturnType<typeof openSnapshot>;
  let entries: RevisionEntry[];
  beforeAll(() => {
    snap = openSnapshot(SAMPLE_DB, pageCacheSize === undefined ? {} : { pageCacheSize });
    entries = [...snap.revisions()];
  });
  afterAll(() => snap.close());

  it('info matches the manifest', () => {
    const info = snap.info();
    expect(info.pageSize).toBe(manifest.snapshot.boltPageSize);
    expect(info.fileSize).toBe(manifest.snapshot.bytes);
    expect(info.trailer).toEqual({
      present: true,
      valid: true,
      expected: manifest.snapshot.trailingSha256,
      actual: manifest.snapshot.trailingSha256,
    });
    expect(info.highWaterPgid * info.pageSize).toBe(manifest.snapshot.etcdctlSnapshotStatus.totalSize);
    expect(info.unusedTrailingBytes).toBe(0);
    expect(info.otherMetaProblem).toBeNull();
    expect(info.meta.finishedCompactRev).toEqual({ main: manifest.revisions.compact, sub: 0 });
    expect(info.meta.scheduledCompactRev?.main).toBeGreaterThanOrEqual(manifest.revisions.compact);
    expect(info.meta.consistentIndex).toBeGreaterThan(0);
  });

  it("lists etcd's buckets", () => {
    expect(snap.buckets()).toEqual(expect.arrayContaining(['key', 'meta', 'lease', 'members', 'cluster']));
  });

  it('holds exactly the surviving revisions, in revision order', () => {
    const expected = expectedEntries();
    const seen = entries.map((e) => id(e.revision.main, e.revision.sub, e.tombstone));
    expect(new Set(seen)).toEqual(new Set(expected.keys()));
    expect(seen.length).toBe(expected.size);
    const order = entries.map((e) => e.revision.main * 1e6 + e.revision.sub);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(Math.max(...entries.map((e) => e.revision.main))).toBe(manifest.snapshot.etcdctlSnapshotStatus.revision);
  });

  it('has no compacted revision', () => {
    const present = new Set(entries.map((e) => `${text(e.kv.key)}@${e.revision.main}`));
    let compacted = 0;
    for (const k of manifest.keys) {
      for (const c of k.compacted) {
        compacted++;
        expect(present.has(`${k.key}@${c.revision}`), `${k.key}@${c.revision}`).toBe(false);
        expect(c.revision).toBeLessThanOrEqual(manifest.revisions.compact);
      }
    }
    expect(compacted).toBeGreaterThan(0);
  });

  it('decodes every KeyValue as the manifest describes it', () => {
    const expected = expectedEntries();
    for (const e of entries) {
      const want = expected.get(id(e.revision.main, e.revision.sub, e.tombstone)) as Expected;
      const where = `${want.key}@${want.revision}`;
      expect(text(e.kv.key), where).toBe(want.key);
      if (e.tombstone) {
        // etcd stores only the key in a tombstone's KeyValue.
        expect(e.kv.value.length, where).toBe(0);
        continue;
      }
      expect(e.kv.modRevision, where).toBe(want.revision);
      expect(e.kv.createRevision, where).toBe(want.createRevision);
      expect(e.kv.version, where).toBe(want.version);
      expect(e.kv.lease, where).toBe(0n);
      if (want.valueSha256 !== undefined) expect(sha256Hex(e.kv.value), where).toBe(want.valueSha256);
      else expect(text(e.kv.value), where).toBe(want.value);
    }
  });

  it('reads values stored in overflow pages', () => {
    const big = entries.filter((e) => e.kv.value.length > snap.info().pageSize);
    const wanted = manifest.keys.flatMap((k) =>
      [...(k.latest ? [k.latest] : []), ...k.history].filter((r) => r.valueBytes > manifest.snapshot.boltPageSize).map((r) => r.valueSha256),
    );
    expect(wanted.length).toBe(2);
    expect(big.map((e) => sha256Hex(e.kv.value)).sort()).toEqual([...wanted].sort());
  });

  it('reproduces `etcdctl snapshot status` (hash over every bucket, key count)', () => {
    // etcdctl hashes, with CRC-32C, each top-level bucket name followed by its keys and values.
    const bolt = snap.bolt;
    const crc = new Crc32c();
    let totalKey = 0;
    for (const b of bolt.iterate([])) {
      expect(b.bucket).toBe(true);
      crc.update(b.key);
      for (const e of bolt.iterate([b.key])) {
        crc.update(e.key);
        crc.update(e.value ?? new Uint8Array(0));
        totalKey++;
      }
    }
    expect(crc.digest()).toBe(manifest.snapshot.etcdctlSnapshotStatus.hash);
    expect(totalKey).toBe(manifest.snapshot.etcdctlSnapshotStatus.totalKey);
  });

  it('reports byte offsets that point at the revision key', () => {
    const bolt = BoltReader.open(SAMPLE_DB);
    try {
      for (const e of entries.slice(0, 5)) {
        expect(e.pageId).toBeGreaterThan(1);
        expect(e.keyOffset).toBeGreaterThan(e.pageId * snap.info().pageSize);
        expect(e.valueOffset).toBe(e.keyOffset + (e.tombstone ? 18 : 17));
      }
    } finally {
      bolt.close();
    }
  });
});

describe('BoltReader', () => {
  it('gets single values and answers for missing keys and buckets', () => {
    const db = BoltReader.open(SAMPLE_DB);
    try {
      const ci = db.get(['meta'], 'consistent_index');
      expect(ci?.length).toBe(8);
      expect(db.get(['meta'], 'no-such-key')).toBeUndefined();
      expect(db.get([], 'key')).toBeUndefined(); // a nested bucket, not a value
      expect(db.hasBucket(['key'])).toBe(true);
      expect(db.hasBucket(['nope'])).toBe(false);
      expect(db.hasBucket(['meta', 'consistent_index'])).toBe(false);
      expect(() => [...db.iterate(['nope'])]).toThrow(expect.objectContaining({ code: 'ERR_INVALID_DATA', message: 'bucket not found' }));
      expect(db.trailerPresent).toBe(true);
    } finally {
      db.close();
    }
  });

  it('refuses reads after close', () => {
    const db = BoltReader.open(SAMPLE_DB);
    db.close();
    expect(() => [...db.iterate(['key'])]).toThrow(expect.objectContaining({ code: 'ERR_INVALID_DATA' }));
  });
});

describe('revision keys', () => {
  it('round-trip', () => {
    for (const [main, sub, t] of [
      [1, 0, false],
      [98, 3, true],
      [Number.MAX_SAFE_INTEGER, 0, false],
    ] as const) {
      expect(parseRevisionKey(revisionKey({ main, sub }, t))).toEqual({ revision: { main, sub }, tombstone: t });
    }
  });

  it('refuses malformed keys and unsafe revisions', () => {
    const bad = [new Uint8Array(16), new Uint8Array(17), new Uint8Array(19), (() => {
      const k = revisionKey({ main: 1, sub: 0 }, true);
      k[17] = 0x78;
      return k;
    })(), (() => {
      const k = revisionKey({ main: 1, sub: 0 });
      k[0] = 0x80;
      return k;
    })()];
    for (const k of bad) expect(() => parseRevisionKey(k)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_DATA' }));
  });
});
