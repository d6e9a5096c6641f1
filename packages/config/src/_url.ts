/**
 * The parts of Go's `net/url.Parse` that endpoint validation depends on (internal).
 *
 * Upstream validates a kms `endpoint` with `url.Parse` and then compares the scheme with `unix`;
 * when parsing fails, the Go error text becomes part of the validation message
 * (`invalid endpoint for kms provider, error: parse "::": missing protocol scheme`). This module
 * reproduces which strings Go refuses, with which message, and the lower-cased scheme otherwise.
 * It works on UTF-8 bytes because Go does.
 *
 * @module
 */
import { goQuoteBytes } from '@atrest/core/go';

/** The outcome of {@link parseGoUrl}: the scheme, or Go's error text. */
export type GoUrlResult = { readonly ok: true; readonly scheme: string } | { readonly ok: false; readonly error: string };

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: false });

type Mode = 'host' | 'zone' | 'path' | 'userPassword' | 'fragment';

const isAlpha = (c: number): boolean => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isHex = (c: number | undefined): boolean =>
  c !== undefined && (isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46));
const unhex = (c: number): number => (isDigit(c) ? c - 0x30 : (c | 0x20) - 0x61 + 10);

function indexOf(b: Uint8Array, needle: number, from = 0): number {
  return b.indexOf(needle, from);
}
function lastIndexOf(b: Uint8Array, needle: number): number {
  return b.lastIndexOf(needle);
}
function startsWith(b: Uint8Array, s: string): boolean {
  for (let i = 0; i < s.length; i++) if (b[i] !== s.charCodeAt(i)) return false;
  return true;
}

class UrlError extends Error {}

function shouldEscape(c: number, mode: Mode): boolean {
  if (isAlpha(c) || isDigit(c)) return false;
  if (mode === 'host' || mode === 'zone') {
    if ('!$&\'()*+,;=:[]<>"'.includes(String.fromCharCode(c))) return false;
  }
  const ch = String.fromCharCode(c);
  if ('-_.~'.includes(ch)) return false;
  if ('$&+,/:;=?@'.includes(ch)) {
    switch (mode) {
      case 'path':
        return c === 0x3f;
      case 'userPassword':
        return ch === '@' || ch === '/' || ch === '?' || ch === ':';
      case 'fragment':
        return false;
      default:
        break;
    }
  }
  if (mode === 'fragment' && '!()*'.includes(ch)) return false;
  return true;
}

/** Go's `unescape` validity checks (the decoded value itself is not needed). */
function checkUnescape(s: Uint8Array, mode: Mode): void {
  for (let i = 0; i < s.length; ) {
    const c = s[i] as number;
    if (c === 0x25) {
      if (i + 2 >= s.length || !isHex(s[i + 1]) || !isHex(s[i + 2])) {
        const bad = s.subarray(i, Math.min(i + 3, s.length));
        throw new UrlError(`invalid URL escape ${goQuoteBytes(bad)}`);
      }
      const hi = unhex(s[i + 1] as number);
      const isPct25 = s[i + 1] === 0x32 && s[i + 2] === 0x35;
      if (mode === 'host' && hi < 8 && !isPct25) {
        throw new UrlError(`invalid URL escape ${goQuoteBytes(s.subarray(i, i + 3))}`);
      }
      if (mode === 'zone') {
        const v = (hi << 4) | unhex(s[i + 2] as number);
        if (!isPct25 && v !== 0x20 && shouldEscape(v, 'host')) {
          throw new UrlError(`invalid URL escape ${goQuoteBytes(s.subarray(i, i + 3))}`);
        }
      }
      i += 3;
    } else {
      if ((mode === 'host' || mode === 'zone') && c < 0x80 && shouldEscape(c, mode)) {
        throw new UrlError(`invalid character ${goQuoteBytes(s.subarray(i, i + 1))} in host name`);
      }
      i++;
    }
  }
}

function indexOfPct25(b: Uint8Array): number {
  for (let i = 0; i + 2 < b.length; i++) if (b[i] === 0x25 && b[i + 1] === 0x32 && b[i + 2] === 0x35) return i;
  return -1;
}

function validOptionalPort(port: Uint8Array): boolean {
  if (port.length === 0) return true;
  if (port[0] !== 0x3a) return false;
  for (let i = 1; i < port.length; i++) if (!isDigit(port[i] as number)) return false;
  return true;
}

function parseHost(host: Uint8Array): void {
  if (host[0] === 0x5b) {
    const i = lastIndexOf(host, 0x5d);
    if (i < 0) throw new UrlError("missing ']' in host");
    const colonPort = host.subarray(i + 1);
    if (!validOptionalPort(colonPort)) throw new UrlError(`invalid port ${goQuoteBytes(colonPort)} after host`);
    const zoneAt = indexOfPct25(host.subarray(0, i));
    if (zoneAt >= 0) {
      checkUnescape(host.subarray(0, zoneAt), 'host');
      checkUnescape(host.subarray(zoneAt, i), 'zone');
      checkUnescape(host.subarray(i), 'host');
      return;
    }
  } else {
    const i = lastIndexOf(host, 0x3a);
    if (i !== -1) {
      const colonPort = host.subarray(i);
      if (!validOptionalPort(colonPort)) throw new UrlError(`invalid port ${goQuoteBytes(colonPort)} after host`);
    }
  }
  checkUnescape(host, 'host');
}

function validUserinfo(s: Uint8Array): boolean {
  for (const c of s) {
    if (isAlpha(c) || isDigit(c)) continue;
    if ("-._:~!$&'()*+,;=%@".includes(String.fromCharCode(c)) && c < 0x80) continue;
    return false;
  }
  return true;
}

function parseAuthority(authority: Uint8Array): void {
  const i = lastIndexOf(authority, 0x40);
  parseHost(i < 0 ? authority : authority.subarray(i + 1));
  if (i < 0) return;
  const userinfo = authority.subarray(0, i);
  if (!validUserinfo(userinfo)) throw new UrlError('net/url: invalid userinfo');
  const colon = indexOf(userinfo, 0x3a);
  if (colon < 0) checkUnescape(userinfo, 'userPassword');
  else {
    checkUnescape(userinfo.subarray(0, colon), 'userPassword');
    checkUnescape(userinfo.subarray(colon + 1), 'userPassword');
  }
}

function getScheme(raw: Uint8Array): { scheme: Uint8Array; rest: Uint8Array } {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as number;
    if (isAlpha(c)) continue;
    if (isDigit(c) || c === 0x2b || c === 0x2d || c === 0x2e) {
      if (i === 0) return { scheme: new Uint8Array(0), rest: raw };
      continue;
    }
    if (c === 0x3a) {
      if (i === 0) throw new UrlError('missing protocol scheme');
      return { scheme: raw.subarray(0, i), rest: raw.subarray(i + 1) };
    }
    return { scheme: new Uint8Array(0), rest: raw };
  }
  return { scheme: new Uint8Array(0), rest: raw };
}

function parse(raw: Uint8Array): string {
  for (const b of raw) if (b < 0x20 || b === 0x7f) throw new UrlError('net/url: invalid control character in URL');
  if (raw.length === 1 && raw[0] === 0x2a) return '';
  const { scheme: schemeBytes, rest: afterScheme } = getScheme(raw);
  const scheme = dec.decode(schemeBytes).toLowerCase();
  let rest = afterScheme;
  const q = indexOf(rest, 0x3f);
  if (q >= 0) rest = rest.subarray(0, q); // the query is not validated by Parse
  if (rest[0] !== 0x2f) {
    if (scheme !== '') return scheme; // opaque
    const slash = indexOf(rest, 0x2f);
    const segment = slash < 0 ? rest : rest.subarray(0, slash);
    if (indexOf(segment, 0x3a) >= 0) throw new UrlError('first path segment in URL cannot contain colon');
  }
  if ((scheme !== '' || !startsWith(rest, '///')) && startsWith(rest, '//')) {
    let authority = rest.subarray(2);
    let path: Uint8Array = new Uint8Array(0);
    const slash = indexOf(authority, 0x2f);
    if (slash >= 0) {
      path = authority.subarray(slash);
      authority = authority.subarray(0, slash);
    }
    parseAuthority(authority);
    rest = path;
  }
  checkUnescape(rest, 'path');
  return scheme;
}

/**
 * Parse a URL the way Go's `url.Parse` does, reporting the scheme or Go's error text.
 *
 * @param rawUrl - the endpoint text
 * @returns `{ ok: true, scheme }` (lower-cased, possibly empty) or `{ ok: false, error }` where
 *   `error` is Go's `*url.Error` text (`parse "::": missing protocol scheme`)
 */
export function parseGoUrl(rawUrl: string): GoUrlResult {
  const all = enc.encode(rawUrl);
  const hash = indexOf(all, 0x23);
  const u = hash < 0 ? all : all.subarray(0, hash);
  let scheme: string;
  try {
    scheme = parse(u);
  } catch (err) {
    if (err instanceof UrlError) return { ok: false, error: `parse ${goQuoteBytes(u)}: ${err.message}` };
    throw err;
  }
  if (hash >= 0) {
    const frag = all.subarray(hash + 1);
    if (frag.length > 0) {
      try {
        checkUnescape(frag, 'fragment');
      } catch (err) {
        if (err instanceof UrlError) return { ok: false, error: `parse ${goQuoteBytes(all)}: ${err.message}` };
        throw err;
      }
    }
  }
  return { ok: true, scheme };
}
