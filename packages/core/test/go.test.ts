/**
 * `@atrest/core/go` against answers recorded from Go 1.19 itself (go-reference.go produces
 * go-reference.json): strconv.Quote for config's and kms's error texts, base64.StdEncoding for
 * config's secrets and the kms Base64 mock plugins.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { aggregateErrorText, Base64SyntaxError, base64Decode, base64Encode, compareBytes, goQuote, goQuoteBytes, tryBase64Decode } from '@atrest/core/go';

interface Reference {
  quote: { in: string; out: string }[];
  base64Decode: { in: string; out?: string; err?: string }[];
  base64Encode: { in: string; out: string }[];
}
const ref = JSON.parse(readFileSync(fileURLToPath(new URL('./go-reference.json', import.meta.url)), 'utf8')) as Reference;
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('strconv.Quote', () => {
  it.each(ref.quote)('$in', (c) => {
    const bytes = Buffer.from(c.in, 'hex');
    expect(goQuoteBytes(new Uint8Array(bytes))).toBe(c.out);
    // Valid UTF-8 round-trips through a JavaScript string with the same answer.
    const text = bytes.toString('utf8');
    if (Buffer.from(text, 'utf8').equals(bytes)) expect(goQuote(text)).toBe(c.out);
  });

  it('quotes a lone surrogate as the U+FFFD it is encoded to', () => {
    expect(goQuote('a\ud800')).toBe('"a\ufffd"');
  });
});

describe('base64.StdEncoding', () => {
  it.each(ref.base64Decode)('decode $in', (c) => {
    if (c.err !== undefined) {
      expect(() => base64Decode(ascii(c.in))).toThrow(new Base64SyntaxError(Number(/\d+$/.exec(c.err)?.[0])));
      expect(() => base64Decode(ascii(c.in))).toThrow(c.err);
      expect(tryBase64Decode(ascii(c.in))).toBeUndefined();
    } else {
      expect(Buffer.from(base64Decode(ascii(c.in))).toString('hex')).toBe(c.out ?? '');
      expect(Buffer.from(tryBase64Decode(ascii(c.in)) ?? [1]).toString('hex')).toBe(c.out ?? '');
    }
  });

  it.each(ref.base64Encode)('encode $in', (c) => {
    const text = base64Encode(new Uint8Array(Buffer.from(c.in, 'hex')));
    expect(new TextDecoder().decode(text)).toBe(c.out);
    expect(Buffer.from(base64Decode(text)).toString('hex')).toBe(c.in);
  });
});

describe('bytes.Compare and aggregate texts', () => {
  it('orders by bytes, shorter first on a common prefix', () => {
    const keys = ['b', 'a', 'ab', '', 'é', 'z'].map(ascii).sort(compareBytes);
    expect(keys.map((k) => new TextDecoder().decode(k))).toEqual(['', 'a', 'ab', 'b', 'z', 'é']);
    expect(compareBytes(ascii('x'), ascii('x'))).toBe(0);
  });

  it('renders utilerrors.Aggregate: one bare, duplicates once, several bracketed', () => {
    expect(aggregateErrorText(['a'])).toBe('a');
    expect(aggregateErrorText(['a', 'a'])).toBe('a');
    expect(aggregateErrorText(['a', 'b', 'a'])).toBe('[a, b]');
  });
});
