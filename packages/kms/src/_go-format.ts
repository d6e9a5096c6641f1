/**
 * Small renderings of Go values that upstream's KMS v2 messages contain: the key-ID hash
 * (`GetHashIfNotEmpty`), RFC 3339 timestamps and request UIDs (`%q` is `goQuote` from `@atrest/core/go`).
 *
 * Key IDs are not secret, but upstream logs and reports only their SHA-256, never the ID itself;
 * we do the same.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { CryptoBackend } from '@atrest/core';

/** Upstream's `GetHashIfNotEmpty`: `sha256:<hex>` of the key ID, or `''` for an empty one. */
export function keyIDHash(keyID: string): string {
  return keyID.length === 0 ? '' : `sha256:${createHash('sha256').update(keyID, 'utf8').digest('hex')}`;
}

/** Go's `time.Format(time.RFC3339)` in UTC; `undefined` renders Go's zero time. */
export function rfc3339(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '0001-01-01T00:00:00Z';
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A random (version 4) UUID from the backend's CSPRNG, as upstream's per-request `uid`. */
export function newUID(backend: CryptoBackend): string {
  const b = backend.randomBytes(16);
  b[6] = ((b[6] as number) & 0x0f) | 0x40;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  let hex = '';
  for (const x of b) hex += x.toString(16).padStart(2, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
