/**
 * Base64 decoding with Go's `base64.StdEncoding.DecodeString` rules (internal).
 *
 * Upstream validates and decodes key secrets with Go's standard decoder. Node's
 * `Buffer.from(s, 'base64')` is far more lenient (it accepts the URL-safe alphabet, missing
 * padding and stray characters), so it would accept secrets kube-apiserver refuses. Go's rules:
 *
 * - alphabet `A-Z a-z 0-9 + /`, padding `=` required up to a multiple of 4 characters;
 * - carriage returns and line feeds are skipped wherever they appear;
 * - nothing may follow the padding;
 * - unused low bits of the last character need not be zero (Go's decoder is not "strict").
 *
 * Works on bytes so secrets need not become JavaScript strings.
 *
 * @module
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Int16Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;
const PAD = 0x3d;
const CR = 0x0d;
const LF = 0x0a;

/**
 * Decode standard base64 as Go's `base64.StdEncoding.DecodeString` does.
 *
 * @param text - the base64 text as bytes (ASCII)
 * @returns the decoded bytes, or `undefined` when Go would report `illegal base64 data`
 */
export function decodeStdBase64(text: Uint8Array): Uint8Array | undefined {
  // Collect significant characters (skipping CR/LF, as Go does).
  const chars = new Uint8Array(text.length);
  let n = 0;
  for (const b of text) if (b !== CR && b !== LF) chars[n++] = b;
  try {
    if (n % 4 !== 0) return undefined;
    const out = new Uint8Array((n / 4) * 3);
    let o = 0;
    for (let i = 0; i < n; i += 4) {
      const last = i + 4 === n;
      const c0 = chars[i] as number;
      const c1 = chars[i + 1] as number;
      const c2 = chars[i + 2] as number;
      const c3 = chars[i + 3] as number;
      const v0 = DECODE[c0] as number;
      const v1 = DECODE[c1] as number;
      if (v0 < 0 || v1 < 0) return undefined;
      if (c2 === PAD) {
        // "xx==": one byte; only allowed in the final quantum.
        if (!last || c3 !== PAD) return undefined;
        out[o++] = (v0 << 2) | (v1 >> 4);
        break;
      }
      const v2 = DECODE[c2] as number;
      if (v2 < 0) return undefined;
      if (c3 === PAD) {
        if (!last) return undefined;
        out[o++] = (v0 << 2) | (v1 >> 4);
        out[o++] = ((v1 & 0x0f) << 4) | (v2 >> 2);
        break;
      }
      const v3 = DECODE[c3] as number;
      if (v3 < 0) return undefined;
      out[o++] = (v0 << 2) | (v1 >> 4);
      out[o++] = ((v1 & 0x0f) << 4) | (v2 >> 2);
      out[o++] = ((v2 & 0x03) << 6) | v3;
    }
    const result = out.slice(0, o);
    out.fill(0);
    return result;
  } finally {
    chars.fill(0);
  }
}
