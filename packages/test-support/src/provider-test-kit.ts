/**
 * Test kit shared by the provider packages' suites: the etcd-key context, a chain's no-match
 * error, capturing an AtrestError, patterned plaintexts, and the replay of upstream's
 * single-key vector cases against a provider's chain entry.
 * @module
 */
import { AtrestError, type ChainEntry, ErrorCode, PrefixChain, readSync, utf8 } from '@atrest/core';
import { describe, expect, it } from 'vitest';
import { fromB64, type SingleKeyCase, singleKeyCases } from './single-key-cases.js';

/** The etcd key most tests read and write under. */
export const CTX = utf8('/registry/secrets/default/db');

/** Hex of bytes, for messages and leak checks. */
export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** The no-match error of a test chain (upstream's text). */
export const noMatch = (): AtrestError => new AtrestError(ErrorCode.NoMatchingPrefix, 'no matching prefix found');

/** Deterministic non-trivial bytes: byte i = (i * mul + add) & 0xff. */
export const patterned = (n: number, mul: number, add: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * mul + add) & 0xff);

/** Run `fn`, which must throw an AtrestError, and return it. */
export function atrestErrorOf(fn: () => unknown): AtrestError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AtrestError);
    return err as AtrestError;
  }
  throw new Error('expected an AtrestError, got a result');
}

/**
 * Replay every upstream values.json case that one `kind` key answers alone: same plaintext and
 * stale flag, or the same error text. `also` adds per-case checks (e.g. aesgcm binds the etcd key).
 */
export function describeKnownAnswers(
  kind: 'aesgcm' | 'aescbc' | 'secretbox',
  minCases: number,
  entryFor: (c: SingleKeyCase) => ChainEntry,
  also?: (chain: PrefixChain, stored: Uint8Array, c: SingleKeyCase) => void,
): void {
  describe(`known answers from upstream (values.json, one ${kind} key)`, () => {
    const cases = singleKeyCases(kind);
    it('has cases', () => expect(cases.length).toBeGreaterThan(minCases));
    it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
      const chain = new PrefixChain([entryFor(c)], noMatch);
      const stored = fromB64(c.stored);
      if ('error' in c.expect) {
        expect(atrestErrorOf(() => chain.read(stored, utf8(c.key))).message).toBe(c.expect.error);
        return;
      }
      const r = readSync(chain, stored, utf8(c.key));
      expect(Buffer.from(r.plaintext).toString('base64')).toBe(c.expect.plaintext);
      expect(r.stale).toBe(c.expect.stale);
      also?.(chain, stored, c);
    });
  });
}
