/**
 * Free-page residue (`freePageRevisions`, issue 14): revisions that compaction unlinked from the
 * tree but whose bytes are still in free pages. Against a real etcd (plaintext values overwritten
 * by placeholder ciphertext, compacted, saved: the plaintext is found with its key, revision and
 * bytes; after defrag nothing is), on the shipped etcd 3.4 sample, on hand-built files (overflow
 * runs, branch pages, stale bounds in free space), and fuzzed (free pages overwritten).
 */
import { randomBytes } from 'node:crypto';
import { type AtrestError, ErrorCode } from '@atrest/core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePageRevisions, openSnapshot, revisionKey, type FreePageRevision, type RevisionEntry } from '@atrest/etcd-snapshot';
import { haveEtcd, startEtcd, type EtcdServer } from '@atrest/test-support';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBolt, type LeafItem } from '@atrest/test-support';
import { keyBucketRoot, SAMPLE_DB, scratch, writeCopy } from './_fixtures.js';

const { dir, cleanup } = scratch();
afterAll(cleanup);

const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
const liveId = (r: RevisionEntry): string => `${r.revision.main}:${r.revision.sub}:${r.tombstone}:${text(r.kv.key)}`;

interface Scan {
  records: FreePageRevision[];
  stats: ReturnType<typeof freePageRevisions>['stats'];
  live: Set<string>;
  reachable: Uint8Array;
}

function scanFile(path: string, excludeLive = false): Scan {
  const snap = openSnapshot(path, { trailer: 'skip' });
  try {
    const scan = snap.freePageRevisions({ excludeLive });
    const records = [...scan];
    const live = new Set<string>();
    for (const r of snap.revisions()) live.add(liveId(r));
    return { records, stats: scan.stats, live, reachable: snap.bolt.reachablePages() };
  } finally {
    snap.close();
  }
}

const isReachable = (bits: Uint8Array, id: number): boolean => ((bits[id >>> 3] as number) & (1 << (id & 7))) !== 0;

/** Invariants of every scan: records decode as etcd writes them, none from a reachable page. */
function checkInvariants(s: Scan): void {
  for (const r of s.records) {
    expect(isReachable(s.reachable, r.pageId)).toBe(false);
    expect(r.kv.key.length).toBeGreaterThan(0);
    if (!r.tombstone) expect(r.kv.modRevision).toBe(r.revision.main);
    expect(revisionKey(r.revision, r.tombstone).length).toBe(r.tombstone ? 18 : 17);
  }
  const ids = s.records.map((r) => liveId(r));
  expect(new Set(ids).size).toBe(ids.length);
  expect(s.stats.revisions).toBe(s.records.length);
}

// ---- a minimal mvccpb.KeyValue encoder for built files -------------------------------------
function varint(n: number): number[] {
  const out: number[] = [];
  let v = BigInt(n);
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
}
function encodeKv(key: string, main: number, value: Uint8Array): Buffer {
  const k = Buffer.from(key);
  return Buffer.from([
    0x0a, ...varint(k.length), ...k,
    0x10, ...varint(main),
    0x18, ...varint(main),
    0x20, ...varint(1),
    0x2a, ...varint(value.length), ...value,
  ]);
}
const revItem = (main: number, key: string, value: Uint8Array): LeafItem => ({ key: revisionKey({ main, sub: 0 }), value: encodeKv(key, main, value) });

describe('freePageRevisions on hand-built files', () => {
  const PAGE = 512;

  it('reads free leaf pages and overflow runs, skips branch pages, bad bounds and foreign elements, deduplicates', () => {
    const big = randomBytes(1500);
    // 2: root leaf -> bucket key at 3; 3: live leaf; 4..7: free leaf with an overflow run;
    // 8: free branch page; 9: free leaf repeating revision 5 plus foreign and broken elements.
    const file = buildBolt(PAGE, 2, [
      { type: 'leaf', items: [{ key: 'key', value: { root: 3 } }] },
      { type: 'leaf', items: [revItem(10, '/registry/secrets/a', Buffer.from('live'))] },
      { type: 'leaf', items: [revItem(5, '/registry/secrets/a', big), revItem(6, '/registry/secrets/b', Buffer.from('old-b'))] },
      { type: 'branch', children: [{ key: revisionKey({ main: 5, sub: 0 }), pgid: 4 }] },
      {
        type: 'leaf',
        items: [
          revItem(6, '/registry/secrets/b', Buffer.from('old-b')),
          { key: 'consistent_index', value: Buffer.alloc(8) },
          { key: revisionKey({ main: 7, sub: 0 }), value: Buffer.from([0xff, 0xff]) },
          revItem(8, '/registry/secrets/c', Buffer.from('cut')),
        ],
      },
    ]);
    expect(file.readUInt32LE(4 * PAGE + 12)).toBeGreaterThan(0); // page 4 has overflow pages
    const last = file.length / PAGE - 1; // page 9, after the run at 4..7 and the branch page at 8
    expect(last).toBe(9);
    expect(file.readUInt16LE(last * PAGE + 8)).toBe(0x02);
    // Make element 3 of the last page point past the page.
    file.writeUInt32LE(PAGE * 4, last * PAGE + 16 + 3 * 16 + 12);
    const path = writeCopy(dir, 'built.db', file);
    const s = scanFile(path);
    checkInvariants(s);
    const got = s.records.map((r) => [r.revision.main, text(r.kv.key), r.pageId]);
    expect(got).toEqual([
      [5, '/registry/secrets/a', 4],
      [6, '/registry/secrets/b', 4],
    ]);
    expect(Buffer.from(s.records[0]?.kv.value ?? []).equals(big)).toBe(true);
    expect(s.stats).toMatchObject({ duplicates: 1, skippedElements: 1, otherElements: 2, otherPages: 1, leafPages: 2, treeDamage: 0 });
    expect(s.stats.freePages).toBe(last - 3);
  });

  it('stops an overflow run at a reachable page or a page with its own header, and bounds it', () => {
    const big = randomBytes(700);
    // 2: root; 3: free leaf (1 page) whose header claims an overflow of 1, but page 4 is the live leaf.
    const file = buildBolt(PAGE, 2, [
      { type: 'leaf', items: [{ key: 'key', value: { root: 4 } }] },
      { type: 'leaf', items: [revItem(3, '/registry/x', Buffer.from('small'))] },
      { type: 'leaf', items: [revItem(9, '/registry/x', Buffer.from('live'))] },
      { type: 'leaf', items: [revItem(2, '/registry/y', big)] }, // 5..6
      { type: 'leaf', items: [revItem(1, '/registry/z', Buffer.from('own page'))] }, // 7
    ]);
    file.writeUInt32LE(1, 3 * PAGE + 12); // page 3 claims page 4
    const s = scanFile(writeCopy(dir, 'run.db', file));
    checkInvariants(s);
    expect(s.records.map((r) => r.revision.main)).toEqual([3, 2, 1]);
    // Page 5 claims a huge run: only its free pages up to the end are read, page 7 on its own.
    file.writeUInt32LE(0xffffffff, 5 * PAGE + 12);
    const t = scanFile(writeCopy(dir, 'run2.db', file));
    checkInvariants(t);
    expect(t.records.map((r) => r.revision.main)).toEqual([3, 2, 1]);
    // With a run budget of one page, page 5's value does not fit and is skipped.
    const snap = openSnapshot(writeCopy(dir, 'run3.db', file), { trailer: 'skip' });
    try {
      const scan = freePageRevisions(snap, { maxRunBytes: PAGE });
      expect([...scan].map((r) => r.revision.main)).toEqual([3, 1]);
      expect(scan.stats.skippedElements).toBe(1);
    } finally {
      snap.close();
    }
  });

  it('refuses a bad maxRunBytes', () => {
    const snap = openSnapshot(SAMPLE_DB);
    try {
      expect(() => snap.freePageRevisions({ maxRunBytes: 0 })).toThrow(/maxRunBytes/);
    } finally {
      snap.close();
    }
  });
});

describe('freePageRevisions on the etcd 3.4 sample', () => {
  it('finds only copies of live revisions, all decodable etcd keys', () => {
    const s = scanFile(SAMPLE_DB);
    checkInvariants(s);
    for (const r of s.records) {
      const key = text(r.kv.key);
      expect(key.startsWith('/registry/') || key === 'compact_rev_key').toBe(true);
      expect(s.live.has(liveId(r))).toBe(true);
    }
    // What the file holds (see the final report of issue 14): 3 free pages (2 stale leaves, 1
    // other), 4 revisions, all older copies of live ones.
    expect(s.stats).toMatchObject({ freePages: 3, leafPages: 2, otherPages: 1, revisions: 4, duplicates: 0 });
    const x = scanFile(SAMPLE_DB, true);
    expect(x.records).toEqual([]);
    expect(x.stats.liveDuplicates).toBe(4);
  });
});

describe('freePageRevisions on a damaged live tree', () => {
  it('throws without onDamage; with it, reports the damage and the skipped pages count as free', () => {
    const b = readFileSync(SAMPLE_DB);
    const root = keyBucketRoot(b);
    b.writeBigUInt64LE(0xdeadn, root * 4096); // the key bucket's root no longer names itself
    const path = writeCopy(dir, 'damaged.db', b);
    const snap = openSnapshot(path, { trailer: 'skip' });
    try {
      expect(() => [...snap.freePageRevisions()]).toThrow(/page header id/);
      const damage: AtrestError[] = [];
      const scan = snap.freePageRevisions({ onDamage: (e) => damage.push(e) });
      const records = [...scan];
      expect(damage.length).toBeGreaterThan(0);
      expect(damage[0]?.code).toBe(ErrorCode.InvalidData);
      expect(scan.stats.treeDamage).toBe(damage.length);
      // The key bucket's pages below its root are now unreachable, hence scanned: its revisions show up.
      expect(scan.stats.freePages).toBeGreaterThan(3);
      expect(records.length).toBeGreaterThan(4);
      for (const r of records) expect(r.pageId).not.toBe(root);
    } finally {
      snap.close();
    }
  });
});

describe('freePageRevisions fuzzed: free pages overwritten', () => {
  const original = readFileSync(SAMPLE_DB);
  const PAGE = 4096;
  const base = scanFile(SAMPLE_DB);
  const pages = original.length >>> 12;
  const free: number[] = [];
  const used: number[] = [];
  for (let id = 2; id < pages; id++) (isReachable(base.reachable, id) ? used : free).push(id);
  const liveBefore = [...base.live].sort();

  it('never throws, terminates, yields only decodable records from free pages', () => {
    expect(free.length).toBeGreaterThan(0);
    const edit = fc.oneof(
      fc.record({ kind: fc.constant('bytes' as const), page: fc.nat(), at: fc.nat(PAGE - 1), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
      fc.record({ kind: fc.constant('random' as const), page: fc.nat(), seed: fc.uint8Array({ minLength: 16, maxLength: 16 }) }),
      // A copy of a live page (a plausible leaf or branch) with its header re-labelled.
      fc.record({ kind: fc.constant('copy' as const), page: fc.nat(), from: fc.nat(), count: fc.option(fc.nat(0xffff)), overflow: fc.option(fc.nat()) }),
    );
    let n = 0;
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 8 }), (edits) => {
        const b = Buffer.from(original);
        for (const e of edits) {
          const id = free[e.page % free.length] as number;
          const at = id * PAGE;
          if (e.kind === 'bytes') b.set(e.bytes.subarray(0, PAGE - e.at), at + e.at);
          else if (e.kind === 'random') {
            let x = Buffer.from(e.seed);
            for (let i = 0; i < PAGE; i += 16) {
              x = Buffer.from(x.map((v, j) => (v * 31 + i + j) & 0xff));
              x.copy(b, at + i);
            }
            if (((e.seed[0] as number) & 1) === 1) b.writeBigUInt64LE(BigInt(id), at); // keep a plausible header
          } else {
            const from = used[e.from % used.length] as number;
            original.copy(b, at, from * PAGE, from * PAGE + PAGE);
            b.writeBigUInt64LE(BigInt(id), at);
            if (e.count !== null) b.writeUInt16LE(e.count, at + 10);
            if (e.overflow !== null) b.writeUInt32LE(e.overflow, at + 12);
          }
        }
        const s = scanFile(writeCopy(dir, `fuzz-${n++ % 4}.db`, b));
        checkInvariants(s);
        // Only free pages changed: the live tree reads the same.
        expect([...s.live].sort()).toEqual(liveBefore);
      }),
      { numRuns: 150, seed: 14 },
    );
  });
});

describe.skipIf(!haveEtcd())('freePageRevisions against a real etcd', () => {
  let etcd: EtcdServer;
  const written = new Map<number, { key: string; value: Buffer }>();
  const plaintext = new Set<number>();
  let snapshot = '';
  let defragged = '';

  beforeAll(async () => {
    etcd = await startEtcd();
    for (let i = 0; i < 30; i++) {
      const key = `/registry/secrets/ns/s${i}`;
      const value = Buffer.concat([Buffer.from(`plaintext-secret-${i}:`), Buffer.from(randomBytes(512 + ((i * 97) % 1024)).toString('hex'))]);
      const rev = etcd.put(key, value);
      written.set(rev, { key, value });
      plaintext.add(rev);
    }
    for (let i = 0; i < 30; i++) {
      const key = `/registry/secrets/ns/s${i}`;
      const value = Buffer.concat([Buffer.from('k8s:enc:aescbc:v1:key1:'), randomBytes(1024 + ((i * 61) % 1024))]);
      written.set(etcd.put(key, value), { key, value });
    }
    const head = Math.max(...written.keys());
    etcd.ctl(['compaction', '--physical', String(head)]); // --physical: wait until it is done
    snapshot = join(dir, 'etcd.db');
    etcd.ctl(['snapshot', 'save', snapshot]);
    etcd.ctl(['defrag']);
    defragged = join(dir, 'etcd-defrag.db');
    etcd.ctl(['snapshot', 'save', defragged]);
  }, 120_000);

  afterAll(() => etcd?.stop());

  it('finds compacted plaintext revisions, not in the live tree, with their key, revision and bytes', () => {
    const s = scanFile(snapshot, true);
    checkInvariants(s);
    const found = s.records.filter((r) => plaintext.has(r.revision.main));
    expect(found.length).toBeGreaterThan(0);
    for (const r of found) {
      const w = written.get(r.revision.main);
      expect(text(r.kv.key)).toBe(w?.key);
      expect(Buffer.from(r.kv.value).equals(w?.value as Buffer)).toBe(true);
      expect(r.tombstone).toBe(false);
      expect(s.live.has(liveId(r))).toBe(false);
    }
    for (const r of s.records) expect(s.live.has(liveId(r))).toBe(false);
    // The live tree holds only the overwrites.
    for (const id of s.live) expect(plaintext.has(Number(id.split(':')[0]))).toBe(false);
    console.log(`etcd residue: ${found.length}/30 plaintext revisions found`, JSON.stringify(s.stats));
  });

  it('finds nothing but live revisions after defrag', () => {
    const s = scanFile(defragged);
    checkInvariants(s);
    for (const r of s.records) expect(s.live.has(liveId(r))).toBe(true);
    expect(scanFile(defragged, true).records).toEqual([]);
  });
});
