import { AtrestError } from '@atrest/core';
import { BoltReader, openSnapshot, TRAILER_MISMATCH } from '@atrest/etcd-snapshot';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Internal: the trailer check's worker thread (openSnapshot uses it for files over 8 MiB).
import { digestsOnWorker } from '../src/_trailer-worker.js';
import { keyBucketRoot, manifest, resealTrailer, sampleBytes, scratch, u16, u32, u64, writeCopy } from './_fixtures.js';
import { atrestErrorOf } from '@atrest/test-support/provider-kit';

const PAGE = manifest.snapshot.boltPageSize;
const ENTRIES = 87; // 84 put revisions + 1 tombstone + 2 compact_rev_key revisions (manifest totals)

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = scratch()));
afterAll(() => cleanup());

/** Run `fn`, expect an ERR_INVALID_DATA AtrestError, and return it. */
function invalid(fn: () => unknown): AtrestError {
  const e = atrestErrorOf(fn);
  expect(e.code).toBe('ERR_INVALID_DATA');
  return e;
}

/** Open and read everything: every bucket, every revision. */
function readAll(path: string, options: Parameters<typeof openSnapshot>[1] = {}): number {
  const snap = openSnapshot(path, options);
  try {
    let n = 0;
    for (const b of snap.buckets()) for (const _ of snap.bolt.iterate([b])) n++;
    for (const _ of snap.revisions()) n++;
    return n;
  } finally {
    snap.close();
  }
}

function copyWith(name: string, edit: (b: Buffer) => void, reseal = true): string {
  const b = sampleBytes();
  edit(b);
  return writeCopy(dir, name, reseal ? resealTrailer(b) : b);
}

describe('not a snapshot', () => {
  it('an empty file', () => {
    const e = invalid(() => openSnapshot(writeCopy(dir, 'empty.db', new Uint8Array(0))));
    expect(e.context.offset).toBe(0);
  });

  it('a JSON file, zeros, random bytes', () => {
    const json = Buffer.from(JSON.stringify(manifest));
    for (const [name, bytes] of [
      ['json.db', json],
      ['zeros.db', new Uint8Array(manifest.snapshot.bytes)],
      ['random.db', new Uint8Array(9000).map((_, i) => (i * 7919 + 13) & 0xff)],
    ] as const) {
      const e = invalid(() => openSnapshot(writeCopy(dir, name, bytes)));
      expect(e.message).toBe('invalid database');
      expect(e.context).toMatchObject({ offset: 0, meta0: 'invalid database' });
    }
  });

  it('a directory', () => {
    invalid(() => BoltReader.open(dir));
  });

  it('a missing file, a bad cache size', () => {
    for (const fn of [() => openSnapshot(`${dir}/missing.db`), () => BoltReader.open(dir, { pageCacheSize: -1 })]) {
      expect(atrestErrorOf(fn).code).toBe('ERR_INVALID_ARGUMENT');
    }
  });
});

describe('truncated files', () => {
  it.each([1, 50, 79, 80, 100, PAGE, PAGE + 80, 2 * PAGE, 12345, 16 * PAGE + 32, 31 * PAGE, 32 * PAGE - 1])('at %i bytes', (length) => {
    const path = writeCopy(dir, `trunc-${length}.db`, sampleBytes().subarray(0, length));
    const e = invalid(() => openSnapshot(path));
    expect(typeof e.context.offset).toBe('number');
    expect(e.context.offset as number).toBeLessThanOrEqual(length);
  });

  it('without its trailer: readable, trailer reported absent', () => {
    const path = writeCopy(dir, 'no-trailer.db', sampleBytes().subarray(0, 32 * PAGE));
    const snap = openSnapshot(path);
    expect(snap.info().trailer).toEqual({ present: false, valid: null });
    snap.close();
    expect(readAll(path)).toBeGreaterThan(ENTRIES);
  });
});

describe('meta pages', () => {
  const META0 = 16;
  const META1 = PAGE + 16;
  const flip = (at: number) => (b: Buffer) => {
    b[at] = (b[at] as number) ^ 0x40;
  };

  it.each([
    ['meta 0 root pgid', META0 + 16, 1, 'checksum error'],
    ['meta 0 txid', META0 + 48, 1, 'checksum error'],
    ['meta 0 checksum', META0 + 56, 1, 'checksum error'],
    ['meta 0 magic', META0, 1, 'invalid database'],
    ['meta 0 version', META0 + 4, 1, 'version mismatch'],
    ['meta 1 root pgid', META1 + 16, 0, 'checksum error'],
    ['meta 1 magic', META1 + 1, 0, 'invalid database'],
  ] as const)('a flipped byte in %s: the other meta is used', (_, at, used, problem) => {
    const path = copyWith(`meta-${at}.db`, flip(at));
    const snap = openSnapshot(path);
    expect(snap.info().metaPage).toBe(used);
    expect(snap.info().otherMetaProblem).toBe(problem);
    snap.close();
    expect(readAll(path)).toBe(readAll(writeCopy(dir, 'intact.db', sampleBytes())));
  });

  it.each([
    ['checksums', META0 + 20, META1 + 20, 'checksum error'],
    ['magics', META0 + 3, META1 + 3, 'invalid database'],
    ['versions', META0 + 4, META1 + 4, 'version mismatch'],
  ] as const)('both %s corrupt: a clear error', (_, at0, at1, message) => {
    const path = copyWith(`meta-both-${at0}.db`, (b) => {
      flip(at0)(b);
      flip(at1)(b);
    });
    const e = invalid(() => openSnapshot(path));
    expect(e.message).toBe(message);
    expect(e.context).toMatchObject({ meta0: message, offset: 0 });
  });
});

describe('trailer', () => {
  const path = () =>
    copyWith(
      'bad-trailer.db',
      (b) => {
        b[b.length - 1] = (b[b.length - 1] as number) ^ 1;
      },
      false,
    );

  it('a mismatch is a typed error by default', () => {
    const e = invalid(() => openSnapshot(path()));
    expect(e.message).toBe(TRAILER_MISMATCH);
    expect(e.context).toMatchObject({ check: 'trailer', offset: 32 * PAGE, actual: manifest.snapshot.trailingSha256 });
  });

  it('a data change is a mismatch too', () => {
    const p = copyWith('bad-data.db', (b) => void (b[20 * PAGE + 100] = (b[20 * PAGE + 100] as number) ^ 1), false);
    expect(invalid(() => openSnapshot(p)).context.check).toBe('trailer');
  });

  it('can be checked on a worker thread: the same answer, the same error', async () => {
    const intact = openSnapshot(writeCopy(dir, 'intact-trailer.db', sampleBytes()), { trailer: 'skip' });
    expect(await intact.verifyTrailer()).toEqual({ present: true, valid: true, expected: manifest.snapshot.trailingSha256, actual: manifest.snapshot.trailingSha256 });
    intact.close();
    const p = path();
    const opened = invalid(() => openSnapshot(p));
    const snap = openSnapshot(p, { trailer: 'skip' });
    const e = await snap.verifyTrailer().then(
      () => undefined,
      (err: unknown) => err,
    );
    snap.close();
    expect(e).toBeInstanceOf(AtrestError);
    expect([(e as AtrestError).code, (e as AtrestError).message, (e as AtrestError).context]).toEqual([opened.code, opened.message, opened.context]);
    const bare = openSnapshot(writeCopy(dir, 'bare.db', sampleBytes().subarray(0, 32 * PAGE)));
    expect(await bare.verifyTrailer()).toEqual({ present: false, valid: null });
    bare.close();
    // A file that shrinks after opening: a typed error naming the offset, no hang.
    const shrinking = writeCopy(dir, 'shrinking.db', sampleBytes());
    const s = openSnapshot(shrinking, { trailer: 'skip' });
    writeCopy(dir, 'shrinking.db', sampleBytes().subarray(0, 10 * PAGE));
    const gone = await s.verifyTrailer().then(() => undefined, (err: unknown) => err as AtrestError);
    s.close();
    expect(gone).toBeInstanceOf(AtrestError);
    expect(gone).toMatchObject({ code: 'ERR_INVALID_DATA', message: 'unexpected end of file', context: { offset: 10 * PAGE } });
  });

  it('the worker thread hashes as the reader does, and reports a short file', async () => {
    const b = sampleBytes();
    const file = writeCopy(dir, 'worker.db', b);
    expect(await digestsOnWorker(file, b.length - 32)).toEqual({ expected: manifest.snapshot.trailingSha256, actual: manifest.snapshot.trailingSha256 });
    const e = await digestsOnWorker(file, b.length + 4096).then(() => undefined, (err: unknown) => err as AtrestError);
    expect(e).toMatchObject({ code: 'ERR_INVALID_DATA', message: 'unexpected end of file', context: { file, offset: b.length } });
    const missing = await digestsOnWorker(`${dir}/none.db`, 10).then(() => undefined, (err: unknown) => err as AtrestError);
    expect(missing).toMatchObject({ code: 'ERR_INVALID_DATA', message: 'cannot read the file', context: { errno: 'ENOENT' } });
  });

  it('can be tolerated or skipped', () => {
    const p = path();
    const tolerated = openSnapshot(p, { trailer: 'tolerate' });
    expect(tolerated.info().trailer).toMatchObject({ present: true, valid: false, actual: manifest.snapshot.trailingSha256 });
    expect([...tolerated.revisions()].length).toBe(ENTRIES);
    tolerated.close();
    const skipped = openSnapshot(p, { trailer: 'skip' });
    expect(skipped.info().trailer).toEqual({ present: true, valid: null });
    skipped.close();
  });
});

describe('crafted trees', () => {
  /** The key bucket's root page, which for this sample is a branch page. */
  const root = keyBucketRoot(sampleBytes());
  const rootAt = root * PAGE;
  const firstChild = u64(sampleBytes(), rootAt + 16 + 8);

  it('the fixture is what the crafted cases assume', () => {
    const b = sampleBytes();
    expect(u16(b, rootAt + 8)).toBe(0x01); // branch
    expect(u16(b, rootAt + 10)).toBeGreaterThan(1);
    expect(u16(b, firstChild * PAGE + 8)).toBe(0x02); // leaf
  });

  it('a page cycle (a branch pointing at itself) is detected', () => {
    const path = copyWith('cycle-self.db', (b) => b.writeBigUInt64LE(BigInt(root), rootAt + 16 + 8));
    const e = invalid(() => readAll(path));
    expect(e.message).toMatch(/page cycle/);
    expect(e.context.pageId).toBe(root);
  });

  it('a page reached twice (two branch elements to one child) is detected', () => {
    const path = copyWith('cycle-twice.db', (b) => b.writeBigUInt64LE(BigInt(firstChild), rootAt + 16 + 16 + 8));
    const e = invalid(() => readAll(path));
    expect(e.message).toMatch(/page cycle/);
    expect(e.context.pageId).toBe(firstChild);
  });

  it.each([0, 1, 32, 9999, 2 ** 40])('a child page id %i out of range', (pgid) => {
    const path = copyWith(`child-${pgid}.db`, (b) => b.writeBigUInt64LE(BigInt(pgid), rootAt + 16 + 8));
    const e = invalid(() => readAll(path));
    expect(e.message).toBe('page id out of range');
    expect(e.context.pageId).toBe(String(pgid));
  });

  it('a page whose header names another id', () => {
    const path = copyWith('wrong-id.db', (b) => b.writeBigUInt64LE(BigInt(firstChild + 1), firstChild * PAGE));
    const e = invalid(() => readAll(path));
    expect(e.context).toMatchObject({ pageId: String(firstChild), offset: firstChild * PAGE });
  });

  it('an element table larger than the page', () => {
    const path = copyWith('count.db', (b) => b.writeUInt16LE(0xffff, firstChild * PAGE + 10));
    expect(invalid(() => readAll(path)).context.pageId).toBe(firstChild);
  });

  it('a key length past the page', () => {
    const path = copyWith('ksize.db', (b) => b.writeUInt32LE(0x7fffffff, firstChild * PAGE + 16 + 8));
    const e = invalid(() => readAll(path));
    expect(e.message).toMatch(/runs past the page/);
    expect(e.context.pageId).toBe(firstChild);
  });

  it('an overflow count past the high-water mark', () => {
    const path = copyWith('overflow.db', (b) => b.writeUInt32LE(1000, firstChild * PAGE + 12));
    expect(invalid(() => readAll(path)).message).toMatch(/overflow/);
  });

  it('keys out of order', () => {
    // Point the second branch element at the first child: the same keys come again.
    const second = u64(sampleBytes(), rootAt + 32 + 8);
    const path = copyWith('order.db', (b) => {
      // Swap the two children: the second subtree's keys now come first.
      b.writeBigUInt64LE(BigInt(second), rootAt + 16 + 8);
      b.writeBigUInt64LE(BigInt(firstChild), rootAt + 32 + 8);
    });
    expect(invalid(() => readAll(path)).message).toMatch(/out of order/);
  });

  it('a leaf value that is not a KeyValue', () => {
    const path = copyWith('kv.db', (b) => {
      const el = firstChild * PAGE + 16;
      const valueAt = el + u32(b, el + 4) + u32(b, el + 8);
      b[valueAt] = 0x0f; // field 1 with wire type 7
    });
    const e = invalid(() => readAll(path));
    expect(e.context).toMatchObject({ bucket: 'key', pageId: firstChild });
    expect(typeof e.context.offset).toBe('number');
  });
});

describe('random corruption', () => {
  it('never escapes as anything but an AtrestError, and terminates', () => {
    const intact = sampleBytes();
    const path = `${dir}/fuzz.db`;
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat(32 * PAGE - 1), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        (edits, reseal) => {
          const b = Buffer.from(intact);
          for (const { at, value } of edits) b[at] = value;
          writeCopy(dir, 'fuzz.db', reseal ? resealTrailer(b) : b);
          try {
            readAll(path, { pageCacheSize: 4 });
          } catch (err) {
            if (!(err instanceof AtrestError)) throw err;
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('targeted at tree pages', () => {
    const intact = sampleBytes();
    const path = `${dir}/fuzz-tree.db`;
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 31 }),
        fc.array(fc.record({ at: fc.nat(63), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 6 }),
        (page, edits) => {
          const b = Buffer.from(intact);
          for (const { at, value } of edits) b[page * PAGE + at] = value;
          writeCopy(dir, 'fuzz-tree.db', resealTrailer(b));
          try {
            readAll(path, { pageCacheSize: 2 });
          } catch (err) {
            if (!(err instanceof AtrestError)) throw err;
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
