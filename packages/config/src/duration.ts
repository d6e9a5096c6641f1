/**
 * Go `time.Duration` values as they appear in configuration files (`3s`, `1m30s`, `500ms`).
 *
 * A kms `timeout` is decoded upstream by `time.ParseDuration`; {@link parseGoDuration} accepts
 * and refuses exactly the same strings with the same error texts (`time: invalid duration "x"`,
 * `time: missing unit in duration "1"`, `time: unknown unit "d" in duration "1d"`), including
 * Go's overflow rules and its float rounding of fractions. Values keep nanosecond precision in a
 * `bigint`; {@link GoDuration.toString} prints them as Go's `Duration.String` does.
 *
 * @module
 */

const NANOS_PER_UNIT: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['\u00b5s', 1_000n], // micro sign
  ['\u03bcs', 1_000n], // Greek small letter mu
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

const TWO_POW_63 = 1n << 63n;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * A signed duration with nanosecond precision.
 *
 * @example
 * ```ts
 * import { parseGoDuration } from '@atrest/config';
 * const d = parseGoDuration('1m30s');
 * d.milliseconds; // 90000
 * String(d); // '1m30s'
 * ```
 */
export class GoDuration {
  /** Nanoseconds, within Go's int64 range. */
  readonly nanoseconds: bigint;

  /** @param nanoseconds - within int64 range */
  constructor(nanoseconds: bigint) {
    if (nanoseconds < -TWO_POW_63 || nanoseconds >= TWO_POW_63) throw new RangeError('duration out of int64 range');
    this.nanoseconds = nanoseconds;
    Object.freeze(this);
  }

  /** Whole milliseconds, truncated toward zero (for timers). */
  get milliseconds(): number {
    return Number(this.nanoseconds / 1_000_000n);
  }

  /** @returns Go's `Duration.String()` form: `3s`, `1m30s`, `1.5ms`, `0s` */
  toString(): string {
    return formatGoDuration(this.nanoseconds);
  }

  /** @returns the same as {@link GoDuration.toString}, so JSON holds `"3s"` */
  toJSON(): string {
    return this.toString();
  }
}

/** Thrown text of `time.ParseDuration`; {@link parseGoDuration} throws `Error`s with it. */
function goQuoteDuration(s: string): string {
  // time's own quote(): ASCII printable kept (with \ and " escaped); anything else as \x bytes.
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (cp >= 0x80 || cp < 0x20) {
      for (const b of encoder.encode(ch)) out += `\\x${b.toString(16).padStart(2, '0')}`;
    } else {
      if (ch === '"' || ch === '\\') out += '\\';
      out += ch;
    }
  }
  return `${out}"`;
}

/**
 * Parse a duration exactly as Go's `time.ParseDuration` does.
 *
 * @param text - e.g. `3s`, `-1.5h`, `1h2m3.5s`, `0`
 * @returns the duration
 * @throws Error with Go's exact message when `text` is not a duration
 * @example
 * ```ts
 * import { parseGoDuration } from '@atrest/config';
 * parseGoDuration('500ms').nanoseconds; // 500000000n
 * ```
 */
export function parseGoDuration(text: string): GoDuration {
  const invalid = (): Error => new Error(`time: invalid duration ${goQuoteDuration(text)}`);
  // Go works on bytes; so do we, so that multi-byte units (µs) and errors line up.
  const bytes = encoder.encode(text);
  let i = 0;
  let neg = false;
  if (bytes.length > 0 && (bytes[0] === 0x2d || bytes[0] === 0x2b)) {
    neg = bytes[0] === 0x2d;
    i = 1;
  }
  if (bytes.length - i === 1 && bytes[i] === 0x30) return new GoDuration(0n);
  if (i === bytes.length) throw invalid();
  const isDigit = (b: number | undefined): boolean => b !== undefined && b >= 0x30 && b <= 0x39;
  let total = 0n;
  while (i < bytes.length) {
    const c = bytes[i];
    if (!(c === 0x2e || isDigit(c))) throw invalid();
    // Integer part, with Go's overflow rule (x > 2^63/10 before multiplying, x > 2^63 after).
    let v = 0n;
    const startInt = i;
    while (isDigit(bytes[i])) {
      if (v > TWO_POW_63 / 10n) throw invalid();
      v = v * 10n + BigInt((bytes[i] as number) - 0x30);
      if (v > TWO_POW_63) throw invalid();
      i++;
    }
    const pre = i !== startInt;
    // Fraction: digits beyond int64 precision are skipped, as Go's leadingFraction does.
    let f = 0n;
    let scale = 1;
    let post = false;
    if (bytes[i] === 0x2e) {
      i++;
      const startFrac = i;
      let overflow = false;
      while (isDigit(bytes[i])) {
        if (!overflow) {
          if (f > (TWO_POW_63 - 1n) / 10n) overflow = true;
          else {
            const y = f * 10n + BigInt((bytes[i] as number) - 0x30);
            if (y > TWO_POW_63) overflow = true;
            else {
              f = y;
              scale *= 10;
            }
          }
        }
        i++;
      }
      post = i !== startFrac;
    }
    if (!pre && !post) throw invalid();
    const unitStart = i;
    while (i < bytes.length && !(bytes[i] === 0x2e || isDigit(bytes[i]))) i++;
    if (i === unitStart) throw new Error(`time: missing unit in duration ${goQuoteDuration(text)}`);
    const unitText = decoder.decode(bytes.subarray(unitStart, i));
    const unit = NANOS_PER_UNIT.get(unitText);
    if (unit === undefined) {
      throw new Error(`time: unknown unit ${goQuoteDuration(unitText)} in duration ${goQuoteDuration(text)}`);
    }
    if (v > TWO_POW_63 / unit) throw invalid();
    v *= unit;
    if (f > 0n) {
      // Go: v += uint64(float64(f) * (float64(unit) / scale)), float64 arithmetic and truncation.
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > TWO_POW_63) throw invalid();
    }
    total += v;
    if (total > TWO_POW_63) throw invalid();
  }
  if (neg) return new GoDuration(-total);
  if (total > TWO_POW_63 - 1n) throw invalid();
  return new GoDuration(total);
}

/**
 * Format nanoseconds as Go's `Duration.String()`.
 * @param ns - nanoseconds
 * @returns e.g. `1h2m3.5s`, `1.5ms`, `0s`
  * @example
 * ```ts
 * import { formatGoDuration, parseGoDuration } from '@atrest/config';
 * formatGoDuration(parseGoDuration('90s').nanoseconds); // '1m30s'
 * ```
 */
export function formatGoDuration(ns: bigint): string {
  const neg = ns < 0n;
  const u = neg ? -ns : ns;
  let out: string;
  if (u < 1_000_000_000n) {
    if (u === 0n) return '0s';
    if (u < 1_000n) out = `${u}ns`;
    else if (u < 1_000_000n) out = `${fraction(u, 3)}\u00b5s`;
    else out = `${fraction(u, 6)}ms`;
  } else {
    const seconds = fraction(u % 60_000_000_000n, 9);
    const totalMinutes = u / 60_000_000_000n;
    if (totalMinutes === 0n) out = `${seconds}s`;
    else {
      const minutes = totalMinutes % 60n;
      const hours = totalMinutes / 60n;
      out = hours > 0n ? `${hours}h${minutes}m${seconds}s` : `${minutes}m${seconds}s`;
    }
  }
  return neg ? `-${out}` : out;
}

/** `v / 10^prec` with trailing fractional zeros (and a bare point) removed. */
function fraction(v: bigint, prec: number): string {
  const div = 10n ** BigInt(prec);
  const whole = v / div;
  const frac = (v % div).toString().padStart(prec, '0').replace(/0+$/, '');
  return frac === '' ? `${whole}` : `${whole}.${frac}`;
}
