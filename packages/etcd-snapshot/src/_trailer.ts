/**
 * etcd's snapshot integrity trailer. `etcdctl snapshot save` appends the SHA-256 of the bbolt
 * bytes to the file; since bbolt files are a whole number of pages (a multiple of 512), etcd
 * detects the trailer by `size % 512 == 32` (`snapshot restore` does the same). The hash is
 * computed here in fixed-size chunks read into one reused buffer, so memory does not grow with the
 * file.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { PageFile } from './_page-file.js';

/** Length of the trailer (a SHA-256). */
export const TRAILER_SIZE = 32;

/** Bytes hashed per read. */
const CHUNK = 1 << 20;

/**
 * True when a file of `size` bytes carries etcd's trailer.
 * @internal
 */
export function hasTrailer(size: number): boolean {
  return size > TRAILER_SIZE && size % 512 === TRAILER_SIZE;
}

/**
 * Hash the data part of the file and read the stored trailer.
 * @internal
 */
export function checkTrailer(file: PageFile): { expected: string; actual: string } {
  const dataEnd = file.fileSize - TRAILER_SIZE;
  const hash = createHash('sha256');
  // One buffer for every chunk: update() consumes it before the next read.
  const chunk = new Uint8Array(Math.min(CHUNK, Math.max(dataEnd, 1)));
  for (let pos = 0; pos < dataEnd; pos += CHUNK) {
    hash.update(file.readInto(chunk, pos, Math.min(CHUNK, dataEnd - pos), dataEnd));
  }
  const stored = file.readAt(dataEnd, TRAILER_SIZE, file.fileSize);
  return { expected: Buffer.from(stored).toString('hex'), actual: hash.digest('hex') };
}
