/**
 * Temporary files of length-prefixed records, one per partition: appended to while a source is
 * read, then read back one partition at a time.
 *
 * The files are made in a fresh private directory (mode 0700, files 0600) under the system's
 * temporary directory (`$TMPDIR`), and are unlinked, with their directory, as soon as they are
 * open: only this process's descriptors reach them, and the kernel frees them when the process
 * ends, however it ends. Writes are buffered per partition; each record is a little-endian u32
 * length followed by its bytes.
 *
 * @module
 */
import { closeSync, mkdtempSync, openSync, readSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AtrestError, ErrorCode } from '@atrest/core';

/** Bytes buffered per partition before a write. */
const WRITE_BUFFER = 64 * 1024;
/** Bytes read at a time when a partition is read back. */
const READ_BUFFER = 1 << 20;

function ioError(what: string, dir: string, err: unknown): AtrestError {
  const errno = (err as { code?: unknown } | null)?.code;
  const code = typeof errno === 'string' ? errno : 'an I/O error';
  return new AtrestError(ErrorCode.InvalidArgument, `cannot ${what} the audit's temporary key state in ${dir}: ${code}`, { file: dir, errno: typeof errno === 'string' ? errno : undefined }, { cause: err });
}

/** @internal */
export class SpillFiles {
  readonly #dir: string;
  readonly #fds: number[] = [];
  readonly #buffers: Uint8Array[] = [];
  readonly #views: DataView[] = [];
  readonly #used: number[] = [];
  readonly #written: number[] = [];
  /** Reused by every partition's read. */
  #readBuffer: Uint8Array | undefined;
  #bytes = 0;
  #closed = false;

  /**
   * @param partitions - how many files
   * @param parent - where the private directory is made (default: the system's temporary directory)
   * @throws AtrestError (`ERR_INVALID_ARGUMENT`, with `errno`) when the files cannot be made
   */
  constructor(partitions: number, parent: string = tmpdir()) {
    this.#dir = parent;
    let dir: string;
    try {
      dir = mkdtempSync(join(parent, 'atrest-audit-'));
    } catch (err) {
      throw ioError('make', parent, err);
    }
    try {
      for (let p = 0; p < partitions; p++) {
        const file = join(dir, `keys-${p}`);
        this.#fds.push(openSync(file, 'wx+', 0o600));
        unlinkSync(file);
        const buffer = new Uint8Array(0); // made at the first record (#room)
        this.#buffers.push(buffer);
        this.#views.push(new DataView(buffer.buffer));
        this.#used.push(0);
        this.#written.push(0);
      }
    } catch (err) {
      this.close();
      throw ioError('make', parent, err);
    } finally {
      try {
        rmdirSync(dir);
      } catch {
        // Left behind only if a file in it could not be unlinked; the error above says why.
      }
    }
  }

  /** Bytes appended so far, over all partitions. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Append one record to partition `p`: `record[0, length)` (copied). */
  append(p: number, record: Uint8Array, length: number): void {
    let buffer = this.#buffers[p] as Uint8Array;
    if (buffer.length === 0) {
      buffer = new Uint8Array(WRITE_BUFFER);
      this.#buffers[p] = buffer;
      this.#views[p] = new DataView(buffer.buffer);
    }
    let used = this.#used[p] as number;
    if (used + 4 + length > buffer.length) {
      this.#flush(p);
      used = 0;
    }
    (this.#views[p] as DataView).setUint32(used, length, true);
    if (4 + length > buffer.length) {
      this.#write(p, buffer, 4);
      this.#write(p, record, length);
    } else {
      buffer.set(length === record.length ? record : record.subarray(0, length), used + 4);
      this.#used[p] = used + 4 + length;
    }
    this.#bytes += 4 + length;
  }

  #flush(p: number): void {
    const used = this.#used[p] as number;
    if (used > 0) this.#write(p, this.#buffers[p] as Uint8Array, used);
    this.#used[p] = 0;
  }

  #write(p: number, bytes: Uint8Array, length: number): void {
    let done = 0;
    try {
      while (done < length) done += writeSync(this.#fds[p] as number, bytes, done, length - done, (this.#written[p] as number) + done);
    } catch (err) {
      throw ioError('write', this.#dir, err);
    }
    this.#written[p] = (this.#written[p] as number) + length;
  }

  /**
   * The records of partition `p`, in the order they were appended. Each is a view that is valid
   * until the next one is asked for.
   */
  *records(p: number): Generator<Uint8Array> {
    this.#flush(p);
    this.#buffers[p] = new Uint8Array(0); // not needed for reading: freed
    const fd = this.#fds[p] as number;
    const end = this.#written[p] as number;
    let buffer = (this.#readBuffer ??= new Uint8Array(READ_BUFFER));
    let view = new DataView(buffer.buffer);
    /** File offset of `buffer[0]`, bytes held, and where the next record starts in the buffer. */
    let base = 0;
    let held = 0;
    let at = 0;
    const need = (n: number): void => {
      if (at + n <= held) return;
      const rest = held - at;
      if (n > buffer.length) {
        const bigger = new Uint8Array(n);
        bigger.set(buffer.subarray(at, held));
        buffer = bigger;
        this.#readBuffer = bigger;
        view = new DataView(buffer.buffer);
      } else buffer.copyWithin(0, at, held);
      base += at;
      at = 0;
      held = rest;
      while (held < n) {
        let got: number;
        try {
          got = readSync(fd, buffer, held, Math.min(buffer.length - held, end - base - held), base + held);
        } catch (err) {
          throw ioError('read', this.#dir, err);
        }
        if (got === 0) throw new AtrestError(ErrorCode.Internal, "the audit's temporary key state ended early", { file: this.#dir });
        held += got;
      }
    };
    while (base + at < end) {
      need(4);
      const length = view.getUint32(at, true);
      need(4 + length);
      yield buffer.subarray(at + 4, at + 4 + length);
      at += 4 + length;
    }
  }

  /** Close the files (their space is freed). Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const fd of this.#fds) {
      try {
        closeSync(fd);
      } catch {
        // Already closed by the system: nothing is left to free.
      }
    }
  }
}
