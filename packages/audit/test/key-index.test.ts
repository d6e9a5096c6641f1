/**
 * The audit's per-key structures, tested directly because the report depends on them exactly:
 * the byte-keyed index, and the group-resource of a key (against `locateKey`).
 */
import { locateKey } from '@atrest/audit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
// Internal: the single pass's key index and key-to-resource shortcut.
import { KeyIndex } from '../src/_key-index.js';
import { groupResourceOf } from '../src/resource-of-key.js';
import { grown } from '../src/_grow.js';

describe('KeyIndex', () => {
  it('numbers byte strings in the order added, like a Map, through growth, with text on demand', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 3000 }), (keys) => {
        const index = new KeyIndex();
        const model = new Map<string, number>();
        for (const k of keys) {
          const hex = Buffer.from(k).toString('hex');
          expect(index.find(k)).toBe(model.get(hex) ?? -1);
          if (!model.has(hex)) {
            expect(index.add(k)).toBe(model.size);
            model.set(hex, model.size);
          }
        }
        expect(index.size).toBe(model.size);
        for (const [hex, n] of model) {
          const bytes = Buffer.from(hex, 'hex');
          expect(index.find(bytes)).toBe(n);
          expect(index.text(n)).toBe(new TextDecoder().decode(bytes));
          expect(Buffer.from(index.bytes(n)).toString('hex')).toBe(hex);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('keys that share directories (split after their last /) stay exact, including edge shapes', () => {
    const segment = fc.oneof(fc.constantFrom('', 'registry', 'secrets', 'a', 'ns-1', '\u00e9'), fc.string({ maxLength: 4 }));
    const key = fc.oneof(
      fc.array(segment, { maxLength: 5 }).map((parts) => Buffer.from(parts.join('/'))),
      fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b.map((x) => (x % 3 === 0 ? 0x2f : x)))),
    );
    fc.assert(
      fc.property(fc.array(key, { maxLength: 400 }), (keys) => {
        const index = new KeyIndex();
        const model = new Map<string, number>();
        for (const k of keys) {
          const hex = k.toString('hex');
          expect(index.find(k)).toBe(model.get(hex) ?? -1);
          if (!model.has(hex)) {
            expect(index.add(k)).toBe(model.size);
            model.set(hex, model.size);
          }
        }
        for (const [hex, n] of model) {
          expect(Buffer.from(index.bytes(n)).toString('hex')).toBe(hex);
          expect(index.text(n)).toBe(new TextDecoder().decode(Buffer.from(hex, 'hex')));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('keeps keys exact across storage chunks, with keys longer than a chunk in chunks of their own', () => {
    const index = new KeyIndex();
    const keys: Uint8Array[] = [];
    // 60,000 keys of 40-199 bytes fill several 1 MiB chunks; two keys over 1 MiB fall between them.
    for (let i = 0; i < 60_000; i++) {
      if (i === 10_000 || i === 30_000) keys.push(new Uint8Array((1 << 20) + 3 + i).fill(i % 251));
      keys.push(Buffer.from(`/registry/secrets/ns-${i % 97}/${'x'.repeat(i % 160)}-${i}`));
    }
    keys.forEach((k, n) => expect(index.add(k)).toBe(n));
    keys.forEach((k, n) => {
      expect(index.find(k)).toBe(n);
      expect(Buffer.compare(index.bytes(n), k)).toBe(0);
    });
    expect(index.find(Buffer.from('/registry/secrets/ns-0/-'))).toBe(-1);
  });

  it('copies the key it is given', () => {
    const index = new KeyIndex();
    const k = Buffer.from('/registry/secrets/a/b');
    expect(index.add(k)).toBe(0);
    k.fill(0);
    expect(index.find(Buffer.from('/registry/secrets/a/b'))).toBe(0);
  });
});

describe('groupResourceOf', () => {
  const segment = fc.oneof(
    fc.constantFrom('', 'secrets', 'deployments', 'masterleases', 'apiserverleases', 'example.com', 'widgets', 'events', 'ns', 'a.b', '__proto__', 'constructor', 'hasOwnProperty'),
    fc.string({ maxLength: 6 }),
  );
  it('is locateKey’s group-resource, or null for other', () => {
    fc.assert(
      fc.property(fc.constantFrom('/registry/', '/kubernetes.io/', '/openshift.io/', '/registry', 'registry/', '/other/', ''), fc.array(segment, { maxLength: 5 }), fc.boolean(), (prefix, parts, slash) => {
        const key = `${prefix}${parts.join('/')}${slash ? '/' : ''}`;
        const loc = locateKey(key);
        expect(groupResourceOf(key)).toBe(loc.kind === 'object' ? loc.groupResource : null);
        expect(groupResourceOf(key)).toBe(loc.kind === 'object' ? loc.groupResource : null); // cached answer
      }),
      { numRuns: 5000 },
    );
  });
});

describe('grown (the key tables’ column growth)', () => {
  it('keeps the array type and every value, and zeroes the rest', () => {
    for (const old of [Float64Array.of(1.5, 2 ** 40), Uint32Array.of(7, 2 ** 32 - 1), Int32Array.of(-1, 3), Uint8Array.of(255, 1)]) {
      const a = grown(old, 5);
      expect(a.constructor).toBe(old.constructor);
      expect([...a]).toEqual([...old, 0, 0, 0]);
    }
  });
});
