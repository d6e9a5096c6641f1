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

describe('I/O', () => {
  it('reads pages, not the file: bounded positional reads, cached', () => {
    const snap = openSnapshot(SAMPLE_DB, { trailer: 'skip', pageCacheSize: 64 });
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

  it('hashes the trailer in chunks', () => {
    const snap = openSnapshot(SAMPLE_DB);
    snap.close();
    expect(snap.info().trailer.valid).toBe(true);
    expect(Math.max(...reads)).toBeLessThanOrEqual(1 << 20);
  });
});
