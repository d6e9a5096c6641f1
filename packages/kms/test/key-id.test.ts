/**
 * One `ValidateKeyID` for stored objects and for Status answers: both paths report the same
 * upstream texts for the same key IDs.
 */
import { AtrestError } from '@atrest/core';
import { describe, expect, it } from 'vitest';
import { EncryptedDEKSourceType, validateEncryptedObject } from '@atrest/kms';
import { KEY_ID_MAX_SIZE, validateKeyID } from '../src/_key-id.js';

const cases: [string, string | undefined][] = [
  ['', 'keyID is empty'],
  ['k', undefined],
  ['x'.repeat(KEY_ID_MAX_SIZE), undefined],
  ['x'.repeat(KEY_ID_MAX_SIZE + 1), 'keyID is 1025 bytes, which exceeds the max size of 1024'],
  ['é'.repeat(513), 'keyID is 1026 bytes, which exceeds the max size of 1024'],
  ['a\ud800', 'keyID is not valid UTF-8'],
];

describe('validateKeyID', () => {
  it.each(cases)('%#', (keyID, message) => {
    expect(validateKeyID(keyID)?.message).toBe(message);
    const o = { encryptedData: new Uint8Array([1]), keyID, encryptedDEKSource: new Uint8Array([2]), annotations: {}, encryptedDEKSourceType: EncryptedDEKSourceType.HKDF_SHA256_XNONCE_AES_GCM_SEED };
    if (message === undefined) expect(() => validateEncryptedObject(o)).not.toThrow();
    else {
      expect(() => validateEncryptedObject(o)).toThrow(AtrestError);
      expect(() => validateEncryptedObject(o)).toThrow(`failed to validate key id: ${message}`);
    }
  });
});
