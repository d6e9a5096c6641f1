/**
 * PKCS#7 padding as kube-apiserver's aescbc applies and checks it.
 *
 * Writing always adds 1..16 bytes, each equal to the pad length. Checking follows upstream
 * exactly, including its leniency: the last byte `c` must be 1..(data length), and the last `c`
 * bytes must all equal `c`; `c` above 16 is accepted when the bytes agree (upstream does not bound
 * it by the block size). The byte comparison scans a fixed window (the last min(length, 255)
 * bytes) with masks and no early exit, so its timing does not reveal where a mismatch is.
 * @module
 */

/** Outcome of {@link checkPadding}. */
export const PaddingCheck = {
  /** Padding is valid. */
  Ok: 0,
  /** Last byte is 0 or larger than the data: upstream's `invalid PKCS7 data (empty or not padded)`. */
  BadLength: 1,
  /** A padding byte differs from the last byte: upstream's `invalid padding on input`. */
  BadBytes: 2,
} as const;

/** One of the {@link PaddingCheck} values. */
export type PaddingCheck = (typeof PaddingCheck)[keyof typeof PaddingCheck];

/** AES block size. */
export const BLOCK_SIZE = 16;

/** Number of padding bytes a plaintext of `length` bytes gets (1..16). */
export function padLength(length: number): number {
  return BLOCK_SIZE - (length % BLOCK_SIZE);
}

/**
 * Check the padding of a decrypted, non-empty buffer.
 * @returns the check outcome; on {@link PaddingCheck.Ok} the plaintext is the first
 *   `data.length - data[data.length - 1]` bytes
 */
export function checkPadding(data: Uint8Array): PaddingCheck {
  const n = data.length;
  const c = data[n - 1] as number;
  if (c === 0 || c > n) return PaddingCheck.BadLength;
  // For i = 1..window, byte data[n - i] is padding iff i <= c; mask is all ones then, else 0.
  const window = n < 255 ? n : 255;
  let diff = 0;
  for (let i = 1; i <= window; i++) {
    const mask = ~((c - i) >> 31); // c - i >= 0  ->  -1 (all ones); c - i < 0  ->  0
    diff |= ((data[n - i] as number) ^ c) & mask;
  }
  return diff === 0 ? PaddingCheck.Ok : PaddingCheck.BadBytes;
}
