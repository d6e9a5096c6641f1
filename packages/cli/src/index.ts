/**
 * `@atrest/cli`: the `atrest` command, also callable in process.
 *
 * @example
 * ```ts
 * import { main } from '@atrest/cli';
 * const code = await main(['version']);
 * ```
 * @module
 */
export { main, usage } from './main.js';
export type { CliIO } from './_io.js';
export { processIO } from './_io.js';
