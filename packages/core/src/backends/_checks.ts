/**
 * The argument checks every backend makes the same way, with the same RangeError texts, so that
 * backends are interchangeable down to their failures.
 * @module
 */

/** @throws RangeError unless `key` is 16, 24 or 32 bytes */
export function checkAesKey(key: Uint8Array): void {
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
    throw new RangeError(`AES key must be 16, 24 or 32 bytes, got ${key.length}`);
  }
}

/** @throws RangeError unless `length` is a positive multiple of the AES block */
export function checkBlocks(length: number): void {
  if (length <= 0 || length % 16 !== 0) {
    throw new RangeError(`AES-CBC data must be a positive multiple of 16 bytes, got ${Math.max(0, length)}`);
  }
}
