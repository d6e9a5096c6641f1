/**
 * A minimal bbolt file *writer* for tests, built from the format description (not from bbolt's
 * code): it lays out meta, freelist, branch, leaf and overflow pages and inline buckets, so the
 * reader can be tested on shapes etcd snapshots do not contain (nested buckets, inline nested
 * buckets, small page sizes, deep trees).
 *
 * @module
 */
import { createHash } from 'node:crypto';

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;

function fnv1a64(b: Uint8Array): bigint {
  let h = FNV_OFFSET;
  for (const x of b) h = ((h ^ BigInt(x)) * FNV_PRIME) & 0xffffffffffffffffn;
  return h;
}

export interface LeafItem {
  key: string | Uint8Array;
  /** A plain value, or a nested bucket: its root page id, or an inline page's items. */
  value: Uint8Array | string | { root: number } | { inline: LeafItem[] };
}

const bytes = (v: Uint8Array | string): Buffer => (typeof v === 'string' ? Buffer.from(v) : Buffer.from(v));

function itemValue(item: LeafItem): { flags: number; value: Buffer } {
  const v = item.value;
  if (typeof v === 'string' || v instanceof Uint8Array) return { flags: 0, value: bytes(v) };
  const header = Buffer.alloc(16);
  if ('root' in v) {
    header.writeBigUInt64LE(BigInt(v.root), 0);
    return { flags: 1, value: header };
  }
  return { flags: 1, value: Buffer.concat([header, leafBody(0, v.inline)]) };
}

/** A leaf page (header + elements + data), unpadded. */
function leafBody(id: number, items: LeafItem[], overflow = 0): Buffer {
  const header = Buffer.alloc(16 + items.length * 16);
  header.writeBigUInt64LE(BigInt(id), 0);
  header.writeUInt16LE(0x02, 8);
  header.writeUInt16LE(items.length, 10);
  header.writeUInt32LE(overflow, 12);
  const data: Buffer[] = [];
  let dataAt = header.length;
  items.forEach((item, i) => {
    const el = 16 + i * 16;
    const { flags, value } = itemValue(item);
    const key = bytes(item.key);
    header.writeUInt32LE(flags, el);
    header.writeUInt32LE(dataAt - el, el + 4);
    header.writeUInt32LE(key.length, el + 8);
    header.writeUInt32LE(value.length, el + 12);
    data.push(key, value);
    dataAt += key.length + value.length;
  });
  return Buffer.concat([header, ...data]);
}

export type PageSpec =
  | { type: 'leaf'; items: LeafItem[] }
  | { type: 'branch'; children: { key: string | Uint8Array; pgid: number }[] }
  | { type: 'freelist' };

/** How many pages a leaf of `items` spans. */
export function leafSpan(pageSize: number, items: LeafItem[]): number {
  return Math.ceil(leafBody(0, items).length / pageSize);
}

/**
 * Build a bbolt file: pages 0 and 1 are metas (txid 2 and 1), then `pages` from id 2 on, each
 * padded to whole pages (a leaf larger than a page becomes an overflow page).
 */
export function buildBolt(pageSize: number, rootPgid: number, pages: PageSpec[], options: { trailer?: boolean } = {}): Buffer {
  const body: Buffer[] = [];
  let id = 2;
  for (const spec of pages) {
    let page: Buffer;
    if (spec.type === 'leaf') {
      const unpadded = leafBody(id, spec.items);
      const span = Math.ceil(unpadded.length / pageSize);
      page = leafBody(id, spec.items, span - 1);
    } else if (spec.type === 'branch') {
      page = Buffer.alloc(16 + spec.children.length * 16);
      page.writeBigUInt64LE(BigInt(id), 0);
      page.writeUInt16LE(0x01, 8);
      page.writeUInt16LE(spec.children.length, 10);
      const keys: Buffer[] = [];
      let at = page.length;
      spec.children.forEach((c, i) => {
        const el = 16 + i * 16;
        const key = bytes(c.key);
        page.writeUInt32LE(at - el, el);
        page.writeUInt32LE(key.length, el + 4);
        page.writeBigUInt64LE(BigInt(c.pgid), el + 8);
        keys.push(key);
        at += key.length;
      });
      page = Buffer.concat([page, ...keys]);
    } else {
      page = Buffer.alloc(16);
      page.writeBigUInt64LE(BigInt(id), 0);
      page.writeUInt16LE(0x10, 8);
    }
    const span = Math.max(1, Math.ceil(page.length / pageSize));
    const padded = Buffer.alloc(span * pageSize);
    page.copy(padded);
    body.push(padded);
    id += span;
  }
  const meta = (pageId: number, txid: number): Buffer => {
    const p = Buffer.alloc(pageSize);
    p.writeBigUInt64LE(BigInt(pageId), 0);
    p.writeUInt16LE(0x04, 8);
    const m = 16;
    p.writeUInt32LE(0xed0cdaed, m);
    p.writeUInt32LE(2, m + 4);
    p.writeUInt32LE(pageSize, m + 8);
    p.writeBigUInt64LE(BigInt(rootPgid), m + 16);
    p.writeBigUInt64LE(2n, m + 32); // freelist page id
    p.writeBigUInt64LE(BigInt(id), m + 40); // high water
    p.writeBigUInt64LE(BigInt(txid), m + 48);
    p.writeBigUInt64LE(fnv1a64(p.subarray(m, m + 56)), m + 56);
    return p;
  };
  const file = Buffer.concat([meta(0, 2), meta(1, 1), ...body]);
  if (!options.trailer) return file;
  return Buffer.concat([file, createHash('sha256').update(file).digest()]);
}
