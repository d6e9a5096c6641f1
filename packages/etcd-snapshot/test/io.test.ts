import { openSnapshot } from '@atrest/etcd-snapshot';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { manifest, SAMPLE_DB } from './_fixtures.js';

// Count the reader's positional reads: it must never read the whole file at once.
const reads: number[] = [];
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return {
    ...fs,
    readSync: (fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number => {
      reads.push(length);
      return fs.readSync(fd, buffer, offset, length, position);
    },
  };
});

afterEach(() => {
  reads.length = 0;
});

describe('I/O without read-ahead', () => {
  it('reads pages, not the file: bounded positional reads, cached', () => {
    const snap = openSnapshot(SAMPLE_DB, { trailer: 'skip', pageCacheSize: 64, readAhead: 0 });
    let n = 0;
    for (const _ of snap.revisions()) n++;
    const firstPass = reads.length;
    for (const _ of snap.revisions()) n++;
    snap.close();
    expect(n).toBe(2 * 87);
    const page = manifest.snapshot.boltPageSize;
    // The largest read is the biggest overflow value's page span (17 KB value -> 5 pages).
    expect(Math.max(...reads)).toBeLessThanOrEqual(5 * page);
    expect(reads.reduce((a, b) => a + b, 0)).toBeLessThan(2 * manifest.snapshot.bytes);
    expect(reads.length).toBe(firstPass); // the second pass came from the cache
  });

  it('without a cache, re-reads instead of growing', () => {
    const snap = openSnapshot(SAMPLE_DB, { trailer: 'skip', pageCacheSize: 0 });
    for (const _ of snap.revisions());
    const firstPass = reads.length;
    for (const _ of snap.revisions());
    snap.close();
    expect(reads.length).toBeGreaterThan(firstPass);
  });
});

describe('I/O with read-ahead', () => {
  const page = manifest.snapshot.boltPageSize;
  const scan = (options: Parameters<typeof openSnapshot>[1]): { values: string[]; reads: number[] } => {
    reads.length = 0;
    const snap = openSnapshot(SAMPLE_DB, { trailer: 'skip', ...options });
    const values = [...snap.revisions()].map((r) => Buffer.from(r.kv.value).toString('hex'));
    snap.close();
    return { values, reads: [...reads] };
  };

  it('reads runs of pages into one window, bounded by the read-ahead and the page budget', () => {
    const exact = scan({ readAhead: 0 });
    const small = scan({ readAhead: 4 * page });
    const budget = scan({ pageCacheSize: 3 });
    const byDefault = scan({});
    for (const r of [small, budget, byDefault]) expect(r.values).toEqual(exact.values);
    // A window never exceeds its bound; a page larger than the window (an overflow value) is
    // read on its own, exactly as without read-ahead.
    for (const [r, bound] of [[small, 4 * page], [budget, 3 * page]] as const) {
      const apart = r.reads.filter((n) => n > bound);
      expect(apart.every((n) => exact.reads.includes(n) && n <= 5 * page)).toBe(true);
    }
    // Fewer system calls than pages, and never much more than the file in bytes.
    expect(byDefault.reads.length).toBeLessThan(exact.reads.length);
    expect(byDefault.reads.reduce((a, b) => a + b, 0)).toBeLessThan(2 * manifest.snapshot.bytes);
  });

  it('interleaved iterations of one reader stay correct while they share the window', () => {
    const collect = (readAhead: number): string[] => {
      const snap = openSnapshot(SAMPLE_DB, { trailer: 'skip', readAhead, pageCacheSize: 2 });
      const out: string[] = [];
      try {
        // Each step of the outer iteration runs inner iterations that refill the window.
        for (const b of snap.bolt.iterate([])) {
          out.push(Buffer.from(b.key).toString());
          for (const r of snap.revisions()) out.push(`${r.revision.main}:${r.kv.value.length}`);
          for (const e of snap.bolt.iterate([b.key])) out.push(Buffer.from(e.key).toString('hex'));
        }
      } finally {
        snap.close();
      }
      return out;
    };
    expect(collect(page)).toEqual(collect(0));
  });

  it('revisionViews yields the same revisions as revisions, as views', () => {
    const snap = openSnapshot(SAMPLE_DB, { trailer: 'skip' });
    try {
      const copies = [...snap.revisions()].map((r) => [r.revision, r.tombstone, r.kv.createRevision, r.kv.version, Buffer.from(r.kv.key).toString(), Buffer.from(r.kv.value).toString('hex')]);
      const views = [];
      for (const r of snap.revisionViews()) views.push([r.revision, r.tombstone, r.kv.createRevision, r.kv.version, Buffer.from(r.kv.key).toString(), Buffer.from(r.kv.value).toString('hex')]);
      expect(views).toEqual(copies);
    } finally {
      snap.close();
    }
  });

  it('hashes the trailer in chunks', () => {
    const snap = openSnapshot(SAMPLE_DB);
    snap.close();
    expect(snap.info().trailer.valid).toBe(true);
    expect(Math.max(...reads)).toBeLessThanOrEqual(1 << 20);
  });
});
