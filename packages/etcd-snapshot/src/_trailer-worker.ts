/**
 * The SHA-256 trailer check of `_trailer.ts` on a worker thread, so that a caller with a second
 * core can hash a large snapshot while it reads it (hashing 400 MiB costs ~0.4 s of one core).
 *
 * The worker is a small script given as source (`eval`), so it runs the same from the
 * TypeScript sources (tests) and from `dist`: it opens the file itself, hashes
 * `[0, dataEnd)` in 1 MiB chunks through one buffer, reads the stored hash at `dataEnd`, and
 * posts both digests (hex) or an error's code and offset. Nothing it posts holds file contents
 * but the two digests.
 *
 * @module
 */
import { Worker } from 'node:worker_threads';
import { AtrestError, ErrorCode } from '@atrest/core';
import { invalidData } from './_errors.js';
import { TRAILER_SIZE } from './_trailer.js';

const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { closeSync, openSync, readSync } = require('node:fs');
const { createHash } = require('node:crypto');
const { path, dataEnd, trailerSize } = workerData;
let fd;
let at = 0;
try {
  fd = openSync(path, 'r');
  const chunk = Buffer.allocUnsafe(Math.min(1 << 20, Math.max(dataEnd, 1)));
  const hash = createHash('sha256');
  while (at < dataEnd) {
    const n = readSync(fd, chunk, 0, Math.min(chunk.length, dataEnd - at), at);
    if (n === 0) throw Object.assign(new Error('eof'), { code: 'EOF' });
    hash.update(chunk.subarray(0, n));
    at += n;
  }
  const stored = Buffer.alloc(trailerSize);
  if (readSync(fd, stored, 0, trailerSize, dataEnd) !== trailerSize) throw Object.assign(new Error('eof'), { code: 'EOF' });
  parentPort.postMessage({ expected: stored.toString('hex'), actual: hash.digest('hex') });
} catch (err) {
  parentPort.postMessage({ failed: typeof err?.code === 'string' ? err.code : 'EIO', offset: at });
} finally {
  if (fd !== undefined) closeSync(fd);
}
`;

type Answer = { expected: string; actual: string } | { failed: string; offset: number };

/**
 * Hash `path`'s bytes `[0, dataEnd)` on a worker thread and read the trailer after them.
 * @internal
 */
export function digestsOnWorker(path: string, dataEnd: number): Promise<{ expected: string; actual: string }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(SOURCE, { eval: true, workerData: { path, dataEnd, trailerSize: TRAILER_SIZE } });
    let settled = false;
    worker.once('message', (m: Answer) => {
      settled = true;
      if ('failed' in m) {
        reject(
          m.failed === 'EOF'
            ? invalidData('unexpected end of file', { file: path, offset: m.offset })
            : new AtrestError(ErrorCode.InvalidData, 'cannot read the file', { file: path, offset: m.offset, errno: m.failed }),
        );
      } else resolve(m);
      void worker.terminate();
    });
    worker.once('error', (err) => {
      if (!settled) reject(new AtrestError(ErrorCode.InvalidData, 'the trailer check failed', { file: path }, { cause: err }));
    });
    worker.once('exit', () => {
      if (!settled) reject(new AtrestError(ErrorCode.InvalidData, 'the trailer check stopped', { file: path }));
    });
  });
}
