/**
 * Errors the AES-GCM transformers raise, with upstream's exact texts and context that names the
 * provider and key but never carries key bytes or plaintext.
 * @module
 */
import { AtrestError, ErrorCode } from '@atrest/core';
import type { ProviderLabel } from '@atrest/core/internal';

/** Which provider (and, inside a provider, which key) an error comes from. */
export type Label = ProviderLabel;

/** Upstream's text for a payload shorter than the format's fixed header. */
export const TOO_SHORT = 'the stored data was shorter than the required size';
/** Upstream's text (Go's `crypto/cipher`) for a failed GCM open. */
export const AUTH_FAILED = 'cipher: message authentication failed';

/** `ERR_TOO_SHORT` for a payload of `length` bytes where `minimum` are needed. */
export function tooShort(label: Label, length: number, minimum: number): AtrestError {
  return new AtrestError(ErrorCode.TooShort, TOO_SHORT, { ...label, length, minimum });
}

/** `ERR_AUTHENTICATION` for a GCM open that failed (wrong key, wrong etcd key, tampered, short tag). */
export function authFailed(label: Label, length: number): AtrestError {
  return new AtrestError(ErrorCode.Authentication, AUTH_FAILED, { ...label, length });
}
