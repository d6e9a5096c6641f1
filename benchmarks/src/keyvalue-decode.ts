/**
 * atrest's hand-written etcd `mvccpb.KeyValue` decoder (`@atrest/etcd-snapshot`, varints through
 * `@atrest/core/wire`) against the maintained library it replaces, protobufjs (the same message
 * defined by reflection: field numbers from etcd's `mvccpb/kv.proto`), side by side in one process.
 * The hand decoder returns views into the page instead of copies and skips the message object;
 * this benchmark is the evidence that it is worth its code.
 *
 * ```sh
 * pnpm run build && node benchmarks/dist/keyvalue-decode.js [--rounds 11] [--decodes 1000000]
 * ```
 *
 * Messages look like a snapshot's: keys `/registry/secrets/team-N/secret-N`, create and mod
 * revisions in the millions (4-byte varints), versions 1..20, values 100 B..4 KiB (2-byte
 * lengths), one in eight with a random 64-bit lease (10-byte varint). A pool of 20k messages,
 * views into one buffer as bolt pages are, is decoded round-robin. Each round times both
 * decoders over the same `--decodes` messages, taking turns block by block (one pass over the
 * pool each), which decoder goes first alternating; the ratio
 * atrest / protobufjs of each round (time, so below 1 is faster) is reported (median, min, max).
 * Both decoders' outputs are compared on the whole pool before timing.
 * @module
 */
import { parseArgs } from 'node:util';
import { putVarint, varintSize } from '@atrest/core/wire';
import { decodeKeyValueView } from '@atrest/etcd-snapshot/internal';
import protobuf from 'protobufjs';

type Decoded = { key: Uint8Array; createRevision: number; modRevision: number; version: number; value: Uint8Array; lease: bigint };
type Decode = (bytes: Uint8Array, context: Record<string, never>) => Decoded;

/** `mvccpb.KeyValue`: key 1, create_revision 2, mod_revision 3, version 4, value 5, lease 6. */
const KeyValue = new protobuf.Type('KeyValue')
  .add(new protobuf.Field('key', 1, 'bytes'))
  .add(new protobuf.Field('createRevision', 2, 'int64'))
  .add(new protobuf.Field('modRevision', 3, 'int64'))
  .add(new protobuf.Field('version', 4, 'int64'))
  .add(new protobuf.Field('value', 5, 'bytes'))
  .add(new protobuf.Field('lease', 6, 'int64'));
new protobuf.Root().define('mvccpb').add(KeyValue);

type Int64 = number | { low: number; high: number; toString(): string };
const toNumber = (v: Int64): number => (typeof v === 'number' ? v : Number(v.toString()));
const toBigInt = (v: Int64): bigint => BigInt(v.toString());

/** The protobufjs baseline, shaped like atrest's answer (revisions as numbers, lease as bigint). */
const library: Decode = (bytes) => {
  const m = KeyValue.decode(bytes) as unknown as { key: Uint8Array; createRevision: Int64; modRevision: Int64; version: Int64; value: Uint8Array; lease: Int64 };
  return { key: m.key, createRevision: toNumber(m.createRevision), modRevision: toNumber(m.modRevision), version: toNumber(m.version), value: m.value, lease: toBigInt(m.lease) };
};
const atrest: Decode = decodeKeyValueView;

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Field bytes: tag, then a varint or a length-delimited payload. */
function varintField(field: number, n: number): number[] {
  const out = new Uint8Array(1 + varintSize(n));
  out[0] = field << 3;
  putVarint(out, 1, n);
  return [...out];
}

function u64Field(field: number, v: bigint): number[] {
  const out = [field << 3];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

function messages(count: number): Uint8Array[] {
  const rand = rng(15);
  const parts: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const key = Buffer.from(`/registry/secrets/team-${i % 50}/secret-${i}`);
    const valueLen = 100 + Math.floor(rand() * 4000);
    const create = 1_000_000 + Math.floor(rand() * 9_000_000);
    const mod = create + Math.floor(rand() * 100_000);
    const head = [0x0a, ...varintField(0, key.length).slice(1), ...key, ...varintField(2, create), ...varintField(3, mod), ...varintField(4, 1 + Math.floor(rand() * 20))];
    const valueHead = [0x2a, ...varintField(0, valueLen).slice(1)];
    const lease = rand() < Number(process.env.LEASES ?? 1 / 8) ? u64Field(6, (BigInt(Math.floor(rand() * 2 ** 32)) << 32n) | BigInt(Math.floor(rand() * 2 ** 32)) | (1n << 63n)) : [];
    const msg = new Uint8Array(head.length + valueHead.length + valueLen + lease.length);
    msg.set(head, 0);
    msg.set(valueHead, head.length);
    for (let j = 0; j < valueLen; j++) msg[head.length + valueHead.length + j] = (rand() * 256) | 0;
    msg.set(lease, head.length + valueHead.length + valueLen);
    parts.push(msg);
  }
  // One buffer, messages as views into it (as the bolt reader hands them out).
  const total = parts.reduce((n, p) => n + p.length, 0);
  const all = new Uint8Array(total);
  const views: Uint8Array[] = [];
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    views.push(all.subarray(at, at + p.length));
    at += p.length;
  }
  return views;
}

const CONTEXT = {} as Record<string, never>;
let sink = 0;

function run(decode: Decode, pool: readonly Uint8Array[], decodes: number): number {
  const start = process.hrtime.bigint();
  let s = 0;
  const n = pool.length;
  for (let i = 0; i < decodes; i++) {
    const kv = decode(pool[i % n] as Uint8Array, CONTEXT);
    s += kv.key.length + kv.value.length + kv.modRevision + (kv.lease === 0n ? 0 : 1);
  }
  sink += s;
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function same(pool: readonly Uint8Array[]): void {
  for (const m of pool) {
    const a = atrest(m, CONTEXT);
    const b = library(m, CONTEXT);
    const eq = (x: Uint8Array, y: Uint8Array) => Buffer.compare(x, y) === 0;
    if (!eq(a.key, b.key) || !eq(a.value, b.value) || a.createRevision !== b.createRevision || a.modRevision !== b.modRevision || a.version !== b.version || a.lease !== b.lease) {
      throw new Error('the decoders disagree');
    }
  }
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

function main(): void {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '11' }, decodes: { type: 'string', default: '1000000' }, pool: { type: 'string', default: '20000' } } });
  const rounds = Number(values.rounds);
  const decodes = Number(values.decodes);
  const pool = messages(Number(values.pool));
  same(pool);
  // Warm-up: both decoders optimized before the first timed round.
  run(atrest, pool, decodes / 4);
  run(library, pool, decodes / 4);
  const cur: number[] = [];
  const old: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    // Within a round the two decoders take turns over blocks of one pool pass each, so a burst
    // of load from elsewhere on the machine lands on both; the starting decoder alternates.
    let c = 0;
    let o = 0;
    const block = pool.length;
    for (let done = 0; done < decodes; done += block) {
      const n = Math.min(block, decodes - done);
      if ((r + done / block) % 2 === 0) {
        c += run(atrest, pool, n);
        o += run(library, pool, n);
      } else {
        o += run(library, pool, n);
        c += run(atrest, pool, n);
      }
    }
    cur.push(c);
    old.push(o);
    ratios.push(c / o);
    process.stdout.write(`round ${r + 1}: atrest ${c.toFixed(1)} ms, protobufjs ${o.toFixed(1)} ms, ratio ${(c / o).toFixed(3)}\n`);
  }
  const f = (x: number) => x.toFixed(3);
  process.stdout.write(
    `${decodes} decodes x ${rounds} rounds (pool ${pool.length}, node ${process.version}): atrest median ${median(cur).toFixed(1)} ms, protobufjs median ${median(old).toFixed(1)} ms; ` +
      `ratio atrest/protobufjs median ${f(median(ratios))}, min ${f(Math.min(...ratios))}, max ${f(Math.max(...ratios))}${sink === 0.5 ? '' : ''}\n`,
  );
}

main();
