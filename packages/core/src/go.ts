/**
 * `@atrest/core/go`: renderings of Go standard-library behaviour that kube-apiserver's messages
 * and inputs depend on, for atrest's own packages (config, kms). Not part of atrest's public API:
 * it may change in any release.
 *
 * - `strconv.Quote` (`%q`), which upstream uses in error texts;
 * - `encoding/base64.StdEncoding`, which is stricter than Node's decoder (Node skips characters
 *   outside the alphabet and accepts missing padding, so it would accept secrets and wrapped keys
 *   kube-apiserver refuses);
 * - `bytes.Compare` ordering (`sort.Strings` order of UTF-8 strings);
 * - `utilerrors.Aggregate.Error()` text.
 *
 * One implementation each, so config and kms cannot drift apart; the tests pin them against
 * answers recorded from Go itself (core/test/go-reference.go).
 *
 * @module
 */

// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space only.
// Everything else (controls, format characters such as U+200B or U+FEFF, separators other than
// the ASCII space, unassigned and private-use code points) is escaped.
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const SHORT_ESCAPES: readonly (string | undefined)[] = [];
for (const [c, s] of [
  [0x07, '\\a'],
  [0x08, '\\b'],
  [0x0c, '\\f'],
  [0x0a, '\\n'],
  [0x0d, '\\r'],
  [0x09, '\\t'],
  [0x0b, '\\v'],
] as const) {
  (SHORT_ESCAPES as (string | undefined)[])[c] = s;
}

const hex = (v: number, width: number): string => v.toString(16).padStart(width, '0');

/**
 * Quote bytes as Go's `strconv.Quote` quotes the same Go string: Go strings are bytes, so invalid
 * UTF-8 bytes are rendered `\xNN`, printable runes are kept, `"` and `\` are escaped, control
 * characters use `\a \b \f \n \r \t \v` or `\xNN`, other non-printable runes `\uNNNN` /
 * `\UNNNNNNNN`.
 *
 * For atrest's own packages.
 *
 * @param bytes - the Go string's bytes
 * @returns the double-quoted form
 */
export function goQuoteBytes(bytes: Uint8Array): string {
  let out = '"';
  let i = 0;
  while (i < bytes.length) {
    const r = decodeRune(bytes, i);
    if (r < 0) {
      out += `\\x${hex(bytes[i] as number, 2)}`;
      i += 1;
      continue;
    }
    const cp = r >>> 3;
    i += r & 7;
    const ch = String.fromCodePoint(cp);
    if (cp === 0x22 || cp === 0x5c) out += `\\${ch}`;
    else if (PRINTABLE.test(ch)) out += ch;
    else if (SHORT_ESCAPES[cp] !== undefined) out += SHORT_ESCAPES[cp];
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${hex(cp, 2)}`;
    else if (cp < 0x10000) out += `\\u${hex(cp, 4)}`;
    else out += `\\U${hex(cp, 8)}`;
  }
  return `${out}"`;
}

const encoder = new TextEncoder();

/**
 * Quote a JavaScript string as Go's `strconv.Quote` quotes its UTF-8 encoding (a lone surrogate
 * becomes U+FFFD, as `TextEncoder` writes it). For atrest's own packages.
 *
 * @param text - the string
 * @returns the double-quoted form, e.g. `goQuote('a\u200bb')` is `"a\u200bb"` with the escape
 */
export function goQuote(text: string): string {
  return goQuoteBytes(encoder.encode(text));
}

/**
 * Decode one UTF-8 rune at `i` as Go's `utf8.DecodeRune` accepts it (no overlongs, no surrogates,
 * at most U+10FFFF). Returns `codePoint << 3 | width`, or -1 for an invalid byte: one number, so
 * quoting allocates no tuple per rune.
 */
function decodeRune(b: Uint8Array, i: number): number {
  const b0 = b[i] as number;
  if (b0 < 0x80) return (b0 << 3) | 1;
  const cont = (k: number): number => {
    const v = b[i + k];
    return v !== undefined && (v & 0xc0) === 0x80 ? v & 0x3f : -1;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    const c1 = cont(1);
    return c1 < 0 ? -1 : ((((b0 & 0x1f) << 6) | c1) << 3) | 2;
  }
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const c1 = cont(1);
    const c2 = cont(2);
    if (c1 < 0 || c2 < 0) return -1;
    const cp = ((b0 & 0x0f) << 12) | (c1 << 6) | c2;
    if (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)) return -1;
    return (cp << 3) | 3;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const c1 = cont(1);
    const c2 = cont(2);
    const c3 = cont(3);
    if (c1 < 0 || c2 < 0 || c3 < 0) return -1;
    const cp = ((b0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3;
    if (cp < 0x10000 || cp > 0x10ffff) return -1;
    return (cp << 3) | 4;
  }
  return -1;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Int16Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;
const ENCODE = new Uint8Array(64);
for (let i = 0; i < 64; i++) ENCODE[i] = ALPHABET.charCodeAt(i);
const PAD = 0x3d;
const CR = 0x0d;
const LF = 0x0a;

/**
 * Thrown by {@link base64Decode}: Go's `base64.CorruptInputError`. For atrest's own packages.
 */
export class Base64SyntaxError extends Error {
  /** Zero-based offset of the input byte Go reports. */
  readonly offset: number;
  /** @param offset - offset of the offending byte */
  constructor(offset: number) {
    super(`illegal base64 data at input byte ${offset}`);
    this.name = 'Base64SyntaxError';
    this.offset = offset;
  }
}

/**
 * Encode bytes as padded standard base64 (`base64.StdEncoding.Encode`), as ASCII bytes.
 * For atrest's own packages.
 *
 * @param data - bytes to encode
 * @returns the base64 text's bytes
 */
export function base64Encode(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.length / 3) * 4);
  let o = 0;
  let i = 0;
  for (; i + 2 < data.length; i += 3) {
    const n = ((data[i] as number) << 16) | ((data[i + 1] as number) << 8) | (data[i + 2] as number);
    out[o++] = ENCODE[n >>> 18] as number;
    out[o++] = ENCODE[(n >>> 12) & 63] as number;
    out[o++] = ENCODE[(n >>> 6) & 63] as number;
    out[o++] = ENCODE[n & 63] as number;
  }
  const rest = data.length - i;
  if (rest > 0) {
    const n = ((data[i] as number) << 16) | (rest === 2 ? (data[i + 1] as number) << 8 : 0);
    out[o++] = ENCODE[n >>> 18] as number;
    out[o++] = ENCODE[(n >>> 12) & 63] as number;
    out[o++] = rest === 2 ? (ENCODE[(n >>> 6) & 63] as number) : PAD;
    out[o++] = PAD;
  }
  return out;
}

/**
 * Decode padded standard base64 as Go's `base64.StdEncoding.Decode` does: alphabet `A-Z a-z 0-9
 * + /`, `=` padding required, CR and LF skipped anywhere, nothing after the padding, unused low
 * bits of the last character need not be zero (Go's decoder is not strict). Works on bytes, and
 * wipes its scratch buffer, because the input is often a secret. For atrest's own packages.
 *
 * @param src - base64 text as bytes
 * @returns the decoded bytes
 * @throws Base64SyntaxError at the input byte Go reports
 */
export function base64Decode(src: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.floor(src.length / 4) * 3 + 3);
  try {
    return out.slice(0, decodeInto(src, out));
  } finally {
    out.fill(0);
  }
}

/**
 * {@link base64Decode} answering `undefined` where Go reports `illegal base64 data` (config only
 * needs to know whether a secret is valid). For atrest's own packages.
 *
 * @param src - base64 text as bytes
 * @returns the decoded bytes, or undefined
 */
export function tryBase64Decode(src: Uint8Array): Uint8Array | undefined {
  try {
    return base64Decode(src);
  } catch (err) {
    if (err instanceof Base64SyntaxError) return undefined;
    throw err;
  }
}

/** Go's decode loop (`decodeQuantum`); returns the bytes written to `out`. */
function decodeInto(src: Uint8Array, out: Uint8Array): number {
  const len = src.length;
  let n = 0;
  let si = 0;
  for (;;) {
    let v = 0;
    let j = 0;
    let padded = false;
    while (j < 4) {
      if (si === len) {
        if (j === 0) return n;
        throw new Base64SyntaxError(si - j);
      }
      const c = src[si] as number;
      si++;
      if (c === CR || c === LF) continue;
      const d = DECODE[c] as number;
      if (d >= 0) {
        v |= d << (18 - 6 * j);
        j++;
        continue;
      }
      if (c !== PAD) throw new Base64SyntaxError(si - 1);
      // Padding: only after two or three symbols; "xx=" must be followed by a second '='.
      if (j < 2) throw new Base64SyntaxError(si - 1);
      if (j === 2) {
        while (si < len && (src[si] === CR || src[si] === LF)) si++;
        if (si === len) throw new Base64SyntaxError(len);
        if (src[si] !== PAD) throw new Base64SyntaxError(si - 1);
        si++;
      }
      while (si < len && (src[si] === CR || src[si] === LF)) si++;
      if (si < len) throw new Base64SyntaxError(si);
      padded = true;
      break;
    }
    out[n++] = v >>> 16;
    if (j >= 3) out[n++] = (v >>> 8) & 0xff;
    if (j === 4) out[n++] = v & 0xff;
    if (padded) return n;
  }
}

/**
 * Go's `bytes.Compare` ordering (and so `sort.Strings` order of UTF-8 strings). An ordering, not
 * an equality test: compare secrets, MACs and key IDs with `constantTimeEqual` instead.
 * For atrest's own packages.
 *
 * @returns negative, zero or positive as `a` sorts before, with or after `b`
 */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
}

/**
 * The text of upstream's `utilerrors.NewAggregate(errs).Error()`: duplicate messages once, a
 * single message bare, several as `[a, b]`. For atrest's own packages.
 *
 * @param messages - the error texts, in order
 */
export function aggregateErrorText(messages: readonly string[]): string {
  const seen = [...new Set(messages)];
  return seen.length === 1 ? (seen[0] as string) : `[${seen.join(', ')}]`;
}
