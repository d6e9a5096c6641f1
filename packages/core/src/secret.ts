/**
 * A container for key material that will not print itself.
 *
 * `String(key)`, `JSON.stringify(key)` and `util.inspect(key)` all show only the length. The bytes
 * are reachable through {@link SecretBytes.expose} alone, so an accidental log line cannot leak them.
 *
 * @module
 */
import { copyBytes } from './bytes.js';

const inspect = Symbol.for('nodejs.util.inspect.custom');

/**
 * Key bytes that redact themselves.
 *
 * @example
 * ```ts
 * import { SecretBytes } from '@atrest/core';
 * const k = new SecretBytes(new Uint8Array(32));
 * String(k); // 'SecretBytes(32 bytes, redacted)'
 * k.expose().length; // 32
 * ```
 */
export class SecretBytes {
  readonly #bytes: Uint8Array;

  /** @param bytes - copied; the caller may wipe its own copy afterwards */
  constructor(bytes: Uint8Array) {
    this.#bytes = copyBytes(bytes);
  }

  /** Number of bytes. */
  get length(): number {
    return this.#bytes.length;
  }

  /** The bytes themselves. Do not log, store or return them to untrusted code. */
  expose(): Uint8Array {
    return this.#bytes;
  }

  /** Overwrite the bytes with zeros. */
  wipe(): void {
    this.#bytes.fill(0);
  }

  /** @returns a redacted description */
  toString(): string {
    return `SecretBytes(${this.#bytes.length} bytes, redacted)`;
  }

  /** @returns a redacted description, so JSON never carries the key */
  toJSON(): string {
    return this.toString();
  }

  /** @returns a redacted description for `util.inspect` / `console.log` */
  [inspect](): string {
    return this.toString();
  }
}
