/**
 * Salvage (`revisions({ onDamage })`, `truncated: 'tolerate'`): damage inside the `key` bucket's
 * tree is reported with page id and offset and skipped, everything else is still read, and the
 * default (no `onDamage`) still throws. Damage is made in copies of the shipped sample snapshot,
 * located by reading the undamaged file first (which leaf pages hold which revisions, which
 * branch page points at them).
 */
import { type AtrestError, ErrorCode } from '@atrest/core';
import { openSnapshot, type RevisionEntry } from '@atrest/etcd-snapshot';
import { afterAll, describe, expect, it } from 'vitest';
import { resealTrailer, sampleBytes, SAMPLE_DB, scratch, writeCopy } from './_fixtures.js';

const { dir, cleanup } = scratch();
afterAll(cleanup);

interface Seen {
  revisions: string[];
  damage: AtrestError[];
}

function read(path: string, salvage: boolean, options: Parameters<typeof openSnapshot>[1] = {}): Seen {
  const snap = openSnapshot(path, { trailer: 'skip', ...options });
  const damage: AtrestError[] = [];
  const revisions: string[] = [];
  try {
    const it = salvage ? snap.revisions({ onDamage: (e) => damage.push(e) }) : snap.revisions();
    for (const r of it) revisions.push(id(r));
  } finally {
    snap.close();
  }
  return { revisions, damage };
}

const id = (r: RevisionEntry): string => `${r.revision.main}.${r.revision.sub}`;

// The undamaged layout: revisions per leaf page, and the branch page above them.
const all: { id: string; pageId: number; valueOffset: number }[] = [];
{
  const snap = openSnapshot(SAMPLE_DB);
  for (const r of snap.revisions()) all.push({ id: id(r), pageId: r.pageId, valueOffset: r.valueOffset });
  snap.close();
}
const leaves = [...new Set(all.map((r) => r.pageId))];
const PAGE = 4096;
const onPage = (p: number): string[] => all.filter((r) => r.pageId === p).map((r) => r.id);
const without = (lost: string[]): string[] => all.map((r) => r.id).filter((x) => !lost.includes(x));

/** The branch page whose elements point at every leaf (the key bucket's root in this sample). */
function branchOf(bytes: Buffer): { page: number; children: number[] } {
  for (let p = 2; p * PAGE < bytes.length - 32; p++) {
    const flags = bytes.readUInt16LE(p * PAGE + 8);
    const count = bytes.readUInt16LE(p * PAGE + 10);
    if (flags !== 0x01) continue;
    const children = Array.from({ length: count }, (_, i) => Number(bytes.readBigUInt64LE(p * PAGE + 16 + 16 * i + 8)));
    if (leaves.every((l) => children.includes(l))) return { page: p, children };
  }
  throw new Error('no branch page over the key bucket leaves');
}

describe('salvaging the key bucket', () => {
  it('a leaf page of another type: reported with page, offset and parent, its revisions skipped', () => {
    const bytes = sampleBytes();
    const victim = leaves[2] as number;
    bytes.writeUInt16LE(0x00ff, victim * PAGE + 8);
    const path = writeCopy(dir, 'leaf-type.db', resealTrailer(bytes));
    expect(() => read(path, false)).toThrow('unexpected page type in a bucket tree');
    const seen = read(path, true);
    expect(seen.revisions).toEqual(without(onPage(victim)));
    expect(seen.damage).toHaveLength(1);
    const d = seen.damage[0] as AtrestError;
    expect(d.code).toBe(ErrorCode.InvalidData);
    expect(d.context).toMatchObject({ pageId: victim, offset: victim * PAGE, parentPageId: branchOf(bytes).page, bucket: 'key' });
  });

  it('a branch element pointing past the high-water mark, and one pointing back at its own page (a cycle)', () => {
    const bytes = sampleBytes();
    const { page, children } = branchOf(bytes);
    const beyond = 1;
    const cycle = 3;
    bytes.writeBigUInt64LE(0xffffffn, page * PAGE + 16 + 16 * beyond + 8);
    bytes.writeBigUInt64LE(BigInt(page), page * PAGE + 16 + 16 * cycle + 8);
    const path = writeCopy(dir, 'branch.db', resealTrailer(bytes));
    const seen = read(path, true);
    expect(seen.revisions).toEqual(without([...onPage(children[beyond] as number), ...onPage(children[cycle] as number)]));
    expect(seen.damage.map((e) => e.message)).toEqual(['page id out of range', 'page cycle: a page is reachable twice in one bucket']);
    expect(seen.damage.map((e) => e.context['element'])).toEqual([beyond, cycle]);
  });

  it('a KeyValue that does not decode: that revision alone is skipped, named by revision and offset', () => {
    const bytes = sampleBytes();
    const victim = all[10] as (typeof all)[number];
    bytes.fill(0xff, victim.valueOffset, victim.valueOffset + 8);
    const path = writeCopy(dir, 'kv.db', resealTrailer(bytes));
    const seen = read(path, true);
    expect(seen.revisions).toEqual(without([victim.id]));
    expect(seen.damage).toHaveLength(1);
    expect(seen.damage[0]?.context).toMatchObject({ offset: victim.valueOffset, revision: Number(victim.id.split('.')[0]) });
  });

  it('a truncated file: refused by default; tolerated, the pages that are left are read', () => {
    const bytes = sampleBytes().subarray(0, (Math.max(...leaves) - 0) * PAGE); // cuts the last leaf off (and the trailer)
    const path = writeCopy(dir, 'truncated.db', bytes);
    expect(() => openSnapshot(path)).toThrow('file is truncated');
    const snap = openSnapshot(path, { truncated: 'tolerate' });
    expect(snap.info().missingBytes).toBeGreaterThan(0);
    snap.close();
    const seen = read(path, true, { truncated: 'tolerate' });
    const lost = all.filter((r) => r.pageId * PAGE + PAGE > bytes.length).map((r) => r.id);
    expect(lost.length).toBeGreaterThan(0);
    expect(seen.revisions).toEqual(without(lost));
    expect(seen.damage.every((e) => e.message === 'page past the end of the file: the file is truncated')).toBe(true);
  });

  it('an undamaged file reads the same with or without salvage, and reports nothing', () => {
    const seen = read(SAMPLE_DB, true);
    expect(seen.damage).toEqual([]);
    expect(seen.revisions).toEqual(read(SAMPLE_DB, false).revisions);
  });
});
