/**
 * Which backend providers use when none is given.
 *
 * The default is `native` when `@atrest/native` loaded (see {@link nativeStatus}), else `node`
 * (OpenSSL through node:crypto): `benchmarks/` measures both several times faster than `noble`
 * for AES. `ATREST_CRYPTO_BACKEND=native|node|noble` in the environment overrides it at load time;
 * {@link setDefaultBackend} overrides it in code.
 *
 * @module
 */
import type { CryptoBackend } from '../backend.js';
import { AtrestError, ErrorCode } from '../errors.js';
import { backendFromEnvironment, nativeStatus, runtimeBackends } from '#platform';
import { nobleBackend } from './noble.js';

/** Every backend of this runtime, fastest first: native and node on Node.js, noble everywhere. */
const ordered: readonly CryptoBackend[] = [...runtimeBackends(), nobleBackend];
const known: Readonly<Record<string, CryptoBackend>> = Object.freeze(Object.fromEntries(ordered.map((b) => [b.name, b])));

/**
 * The names of the backends available in this process, fastest first.
 * @example
 * ```ts
 * import { backendNames } from '@atrest/core';
 * backendNames(); // ['native', 'node', 'noble'], or ['node', 'noble'] without the addon
 * ```
 */
export function backendNames(): string[] {
  return Object.keys(known);
}

/**
 * The backends available in this process, fastest first: what a test suite should run on.
 * @example
 * ```ts
 * import { availableBackends } from '@atrest/core';
 * for (const backend of availableBackends()) console.log(backend.name, backend.description);
 * ```
 */
export function availableBackends(): CryptoBackend[] {
  return Object.values(known);
}

/**
 * Look a backend up by name.
 * @param name - `native`, `node` or `noble`
 * @throws AtrestError `ERR_INVALID_ARGUMENT` for an unknown name, or `native` when it did not load
 *   (the context's `reason` says why)
 * @example
 * ```ts
 * import { getBackend } from '@atrest/core';
 * getBackend('noble').name; // 'noble'
 * ```
 */
export function getBackend(name: string): CryptoBackend {
  const b = Object.hasOwn(known, name) ? known[name] : undefined;
  if (b) return b;
  if (name === 'native') {
    throw new AtrestError(ErrorCode.InvalidArgument, 'the native crypto backend is not available', {
      reason: nativeStatus().reason ?? 'unknown',
    });
  }
  throw new AtrestError(ErrorCode.InvalidArgument, `unknown crypto backend "${name}"`, { known: Object.keys(known).join('|') });
}

/**
 * The backend at load time, or the error a bad `ATREST_CRYPTO_BACKEND` gives. The error is thrown
 * at first use, not at import: importing a package must never throw (a CLI would print a stack
 * trace, a library user could not even catch it).
 */
function initial(): CryptoBackend | AtrestError {
  const env = backendFromEnvironment();
  if (!env) return ordered[0] as CryptoBackend;
  try {
    return getBackend(env);
  } catch (err) {
    const e = err as AtrestError;
    return new AtrestError(e.code, `ATREST_CRYPTO_BACKEND: ${e.message}; use native, node or noble, or unset it`, { ...e.context, variable: 'ATREST_CRYPTO_BACKEND' });
  }
}

let current: CryptoBackend | AtrestError = initial();

/**
 * The backend providers use when their options name none.
 * @throws AtrestError `ERR_INVALID_ARGUMENT` when `ATREST_CRYPTO_BACKEND` names no available backend
 * @example
 * ```ts
 * import { defaultBackend } from '@atrest/core';
 * defaultBackend().name; // 'native' when the addon is built, else 'node'
 * ```
 */
export function defaultBackend(): CryptoBackend {
  if (current instanceof AtrestError) throw current;
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
  const previous = current instanceof AtrestError ? (ordered[0] as CryptoBackend) : current;
  current = typeof backend === 'string' ? getBackend(backend) : backend;
  return previous;
}
