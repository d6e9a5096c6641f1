/**
 * Standard base64 (RFC 4648 section 4, `+/` alphabet, `=` padding) as Go's
 * `base64.StdEncoding` does it, for the Base64 mock plugins.
 *
 * Why not `Buffer.from(s, 'base64')`: Node's decoder silently skips characters outside the
 * alphabet and accepts missing padding, while Go's rejects them with
 * `illegal base64 data at input byte N`. The mock must fail exactly where upstream's fails, so a
 * corrupt wrapped DEK reads back with upstream's error text. Like Go, `\r` and `\n` are ignored
 * and non-zero trailing bits are accepted.
 *
 * @module
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const CR = 0x0d;
const LF = 0x0a;
const PAD = 0x3d;

const DECODE = new Int16Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/** Thrown by {@link base64Decode}; `offset` is the input byte Go reports. */
export class Base64SyntaxError extends Error {
  /** Zero-based offset of the offending input byte. */
  readonly offset: number;
  /** @param offset - offset of the offending byte */
  constructor(offset: number) {
    super(`illegal base64 data at input byte ${offset}`);
    this.name = 'Base64SyntaxError';
    this.offset = offset;
  }
}

/**
 * Encode bytes as padded standard base64 text, returned as ASCII bytes.
 * @param data - bytes to encode
 * @returns the base64 text's bytes
 */
export function base64Encode(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.length / 3) * 4);
  let o = 0;
  let i = 0;
  for (; i + 2 < data.length; i += 3) {
    const n = ((data[i] as number) << 16) | ((data[i + 1] as number) << 8) | (data[i + 2] as number);
    out[o++] = ALPHABET.charCodeAt(n >>> 18);
    out[o++] = ALPHABET.charCodeAt((n >>> 12) & 63);
    out[o++] = ALPHABET.charCodeAt((n >>> 6) & 63);
    out[o++] = ALPHABET.charCodeAt(n & 63);
  }
  const rest = data.length - i;
  if (rest > 0) {
    const n = ((data[i] as number) << 16) | (rest === 2 ? (data[i + 1] as number) << 8 : 0);
    out[o++] = ALPHABET.charCodeAt(n >>> 18);
    out[o++] = ALPHABET.charCodeAt((n >>> 12) & 63);
    out[o++] = rest === 2 ? ALPHABET.charCodeAt((n >>> 6) & 63) : PAD;
    out[o++] = PAD;
  }
  return out;
}

/**
 * Decode padded standard base64 text with Go's strictness.
 * @param src - base64 text as bytes
 * @returns the decoded bytes
 * @throws Base64SyntaxError at the first byte Go would reject
 */
export function base64Decode(src: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.floor(src.length / 4) * 3 + 3);
  let n = 0;
  let si = 0;
  const len = src.length;
  for (;;) {
    const quantum = [0, 0, 0, 0];
    let j = 0;
    let padded = false;
    while (j < 4) {
      if (si === len) {
        if (j === 0) return out.slice(0, n);
        throw new Base64SyntaxError(si - j);
      }
      const c = src[si] as number;
      si++;
      if (c === CR || c === LF) continue;
      const v = DECODE[c] as number;
      if (v >= 0) {
        quantum[j++] = v;
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
    const v = (quantum[0] as number) << 18 | (quantum[1] as number) << 12 | (quantum[2] as number) << 6 | (quantum[3] as number);
    out[n++] = v >>> 16;
    if (j >= 3) out[n++] = (v >>> 8) & 0xff;
    if (j === 4) out[n++] = v & 0xff;
    if (padded) return out.slice(0, n);
  }
}
