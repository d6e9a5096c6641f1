/**
 * Go's `strconv.Quote` (internal), for error texts that upstream renders with `%q`.
 *
 * Works on the UTF-8 bytes of the string, as Go strings are bytes: printable runes are kept,
 * `"` and `\` are escaped, control characters use `\a \b \f \n \r \t \v` or `\xNN`, other
 * non-printable runes `\uNNNN` / `\UNNNNNNNN`, and invalid UTF-8 bytes `\xNN`.
 *
 * @module
 */

// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const SHORT_ESCAPES: ReadonlyMap<number, string> = new Map([
  [0x07, '\\a'],
  [0x08, '\\b'],
  [0x0c, '\\f'],
  [0x0a, '\\n'],
  [0x0d, '\\r'],
  [0x09, '\\t'],
  [0x0b, '\\v'],
]);

const hex = (v: number, width: number): string => v.toString(16).padStart(width, '0');

/**
 * Quote bytes as Go's `strconv.Quote` would quote the same Go string.
 * @param bytes - the string's bytes
 * @returns the double-quoted form
 */
export function goQuoteBytes(bytes: Uint8Array): string {
  let out = '"';
  let i = 0;
  while (i < bytes.length) {
    const [cp, width] = decodeRune(bytes, i);
    if (cp < 0) {
      out += `\\x${hex(bytes[i] as number, 2)}`;
      i += 1;
      continue;
    }
    i += width;
    const ch = String.fromCodePoint(cp);
    if (cp === 0x22 || cp === 0x5c) out += `\\${ch}`;
    else if (PRINTABLE.test(ch)) out += ch;
    else if (SHORT_ESCAPES.has(cp)) out += SHORT_ESCAPES.get(cp) as string;
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${hex(cp, 2)}`;
    else if (cp < 0x10000) out += `\\u${hex(cp, 4)}`;
    else out += `\\U${hex(cp, 8)}`;
  }
  return `${out}"`;
}

/**
 * Quote a JavaScript string as Go's `strconv.Quote` quotes its UTF-8 encoding.
 * @param text - the string
 */
export function goQuote(text: string): string {
  return goQuoteBytes(new TextEncoder().encode(text));
}

/** Decode one UTF-8 rune at `i`: [code point, width], or [-1, 1] for an invalid sequence. */
function decodeRune(b: Uint8Array, i: number): [number, number] {
  const b0 = b[i] as number;
  if (b0 < 0x80) return [b0, 1];
  const cont = (k: number): number => {
    const v = b[i + k];
    return v !== undefined && (v & 0xc0) === 0x80 ? v & 0x3f : -1;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    const c1 = cont(1);
    return c1 < 0 ? [-1, 1] : [((b0 & 0x1f) << 6) | c1, 2];
  }
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const c1 = cont(1);
    const c2 = cont(2);
    if (c1 < 0 || c2 < 0) return [-1, 1];
    const cp = ((b0 & 0x0f) << 12) | (c1 << 6) | c2;
    if (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)) return [-1, 1];
    return [cp, 3];
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const c1 = cont(1);
    const c2 = cont(2);
    const c3 = cont(3);
    if (c1 < 0 || c2 < 0 || c3 < 0) return [-1, 1];
    const cp = ((b0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3;
    if (cp < 0x10000 || cp > 0x10ffff) return [-1, 1];
    return [cp, 4];
  }
  return [-1, 1];
}
