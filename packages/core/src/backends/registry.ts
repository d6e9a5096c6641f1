/**
 * Which backend providers use when none is given.
 *
 * The default on Node is `node` (OpenSSL): `benchmarks/` measures it several times faster than
 * `noble` for AES at every size we test. `ATREST_CRYPTO_BACKEND=noble|node` in the environment
 * overrides it at load time; {@link setDefaultBackend} overrides it in code.
 *
 * @module
 */
import type { CryptoBackend } from '../backend.js';
import { AtrestError, ErrorCode } from '../errors.js';
import { nobleBackend } from './noble.js';
import { nodeBackend } from './node.js';

const known: Readonly<Record<string, CryptoBackend>> = Object.freeze({ node: nodeBackend, noble: nobleBackend });

/**
 * The backends built into core, by name.
 * @example
 * ```ts
 * import { backendNames } from '@atrest/core';
 * backendNames(); // ['node', 'noble']
 * ```
 */
export function backendNames(): string[] {
  return Object.keys(known);
}

/**
 * Look a backend up by name.
 * @param name - `node` or `noble`
 * @throws AtrestError `ERR_INVALID_ARGUMENT` for an unknown name
 * @example
 * ```ts
 * import { getBackend } from '@atrest/core';
 * getBackend('noble').name; // 'noble'
 * ```
 */
export function getBackend(name: string): CryptoBackend {
  const b = Object.hasOwn(known, name) ? known[name] : undefined;
  if (!b) {
    throw new AtrestError(ErrorCode.InvalidArgument, `unknown crypto backend "${name}"`, {
      known: Object.keys(known).join('|'),
    });
  }
  return b;
}

function initial(): CryptoBackend {
  const env = typeof process === 'object' ? process.env?.['ATREST_CRYPTO_BACKEND'] : undefined;
  return env ? getBackend(env) : nodeBackend;
}

let current: CryptoBackend = initial();

/**
 * The backend providers use when their options name none.
 * @example
 * ```ts
 * import { defaultBackend } from '@atrest/core';
 * defaultBackend().name; // 'node' unless ATREST_CRYPTO_BACKEND says otherwise
 * ```
 */
export function defaultBackend(): CryptoBackend {
  return current;
}

/**
 * Replace the default backend for providers created afterwards.
 * @param backend - a backend object or a built-in name
 * @returns the previous default
 * @example
 * ```ts
 * import { setDefaultBackend } from '@atrest/core';
 * const previous = setDefaultBackend('noble');
 * setDefaultBackend(previous);
 * ```
 */
export function setDefaultBackend(backend: CryptoBackend | string): CryptoBackend {
  const previous = current;
  current = typeof backend === 'string' ? getBackend(backend) : backend;
  return previous;
}
