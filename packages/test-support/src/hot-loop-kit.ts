/**
 * The hot-loop API's shared suite (`readInto`/`writeInto` against the plain API on every
 * backend: round trips, `out` checks, and `out` zeroed after a failed decrypt), run by the
 * aescbc and aesgcm packages on their transformers.
 * @module
 */
import { availableBackends, AtrestError, ErrorCode, type Transformer, utf8 } from '@atrest/core';
import { describe, expect, it } from 'vitest';

const ctx = utf8('/registry/secrets/default/db');
const sizes = [0, 1, 15, 16, 17, 1024, 70_000];

function pt(n: number): Uint8Array {
  return new Uint8Array(n).map((_, i) => (i * 31 + 7) & 0xff);
}

/** Builds a transformer under test from a key and a crypto backend. */
export type HotLoopMake = (key: Uint8Array, backend: ReturnType<typeof availableBackends>[number]) => Transformer;

/** Run the hot-loop suite on each named transformer maker. */
export function describeHotLoop(makers: readonly [string, HotLoopMake][]): void {
  function codeOf(f: () => unknown): string | undefined {
    try {
      f();
    } catch (e) {
      return e instanceof AtrestError ? e.code : `not AtrestError: ${String(e)}`;
    }
    return undefined;
  }

  for (const backend of availableBackends()) {
    for (const [name, make] of makers) {
      describe(`${name} hot-loop API on ${backend.name}`, () => {
        const key = backend.randomBytes(32);
        const t = make(key, backend);
        const readInto = (d: Uint8Array, o: Uint8Array) => t.readInto?.(d, ctx, o) as { plaintext: Uint8Array; stale: boolean };
        const writeInto = (p: Uint8Array, o: Uint8Array) => t.writeInto?.(p, ctx, o) as Uint8Array;

        it('round-trips against the plain API, both ways, reusing one out', () => {
          const out = new Uint8Array(80_000).fill(0xee);
          const stored = new Uint8Array(80_000).fill(0xee);
          for (const n of sizes) {
            const p = pt(n);
            const plain = t.write(p, ctx) as Uint8Array;
            const r = readInto(plain, out);
            expect(r.stale).toBe(false);
            expect(r.plaintext.buffer).toBe(out.buffer);
            expect(Buffer.from(r.plaintext).equals(Buffer.from(p))).toBe(true);
            const w = writeInto(p, stored);
            expect(w.buffer).toBe(stored.buffer);
            expect(w.length).toBe(plain.length);
            expect(w.length).toBeLessThanOrEqual(n + 64);
            const back = (t.read(w, ctx) as { plaintext: Uint8Array }).plaintext;
            expect(Buffer.from(back).equals(Buffer.from(p))).toBe(true);
          }
        });

        it('an out of data.length bytes is enough; a smaller one is a typed error', () => {
          const p = pt(100);
          const stored = t.write(p, ctx) as Uint8Array;
          expect(readInto(stored, new Uint8Array(stored.length)).plaintext.length).toBe(100);
          expect(codeOf(() => readInto(stored, new Uint8Array(50)))).toBe(ErrorCode.InvalidArgument);
          expect(codeOf(() => writeInto(p, new Uint8Array(100)))).toBe(ErrorCode.InvalidArgument);
          try {
            writeInto(p, new Uint8Array(100));
          } catch (e) {
            expect((e as AtrestError).message).toMatch(/^out is too small: \d+ bytes needed, 100 given$/);
          }
          expect(codeOf(() => t.readInto?.(stored, ctx, 'x' as unknown as Uint8Array))).toBe(ErrorCode.InvalidArgument);
          expect(codeOf(() => t.writeInto?.(p, ctx, [] as unknown as Uint8Array))).toBe(ErrorCode.InvalidArgument);
        });

        it('refuses an out that overlaps its input', () => {
          const buf = new Uint8Array(4096);
          const p = buf.subarray(0, 100);
          expect(codeOf(() => writeInto(p, buf.subarray(50)))).toBe(ErrorCode.InvalidArgument);
          const stored = t.write(pt(100), ctx) as Uint8Array;
          buf.set(stored, 2000);
          expect(codeOf(() => readInto(buf.subarray(2000, 2000 + stored.length), buf.subarray(1990)))).toBe(ErrorCode.InvalidArgument);
        });

        it('a failed read leaves the region of out it used zeroed', () => {
          const p = pt(4096);
          const stored = (t.write(p, ctx) as Uint8Array).slice();
          // Flip a bit in the last block: GCM's tag fails; CBC's padding check fails (or, rarely, decrypts to garbage).
          stored[stored.length - 1] = (stored[stored.length - 1] as number) ^ 0x01;
          const out = new Uint8Array(8192).fill(0xaa);
          const code = codeOf(() => readInto(stored, out));
          if (code === undefined) return; // CBC: the flip happened to leave valid padding
          expect([ErrorCode.Authentication, ErrorCode.Pkcs7Data, ErrorCode.Pkcs7Padding]).toContain(code);
          const used = name === 'aescbc' ? stored.length - 16 : 4096;
          expect(out.subarray(0, used).every((b) => b === 0)).toBe(true);
          expect(out.subarray(used).every((b) => b === 0xaa)).toBe(true);
        });

        it('aescbc zeroes the padding it decrypted into out', () => {
          if (name !== 'aescbc') return;
          const out = new Uint8Array(64).fill(0xaa);
          const r = readInto(t.write(pt(20), ctx) as Uint8Array, out);
          expect(r.plaintext.length).toBe(20);
          expect(out.subarray(20, 32).every((b) => b === 0)).toBe(true);
        });
      });
    }
  }
}
