/**
 * Rendering of `metav1.Time` as Kubernetes does in JSON: RFC 3339 in UTC, seconds precision
 * (`2025-03-03T09:24:31Z`); the protobuf form also carries nanoseconds, which JSON drops.
 *
 * @module
 */
import { invalidObject } from './_errors.js';

/** Seconds range JavaScript dates cover (±8.64e15 ms). */
const MAX_SECONDS = 8_640_000_000_000n;

/**
 * RFC 3339 text of a Unix time.
 * @internal
 */
export function rfc3339(seconds: bigint, path: string): string {
  checkSeconds(seconds, path);
  return new Date(Number(seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The range check of {@link rfc3339} alone (within it, rendering cannot fail).
 * @internal
 */
export function checkSeconds(seconds: bigint, path: string): void {
  if (seconds > MAX_SECONDS || seconds < -MAX_SECONDS) {
    throw invalidObject(`timestamp out of range in ${path}`, { field: path, seconds: seconds.toString() });
  }
}
