/**
 * Upstream's `ValidateKeyID` (kmsv2 envelope), the one check of a KMS v2 key ID, used both where a
 * stored `EncryptedObject` is validated and where a plugin's Status answer is checked. Keeping one
 * copy keeps the two texts and limits from drifting apart.
 *
 * @module
 */
import { utf8 } from '@atrest/core';
import { isWellFormed } from './_well-formed.js';

/** Upstream's `KeyIDMaxSize`: a key ID is at most 1 KiB of UTF-8. */
export const KEY_ID_MAX_SIZE = 1024;

/** Why a key ID is refused: upstream's text, and the UTF-8 size for the error context. */
export interface KeyIDProblem {
  readonly message: string;
  readonly size: number;
}

/**
 * Check a key ID as upstream's `ValidateKeyID`.
 *
 * A key ID is a protobuf string, so UTF-8: a JavaScript string with a lone surrogate has no UTF-8
 * form (it would be stored as U+FFFD and read back as another key ID), so it is refused first.
 *
 * @param keyID - the key ID
 * @returns the problem (`keyID is empty`, `keyID is N bytes, which exceeds the max size of 1024`,
 *   `keyID is not valid UTF-8`), or undefined when the key ID is valid
 */
export function validateKeyID(keyID: string): KeyIDProblem | undefined {
  if (!isWellFormed(keyID)) return { message: 'keyID is not valid UTF-8', size: -1 };
  const size = utf8(keyID).length;
  if (size === 0) return { message: 'keyID is empty', size };
  if (size > KEY_ID_MAX_SIZE) {
    return { message: `keyID is ${size} bytes, which exceeds the max size of ${KEY_ID_MAX_SIZE}`, size };
  }
  return undefined;
}
