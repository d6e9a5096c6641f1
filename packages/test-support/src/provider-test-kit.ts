/**
 * Test kit shared by the provider packages' suites: the etcd-key context, a chain's no-match
 * error, capturing an AtrestError, patterned plaintexts, the suites' common structure (every
 * backend against the other, round trips, damaged values, key checks, the provider entry) and
 * the replay of upstream's single-key vector cases against a provider's chain entry.
 * @module
 */
import { availableBackends, AtrestError, type ChainEntry, type CryptoBackend, ErrorCode, nobleBackend, nodeBackend, PrefixChain, type ProviderKey, type ReadResult, readSync, type Transformer, utf8, writeSync } from '@atrest/core';
import { inspect } from 'node:util';
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

/** Plaintext sizes every provider round-trips: empty, around one and two blocks, large. */
export const SIZES: readonly number[] = [0, 1, 15, 16, 17, 31, 32, 33, 1000, 65536];

/**
 * `describe` the suite once per available backend (`<title> on the <name> backend`), passing it
 * the backend and the one to cross-check against (noble for node, node for every other).
 */
export function describeOnEveryBackend(title: string, body: (backend: CryptoBackend, other: CryptoBackend) => void): void {
  describe.each(availableBackends())(`${title} on the $name backend`, (backend: CryptoBackend) => {
    body(backend, backend === nodeBackend ? nobleBackend : nodeBackend);
  });
}

/**
 * Write `pt` with `writer`, check the payload's length, read it back with `writer` (not stale)
 * and with `reader` (another backend's transformer for the same key), and check `writer`'s
 * `readAt` at an offset and `writeAfter` after a header against them; returns the payload.
 */
export function roundTrip(writer: Transformer, reader: Transformer, pt: Uint8Array, payloadLength: number, context: Uint8Array = CTX): Uint8Array {
  const payload = writeSync(writer, pt, context);
  expect(payload.length).toBe(payloadLength);
  const r = readSync(writer, payload, context);
  expect(hex(r.plaintext)).toBe(hex(pt));
  expect(r.stale).toBe(false);
  expect(hex(readSync(reader, payload, context).plaintext)).toBe(hex(pt));
  // The positional entry points agree with read and write (read is readAt at 0, write is
  // writeAfter with an empty header).
  const padded = new Uint8Array(3 + payload.length).fill(0x5a);
  padded.set(payload, 3);
  expect(hex((writer.readAt?.(padded, 3, context) as ReadResult).plaintext)).toBe(hex(pt));
  const header = utf8('H:');
  const after = writer.writeAfter?.(header, pt, context) as Uint8Array;
  expect(after.length).toBe(header.length + payloadLength);
  expect(Buffer.from(after.subarray(0, header.length)).toString()).toBe('H:');
  expect(hex(readSync(reader, after.subarray(header.length), context).plaintext)).toBe(hex(pt));
  return payload;
}

/**
 * A property body: a value written by `make(key)` on `backend` reads back, under the same
 * context, with `make(key)` on `other`.
 */
export function crossBackendRoundTrip(
  make: (key: Uint8Array, options: { backend: CryptoBackend }) => Transformer,
  backend: CryptoBackend,
  other: CryptoBackend,
): (key: Uint8Array, pt: Uint8Array, ctx: Uint8Array) => void {
  return (key, pt, ctx) => {
    const payload = writeSync(make(key, { backend }), pt, ctx);
    expect(hex(readSync(make(key, { backend: other }), payload, ctx).plaintext)).toBe(hex(pt));
  };
}

/** `payload` damaged: truncated to `where % length` bytes, or with bit `where % bits` flipped (a copy). */
export function damaged(payload: Uint8Array, where: number, truncate: boolean): Uint8Array {
  if (truncate) return payload.subarray(0, where % payload.length);
  const bad = payload.slice();
  const bit = where % (payload.length * 8);
  bad[bit >> 3] = (bad[bit >> 3] as number) ^ (1 << (bit & 7));
  return bad;
}

/**
 * Check that an error's message, description, context and stack name neither the key's hex nor
 * its base64 (keys under 8 bytes are skipped: their text is too short to mean anything).
 */
export function expectNoKeyIn(e: AtrestError, ...keys: Uint8Array[]): void {
  const text = `${e.message} ${e.describe()} ${JSON.stringify(e.context)} ${String(e.stack)}`;
  for (const k of keys) {
    if (k.length < 8) continue;
    expect(text).not.toContain(Buffer.from(k).toString('hex'));
    expect(text).not.toContain(Buffer.from(k).toString('base64'));
  }
}

/** Check that a transformer shows its key neither through String, JSON nor util.inspect. */
export function expectKeyHidden(t: Transformer, key: Uint8Array): void {
  const text = `${String(t)} ${JSON.stringify(t)} ${inspect(t, { depth: 20, showHidden: true })}`;
  expect(text).not.toContain(Buffer.from(key).toString('hex'));
  expect(text).not.toContain(Buffer.from(key).toString('base64'));
}

/**
 * A provider's key checks: each size in `badSizes` is `ERR_INVALID_KEY` with `text(n)` and a
 * context naming provider, key and length (never the bytes); a key that is not a Uint8Array is
 * `ERR_INVALID_KEY` too; an empty key list is `ERR_INVALID_ARGUMENT` with `noKeysText`.
 */
export function expectKeyChecks(
  provider: string,
  entryFor: (keys: ProviderKey[]) => ChainEntry,
  badSizes: readonly number[],
  text: (n: number) => string,
  noKeysText: string,
): void {
  for (const n of badSizes) {
    const secret = nodeBackend.randomBytes(n);
    const e = atrestErrorOf(() => entryFor([{ name: 'k', secret }]));
    expect(e.code).toBe(ErrorCode.InvalidKey);
    expect(e.message).toBe(text(n));
    expect(e.context).toEqual({ provider, key: 'k', length: n });
    expectNoKeyIn(e, secret);
  }
  const notBytes = atrestErrorOf(() => entryFor([{ name: 'k', secret: 'x'.repeat(32) as unknown as Uint8Array }]));
  expect(notBytes.code).toBe(ErrorCode.InvalidKey);
  expect(notBytes.message).toBe('key secret must be a Uint8Array');
  expect(notBytes.context).toEqual({ provider, key: 'k' });
  const none = atrestErrorOf(() => entryFor([]));
  expect(none.code).toBe(ErrorCode.InvalidArgument);
  expect(none.message).toBe(noKeysText);
  expect(atrestErrorOf(() => entryFor([{ name: '', secret: new Uint8Array(32) }])).code).toBe(ErrorCode.InvalidArgument);
}

/**
 * A provider's chain entry with keys `a` (`first`) and `b` (`second`): its prefix is `prefix`,
 * writes go under `<prefix>a:` and read back fresh (`<provider>:a`), a value written by `b`
 * alone reads back stale (`<provider>:b`), and an unknown key name fails with `noMatchingKey`.
 */
export function expectProviderEntry(
  provider: string,
  prefix: string,
  entryFor: (keys: ProviderKey[]) => ChainEntry,
  first: Uint8Array,
  second: Uint8Array,
  noMatchingKey: string,
): void {
  const entry = entryFor([
    { name: 'a', secret: first },
    { name: 'b', secret: second },
  ]);
  expect(Buffer.from(entry.prefix).toString()).toBe(prefix);
  const chain = new PrefixChain([entry], noMatch);
  const stored = writeSync(chain, utf8('v'), CTX);
  expect(Buffer.from(stored.subarray(0, prefix.length + 2)).toString()).toBe(`${prefix}a:`);
  expect(readSync(chain, stored, CTX)).toMatchObject({ stale: false, source: `${provider}:a` });
  const byB = writeSync(new PrefixChain([entryFor([{ name: 'b', secret: second }])], noMatch), utf8('w'), CTX);
  const r = readSync(chain, byB, CTX);
  expect(Buffer.from(r.plaintext).toString()).toBe('w');
  expect(r).toMatchObject({ stale: true, source: `${provider}:b` });
  const e = atrestErrorOf(() => chain.read(utf8(`${prefix}c:${'x'.repeat(40)}`), CTX));
  expect(e.code).toBe(ErrorCode.NoMatchingKey);
  expect(e.message).toBe(noMatchingKey);
}
