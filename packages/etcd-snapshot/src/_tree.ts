/**
 * Element layouts of bbolt branch and leaf pages (`page.go`), bounds-checked.
 *
 * After the 16-byte page header come `count` fixed 16-byte elements; each element's `pos` is the
 * distance from *that element's own start* to its key:
 *
 * - branch element: `pos u32 | ksize u32 | pgid u64` (the child page holding keys >= key)
 * - leaf element: `flags u32 | pos u32 | ksize u32 | vsize u32`; the value follows the key;
 *   flag `0x01` marks a nested bucket, whose value is a bucket header `root pgid u64 | sequence u64`
 *   and, when `root == 0`, an inline page (header and leaf elements) right after it.
 *
 * @module
 */
import { invalidData } from './_errors.js';
import { PAGE_HEADER_SIZE, type Page, u32 } from './_page-file.js';

/** Size of one branch or leaf element. */
export const ELEMENT_SIZE = 16;
/** Leaf element flag of a nested bucket. */
export const BUCKET_LEAF_FLAG = 0x01;
/** Size of a bucket header in a bucket's value. */
export const BUCKET_HEADER_SIZE = 16;

function checkElementTable(page: Page, file: string): void {
  const end = PAGE_HEADER_SIZE + page.count * ELEMENT_SIZE;
  if (end > page.bytes.length) {
    throw invalidData('page element table runs past the page', {
      file,
      pageId: page.id,
      offset: page.fileOffset,
      count: page.count,
      inline: page.inline,
    });
  }
}

function span(page: Page, start: number, length: number, file: string, index: number, what: string): Uint8Array {
  if (start + length > page.bytes.length) {
    throw invalidData(`${what} of a page element runs past the page`, {
      file,
      pageId: page.id,
      offset: page.fileOffset + start,
      element: index,
      length,
      inline: page.inline,
    });
  }
  return page.bytes.subarray(start, start + length);
}

/** A branch element. @internal */
export interface BranchElement {
  readonly key: Uint8Array;
  /** The child page id: a number, or a bigint when it is beyond 2^53 (always out of range). */
  readonly child: number | bigint;
}

/** A leaf element; `key` and `value` are views into the page. @internal */
export interface LeafElement {
  readonly flags: number;
  readonly key: Uint8Array;
  readonly value: Uint8Array;
  /** Absolute file offset of the key. */
  readonly keyOffset: number;
  /** Absolute file offset of the value. */
  readonly valueOffset: number;
}

/** @internal */
export function branchElement(page: Page, index: number, file: string): BranchElement {
  checkElementTable(page, file);
  const b = page.bytes;
  const at = PAGE_HEADER_SIZE + index * ELEMENT_SIZE;
  const pos = u32(b, at);
  const ksize = u32(b, at + 4);
  const lo = u32(b, at + 8);
  const hi = u32(b, at + 12);
  // Page ids past 2^53 cannot be in range; keep them exact for the error report.
  const child = hi < 0x200000 ? hi * 2 ** 32 + lo : (BigInt(hi) << 32n) | BigInt(lo);
  return { key: span(page, at + pos, ksize, file, index, 'key'), child };
}

/** @internal */
export function leafElement(page: Page, index: number, file: string): LeafElement {
  checkElementTable(page, file);
  const b = page.bytes;
  const at = PAGE_HEADER_SIZE + index * ELEMENT_SIZE;
  const flags = u32(b, at);
  const keyStart = at + u32(b, at + 4);
  const ksize = u32(b, at + 8);
  const vsize = u32(b, at + 12);
  const key = span(page, keyStart, ksize, file, index, 'key');
  const value = span(page, keyStart + ksize, vsize, file, index, 'value');
  return {
    flags,
    key,
    value,
    keyOffset: page.fileOffset + keyStart,
    valueOffset: page.fileOffset + keyStart + ksize,
  };
}
