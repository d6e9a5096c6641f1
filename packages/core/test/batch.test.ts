import { AtrestError, ErrorCode, isPromise, readMany, type ReadResult, type Transformer, utf8, writeMany } from '@atrest/core';
import { describe, expect, it } from 'vitest';

const CTX = utf8('/registry/secrets/default/db');
const text = (b: Uint8Array): string => Buffer.from(b).toString();

/** Reads `s:<x>` synchronously, `a:<x>` after a tick, and fails on `bad`. Counts calls in flight. */
function fake(): Transformer & { maxInFlight: number } {
  let inFlight = 0;
  const t = {
    maxInFlight: 0,
    read(data: Uint8Array): ReadResult | Promise<ReadResult> {
      const s = text(data);
      if (s === 'bad') throw new AtrestError(ErrorCode.Authentication, 'cipher: message authentication failed');
      if (s === 'foreign') throw new TypeError('something with a secret in it');
      if (s.startsWith('s:')) return { plaintext: utf8(s.slice(2)), stale: false };
      inFlight++;
      t.maxInFlight = Math.max(t.maxInFlight, inFlight);
      return new Promise<ReadResult>((resolve, reject) =>
        setImmediate(() => {
          inFlight--;
          if (s === 'a:reject') reject(new AtrestError(ErrorCode.KmsPlugin, 'plugin down'));
          else resolve({ plaintext: utf8(s.slice(2)), stale: true });
        }),
      );
    },
    write(plaintext: Uint8Array): Uint8Array {
      return utf8(`w:${text(plaintext)}`);
    },
  };
  return t;
}

const items = (...values: string[]) => values.map((v) => ({ data: utf8(v), context: CTX }));

describe('readMany', () => {
  it('answers synchronously when every item does', () => {
    const r = readMany(fake(), items('s:a', 's:b', 'bad'));
    expect(isPromise(r)).toBe(false);
    const out = r as Exclude<typeof r, Promise<unknown>>;
    expect(out.map((o) => (o.ok ? text(o.value.plaintext) : o.error.code))).toEqual(['a', 'b', ErrorCode.Authentication]);
  });

  it('keeps input order across synchronous, asynchronous and failing items', async () => {
    const out = await readMany(fake(), items('a:1', 's:2', 'bad', 'a:reject', 'a:5', 'foreign', 's:7'));
    expect(out.map((o) => (o.ok ? `${text(o.value.plaintext)}${o.value.stale ? '*' : ''}` : o.error.code))).toEqual([
      '1*',
      '2',
      ErrorCode.Authentication,
      ErrorCode.KmsPlugin,
      '5*',
      ErrorCode.Internal,
      '7',
    ]);
    const foreign = out[5];
    expect(foreign?.ok === false && foreign.error.message).not.toContain('secret');
  });

  it('keeps at most `concurrency` items waiting, and finishes them all', async () => {
    const t = fake();
    const many = items(...Array.from({ length: 100 }, (_, i) => `a:${i}`));
    const out = await readMany(t, many, { concurrency: 7 });
    expect(t.maxInFlight).toBe(7);
    expect(out.every((o, i) => o.ok && text(o.value.plaintext) === String(i))).toBe(true);
  });

  it('refuses a concurrency that is not a positive integer, instead of doing nothing', () => {
    for (const concurrency of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => readMany(fake(), items('s:a'), { concurrency })).toThrow(/concurrency must be a positive integer/);
    }
  });

  it('gives foreign thenables promise semantics', async () => {
    const syncThenable: Transformer = {
      // A thenable that calls back at once, and returns nothing from then().
      read: () => ({ then: (ok: (r: ReadResult) => void) => ok({ plaintext: utf8('t'), stale: false }) }) as unknown as Promise<ReadResult>,
      write: (p) => p,
    };
    const out = await readMany(syncThenable, items('x', 'y'));
    expect(out.map((o) => (o.ok ? text(o.value.plaintext) : ''))).toEqual(['t', 't']);
  });

  it('handles an empty batch', () => {
    expect(readMany(fake(), [])).toEqual([]);
  });
});

describe('writeMany', () => {
  it('writes each item in order', () => {
    const out = writeMany(fake(), [{ plaintext: utf8('x'), context: CTX }, { plaintext: utf8('y'), context: CTX }]);
    expect((out as Exclude<typeof out, Promise<unknown>>).map((o) => (o.ok ? text(o.value) : ''))).toEqual(['w:x', 'w:y']);
  });
});
