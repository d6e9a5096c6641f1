/**
 * atrest's ports of Go's url.Parse and time.ParseDuration against answers recorded from Go 1.19
 * itself (go-reference.go produces go-reference.json). Go's base64, which config uses through
 * `@atrest/core/go`, is pinned against Go by core's go.test.ts.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatGoDuration, parseGoDuration } from '@atrest/config';
import { parseGoUrl } from '../src/_url.js';

interface Reference {
  urls: { in: string; scheme?: string; err?: string }[];
  durations: { in: string; ns?: string; str?: string; err?: string }[];
}
const ref = JSON.parse(readFileSync(fileURLToPath(new URL('./go-reference.json', import.meta.url)), 'utf8')) as Reference;

describe('url.Parse port', () => {
  it.each(ref.urls)('$in', (c) => {
    const r = parseGoUrl(c.in);
    if (c.err !== undefined) expect(r).toEqual({ ok: false, error: c.err });
    else expect(r).toEqual({ ok: true, scheme: c.scheme ?? '' });
  });
});

describe('time.ParseDuration port', () => {
  it.each(ref.durations)('$in', (c) => {
    if (c.err !== undefined) {
      expect(() => parseGoDuration(c.in)).toThrow(c.err);
      return;
    }
    const d = parseGoDuration(c.in);
    expect(d.nanoseconds).toBe(BigInt(c.ns ?? '0'));
    expect(String(d)).toBe(c.str);
    expect(formatGoDuration(d.nanoseconds)).toBe(c.str);
  });
});
