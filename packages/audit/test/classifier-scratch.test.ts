/**
 * The classifier's reused plaintext buffer: encrypted values are read into it through
 * `readInto`, the plaintext is wiped as soon as the object is checked, and a read still waiting
 * (a KMS plugin call) keeps it, so a read that starts meanwhile gets memory of its own.
 */
import { type ReadResult, type Transformer, utf8 } from '@atrest/core';
import { describe, expect, it } from 'vitest';
// Internal: the audit's per-value classifier.
import { Classifier } from '../src/_classifier.js';

const KEY = utf8('/registry/secrets/default/db');
const OBJECT = utf8('{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"default"}}');
const STORED = utf8('k8s:enc:aesgcm:v1:key1:ciphertext-stands-in-here');

/** A transformer whose reads yield OBJECT, recording the memory each `readInto` was given. */
function recording(delay?: Promise<void>): { t: Transformer; outs: Uint8Array[]; plainReads: () => number } {
  const outs: Uint8Array[] = [];
  let plain = 0;
  const into = (out: Uint8Array): ReadResult => {
    out.set(OBJECT, 0);
    return { plaintext: out.subarray(0, OBJECT.length), stale: false };
  };
  const t: Transformer = {
    read: () => {
      plain++;
      return { plaintext: OBJECT.slice(), stale: false };
    },
    write: () => STORED,
    readInto: (_data, _context, out) => {
      outs.push(out);
      return delay === undefined ? into(out) : delay.then(() => into(out));
    },
  };
  return { t, outs, plainReads: () => plain };
}

describe('Classifier plaintext buffer', () => {
  it('reads an encrypted value into one reused buffer and wipes the plaintext after the check', () => {
    const c = new Classifier(false);
    const { t, outs, plainReads } = recording();
    for (let i = 0; i < 3; i++) {
      const o = c.classify(t, KEY, STORED);
      expect(o).toMatchObject({ apiVersion: 'v1', kind: 'Secret' });
      expect(outs[i]?.subarray(0, OBJECT.length).every((b) => b === 0)).toBe(true);
    }
    expect(outs[1]).toBe(outs[0]);
    expect(outs[2]).toBe(outs[0]);
    expect(plainReads()).toBe(0);
  });

  it('reads a value that is not an envelope with read (identity allocates nothing)', () => {
    const c = new Classifier(false);
    const { t, outs, plainReads } = recording();
    expect(c.classify(t, KEY, OBJECT)).toMatchObject({ kind: 'Secret' });
    expect(outs).toHaveLength(0);
    expect(plainReads()).toBe(1);
  });

  it('a pending read keeps the buffer: a read started meanwhile uses its own memory, and the buffer is wiped once the pending one settles', async () => {
    let release = (): void => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const c = new Classifier(false);
    const slow = recording(gate);
    const pending = c.classify(slow.t, KEY, STORED);
    expect(pending).toBeInstanceOf(Promise);
    const fast = recording();
    expect(c.classify(fast.t, KEY, STORED)).toMatchObject({ kind: 'Secret' });
    expect(fast.outs).toHaveLength(0);
    expect(fast.plainReads()).toBe(1);
    release();
    expect(await pending).toMatchObject({ kind: 'Secret' });
    expect(slow.outs[0]?.subarray(0, OBJECT.length).every((b) => b === 0)).toBe(true);
    // Free again: the next encrypted value goes into the same buffer.
    const again = recording();
    expect(c.classify(again.t, KEY, STORED)).toMatchObject({ kind: 'Secret' });
    expect(again.outs[0]).toBe(slow.outs[0]);
  });

  it('a failed read frees the buffer too', () => {
    const c = new Classifier(false);
    const failing: Transformer = {
      read: () => {
        throw new Error('unused');
      },
      write: () => STORED,
      readInto: () => {
        throw new Error('cipher: message authentication failed');
      },
    };
    expect(c.classification((c.classify(failing, KEY, STORED) as { cls: number }).cls).status).toBe('undecryptable');
    const { t, outs } = recording();
    expect(c.classify(t, KEY, STORED)).toMatchObject({ kind: 'Secret' });
    expect(outs).toHaveLength(1);
  });
});
