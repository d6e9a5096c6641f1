/**
 * What core needs of the runtime, in a browser (the `browser` branch of the `#platform` import in
 * package.json, which bundlers such as esbuild pick with `--platform=browser`): no `node:` module
 * and no `process`. Crypto runs on the portable `noble` backend with Web Crypto's
 * `getRandomValues`; `nodeBackend` and `nativeBackend` exist for the API's shape and say plainly
 * that this runtime has neither.
 * @module
 */
import type { CryptoBackend } from './backend.js';
import type { NativeStatus } from './backends/native.js';
import { AtrestError, ErrorCode } from './errors.js';

export type { NativeStatus } from './backends/native.js';

const unavailable = (): never => {
  throw new AtrestError(ErrorCode.InvalidArgument, 'the node crypto backend needs Node.js (node:crypto); in a browser atrest uses the noble backend', { backend: 'node' });
};

/** Not available in a browser: every use throws a typed error. */
export const nodeBackend: CryptoBackend = Object.freeze({
  name: 'node',
  description: 'not available in this runtime',
  aesGcm: unavailable,
  aesCbc: unavailable,
  hkdfAesGcm: unavailable,
  hmacSha256: unavailable,
  randomBytes: unavailable,
  randomFill: unavailable,
});

/** Never available in a browser. */
export const nativeBackend: CryptoBackend | null = null;

/** Why the native backend is unavailable. */
export function nativeStatus(): NativeStatus {
  return { available: false, reason: 'not available in a browser' };
}

/** No runtime backends: `noble` is the one. */
export function runtimeBackends(): CryptoBackend[] {
  return [];
}

/** Browsers have no environment variables. */
export function backendFromEnvironment(): string | undefined {
  return undefined;
}
