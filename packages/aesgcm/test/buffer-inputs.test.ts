/**
 * Node Buffers are Uint8Arrays whose slice() is a view. Every place that keeps a copy of caller
 * bytes must really copy: wiping or reusing the caller's Buffer afterwards must change nothing.
 */
import { describe, expect, it } from 'vitest';
import { readSync, SecretBytes, utf8, writeSync } from '@atrest/core';
import { copyBytes } from '@atrest/core/internal';
import { availableBackends } from '@atrest/core';
import { aesGcmExtendedNonceTransformer, aesGcmTransformer } from '@atrest/aesgcm';

describe('Buffer inputs are copied, not viewed', () => {
  it('copyBytes copies a Buffer', () => {
    const b = Buffer.from([1, 2, 3]);
    const c = copyBytes(b);
    b.fill(0);
    expect([...c]).toEqual([1, 2, 3]);
    expect(c).not.toBeInstanceOf(Buffer);
  });

  it('SecretBytes keeps its bytes when the caller wipes its Buffer', () => {
    const b = Buffer.alloc(32, 7);
    const s = new SecretBytes(b);
    b.fill(0);
    expect(s.expose().every((x) => x === 7)).toBe(true);
  });

  describe.each(availableBackends())('on the $name backend', (backend) => {
    const ctx = utf8('/registry/secrets/a/b');
    it('the extended-nonce transformer keeps its seed when the caller wipes a Buffer seed', () => {
      const pool = Buffer.alloc(64, 9); // a seed that is a view into a larger Buffer, as gRPC hands them out
      const seed = pool.subarray(16, 48);
      const t = aesGcmExtendedNonceTransformer(seed, { backend });
      const stored = writeSync(t, utf8('x'), ctx);
      const reference = aesGcmExtendedNonceTransformer(Buffer.alloc(32, 9), { backend });
      pool.fill(0);
      expect(Buffer.from(readSync(t, stored, ctx).plaintext).toString()).toBe('x');
      expect(Buffer.from(readSync(reference, stored, ctx).plaintext).toString()).toBe('x');
    });
    it('the aesgcm transformer keeps its key when the caller wipes a Buffer key', () => {
      const key = Buffer.alloc(32, 5);
      const t = aesGcmTransformer(key, { backend });
      const stored = writeSync(t, utf8('y'), ctx);
      key.fill(0);
      expect(Buffer.from(readSync(t, stored, ctx).plaintext).toString()).toBe('y');
    });
  });
});
