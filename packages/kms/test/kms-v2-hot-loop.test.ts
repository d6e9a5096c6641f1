import { AtrestError, availableBackends, ErrorCode, utf8 } from '@atrest/core';
import { describe, expect, it } from 'vitest';
import { Base64MockV2, kmsV2Provider } from '../src/index.js';

const ctx = utf8('/registry/secrets/default/db');

async function codeOf(f: () => unknown): Promise<string | undefined> {
  try {
    await f();
  } catch (e) {
    return e instanceof AtrestError ? e.code : `not AtrestError: ${String(e)}`;
  }
  return undefined;
}

for (const backend of availableBackends()) {
  describe(`kms v2 hot-loop API on ${backend.name}`, () => {
    it('round-trips against the plain API (first write and read go through the plugin, later ones the fast path)', async () => {
      const plugin = new Base64MockV2('key-1');
      const t = kmsV2Provider('kms2', plugin, { backend }).transformer;
      const out = new Uint8Array(80_000);
      const stored = new Uint8Array(80_000);
      for (const n of [0, 1, 1024, 70_000]) {
        const p = new Uint8Array(n).map((_, i) => i & 0xff);
        for (let round = 0; round < 2; round++) {
          const w = await t.writeInto?.(p, ctx, stored);
          expect(w?.buffer).toBe(stored.buffer);
          const plain = await t.read(w as Uint8Array, ctx);
          expect(Buffer.from(plain.plaintext).equals(Buffer.from(p))).toBe(true);
          const r = await t.readInto?.((await t.write(p, ctx)).slice(), ctx, out);
          expect(r?.plaintext.buffer).toBe(out.buffer);
          expect(r?.stale).toBe(false);
          expect(Buffer.from(r?.plaintext as Uint8Array).equals(Buffer.from(p))).toBe(true);
        }
      }
    });

    it('reports staleness as read does, and rejects small, overlapping or non-byte outs', async () => {
      const plugin = new Base64MockV2('key-1');
      const entry = kmsV2Provider('kms2', plugin, { backend });
      const t = entry.transformer;
      const p = new Uint8Array(100).fill(7);
      const value = (await t.write(p, ctx)).slice();
      plugin.setKeyID('key-2');
      await entry.refreshStatus();
      expect((await t.readInto?.(value, ctx, new Uint8Array(value.length)))?.stale).toBe(true);
      expect(await codeOf(() => t.readInto?.(value, ctx, new Uint8Array(10)))).toBe(ErrorCode.InvalidArgument);
      expect(await codeOf(() => t.writeInto?.(p, ctx, new Uint8Array(120)))).toBe(ErrorCode.InvalidArgument);
      expect(await codeOf(() => t.readInto?.(value, ctx, value.subarray(4)))).toBe(ErrorCode.InvalidArgument);
      expect(await codeOf(() => t.writeInto?.(p, ctx, 1 as unknown as Uint8Array))).toBe(ErrorCode.InvalidArgument);
    });

    it('a failed read leaves out zeroed where it wrote', async () => {
      const plugin = new Base64MockV2('key-1');
      const t = kmsV2Provider('kms2', plugin, { backend }).transformer;
      const p = new Uint8Array(4096).fill(9);
      const value = (await t.write(p, ctx)).slice();
      await t.read(value, ctx); // warm the fast path
      const out = new Uint8Array(8192).fill(0xaa);
      expect(await codeOf(() => t.readInto?.(value, utf8('/registry/secrets/default/other'), out))).toBe(ErrorCode.Authentication);
      expect(out.subarray(0, 4096).every((b) => b === 0)).toBe(true);
      expect(out.subarray(4096).every((b) => b === 0xaa)).toBe(true);
    });
  });
}
