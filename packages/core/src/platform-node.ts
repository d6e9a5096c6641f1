/**
 * What core needs of the runtime, on Node.js (the `default` branch of the `#platform` import in
 * package.json): the `node` backend (node:crypto), the `native` backend (`@atrest/native`, when
 * installed) and the `ATREST_CRYPTO_BACKEND` variable. The browser branch is `platform-browser.ts`.
 * @module
 */
import type { CryptoBackend } from './backend.js';
import { nativeBackend } from './backends/native.js';
import { nodeBackend } from './backends/node.js';

export { nativeBackend, nativeStatus, type NativeStatus } from './backends/native.js';
export { nodeBackend } from './backends/node.js';

/** The runtime's own backends, fastest first (the portable `noble` comes after them). */
export function runtimeBackends(): CryptoBackend[] {
  return nativeBackend === null ? [nodeBackend] : [nativeBackend, nodeBackend];
}

/** The backend `ATREST_CRYPTO_BACKEND` names, if set. */
export function backendFromEnvironment(): string | undefined {
  return typeof process === 'object' ? process.env?.['ATREST_CRYPTO_BACKEND'] || undefined : undefined;
}
