/**
 * The reference plugin's key-encryption-key file.
 *
 * Format: UTF-8 text, one KEK per line as `NAME: BASE64`, where BASE64 is 32 random bytes
 * (`atrest keygen` makes one). Blank lines and lines starting with `#` are ignored. The FIRST key
 * encrypts; every key decrypts. To rotate: put a new key first and keep the old ones below it
 * until nothing needs them.
 *
 * ```
 * # newest first
 * kek-2: 3q2+7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
 * kek-1: 8qHrHtbOp0sQeMiJ0GQfX+ihuLciDQuJ+gmTetISHDs=
 * ```
 *
 * A KEK's key ID is `NAME:` followed by the first 16 hex digits of
 * SHA-256("atrest-kek-id\0" || key): stable, distinct per key, and revealing nothing usable about it.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { AtrestError, ErrorCode, SecretBytes } from '@atrest/core';

/** One key-encryption key. */
export interface Kek {
  readonly name: string;
  /** The key ID the plugin reports for this KEK. */
  readonly keyID: string;
  readonly key: SecretBytes;
}

const LINE = /^([A-Za-z0-9][A-Za-z0-9._-]{0,62}):\s*([A-Za-z0-9+/]+={0,2})\s*$/;

/**
 * Parse a KEK file's text.
 *
 * @param text - the file's contents
 * @param source - file name for messages
 * @returns the KEKs, first = active
 * @throws AtrestError `ERR_INVALID_KEY` naming the line (never its key), for a malformed line, a
 *   key that is not 32 bytes, a repeated name, or a file without keys
 * @example
 * ```ts
 * import { parseKekFile } from '@atrest/kms-grpc';
 * const [active] = parseKekFile('kek-1: ' + Buffer.alloc(32, 1).toString('base64') + '\n', 'kek.txt');
 * active?.keyID; // 'kek-1:...'
 * ```
 */
export function parseKekFile(text: string, source: string): Kek[] {
  const keks: Kek[] = [];
  const names = new Set<string>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = { file: source, line: i + 1 };
    const m = LINE.exec(line);
    if (!m) throw new AtrestError(ErrorCode.InvalidKey, 'KEK file line is not "NAME: BASE64KEY"', where);
    const [, name, b64] = m as unknown as [string, string, string];
    const key = Buffer.from(b64, 'base64');
    if (key.length !== 32) {
      key.fill(0);
      throw new AtrestError(ErrorCode.InvalidKey, `KEK "${name}" must be 32 bytes, got ${key.length}`, { ...where, key: name });
    }
    if (names.has(name)) throw new AtrestError(ErrorCode.InvalidKey, `KEK name "${name}" is repeated`, { ...where, key: name });
    names.add(name);
    const digest = createHash('sha256').update('atrest-kek-id\0').update(key).digest('hex').slice(0, 16);
    keks.push({ name, keyID: `${name}:${digest}`, key: new SecretBytes(key) });
    key.fill(0);
  });
  if (keks.length === 0) throw new AtrestError(ErrorCode.InvalidKey, 'KEK file holds no keys', { file: source });
  return keks;
}
