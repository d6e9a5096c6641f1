/**
 * What `output.ts` needs of the runtime in a browser (the `browser` branch of `#output-platform`):
 * slabs are not marked (`postMessage` with a transfer list naming a slab's buffer would detach it,
 * so browser code copies results it sends to workers), and there is no environment.
 * @module
 */
/** Nothing to mark in a browser. */
export function markUntransferable(_buffer: ArrayBuffer): void {}

/** Pooled results (browsers have no environment variables). */
export function poolingFromEnvironment(): boolean {
  return true;
}
