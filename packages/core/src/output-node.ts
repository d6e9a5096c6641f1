/**
 * What `output.ts` needs of the runtime on Node.js (the `default` branch of `#output-platform` in
 * package.json): marking result slabs untransferable, and `ATREST_POOLED_OUTPUT`. The browser
 * branch is `output-browser.ts`.
 * @module
 */
export { markAsUntransferable as markUntransferable } from 'node:worker_threads';

/** Pooled results unless `ATREST_POOLED_OUTPUT=0`. */
export function poolingFromEnvironment(): boolean {
  return process.env['ATREST_POOLED_OUTPUT'] !== '0';
}
