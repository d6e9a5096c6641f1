/**
 * The AES-GCM payload shared by every GCM transformer here: `nonce(12) || ciphertext || tag(16)`,
 * optionally preceded by a format header (KMS v2's 32-byte HKDF info). Reading and writing in one
 * place keeps the checks in upstream's order and each stored value in a single allocation:
 * `chain header (prefixes) || format header || nonce || ciphertext || tag`.
 * @module
 */
import { wipe } from '@atrest/core';
import { allocOutput, checkOut } from '@atrest/core/internal';
import { authFailed, type Label, tooShort } from './_errors.js';

/** GCM nonce size; every stored value depends on it. */
export const NONCE_SIZE = 12;
/** GCM tag size. */
export const TAG_SIZE = 16;

/** Something that opens `data[at..]` (a cipher bound to its key). */
export interface Opener {
  openAt(data: Uint8Array, at: number, aad: Uint8Array): Uint8Array | null;
  openInto?(data: Uint8Array, at: number, aad: Uint8Array, out: Uint8Array): boolean;
}

/**
 * Open the payload that starts at `data[base]`: a `formatHeader`-byte header (0, or KMS v2's info),
 * then nonce, ciphertext and tag. Upstream checks only that header and nonce are present; a short
 * tag is an authentication failure. Error lengths are the payload's (what upstream saw).
 * @throws AtrestError `ERR_TOO_SHORT`, `ERR_AUTHENTICATION`
 */
export function openPayload(cipher: Opener, data: Uint8Array, base: number, formatHeader: number, aad: Uint8Array, label: Label): Uint8Array {
  const length = data.length - base;
  if (length < formatHeader + NONCE_SIZE) throw tooShort(label, length, formatHeader + NONCE_SIZE);
  const plaintext = cipher.openAt(data, base, aad);
  if (plaintext === null) throw authFailed(label, length);
  return plaintext;
}

/**
 * Allocate a whole stored value once, `chainHeader` already copied in: room follows for
 * `formatHeader` bytes, the nonce, the ciphertext and the tag. The caller fills the random parts
 * at `chainHeader.length`, then seals there.
 */
export function allocPayload(chainHeader: Uint8Array, formatHeader: number, plaintextLength: number): Uint8Array {
  const out = allocOutput('stored', chainHeader.length + formatHeader + NONCE_SIZE + plaintextLength + TAG_SIZE);
  out.set(chainHeader, 0);
  return out;
}

/**
 * {@link openPayload} into caller memory: the plaintext is written to `out[0, n)` and that view
 * returned. On an authentication failure `out[0, n)` is zeroed before the error is thrown.
 * @throws AtrestError `ERR_TOO_SHORT`, `ERR_AUTHENTICATION`, `ERR_INVALID_ARGUMENT` (`out`)
 */
export function openPayloadInto(cipher: Opener, data: Uint8Array, base: number, formatHeader: number, aad: Uint8Array, label: Label, out: Uint8Array): Uint8Array {
  const length = data.length - base;
  if (length < formatHeader + NONCE_SIZE) throw tooShort(label, length, formatHeader + NONCE_SIZE);
  const n = length - formatHeader - NONCE_SIZE - TAG_SIZE;
  if (n < 0) throw authFailed(label, length);
  checkOut(out, n, data, 'data');
  const view = out.subarray(0, n);
  if (cipher.openInto !== undefined) {
    // The backend zeroes view when the tag does not verify.
    if (!cipher.openInto(data, base, aad, view)) throw authFailed(label, length);
    return view;
  }
  const plaintext = cipher.openAt(data, base, aad);
  if (plaintext === null) {
    wipe(view);
    throw authFailed(label, length);
  }
  view.set(plaintext, 0);
  wipe(plaintext);
  return view;
}

/**
 * A whole stored value's room in caller memory (`out`, checked), `chainHeader` copied in: the
 * {@link allocPayload} of the hot-loop API. Returns the view the value fills exactly.
 * @throws AtrestError `ERR_INVALID_ARGUMENT` (`out`)
 */
export function payloadIn(out: Uint8Array, chainHeader: Uint8Array, formatHeader: number, plaintext: Uint8Array): Uint8Array {
  const needed = chainHeader.length + formatHeader + NONCE_SIZE + plaintext.length + TAG_SIZE;
  checkOut(out, needed, plaintext, 'plaintext');
  const view = out.subarray(0, needed);
  view.set(chainHeader, 0);
  return view;
}
