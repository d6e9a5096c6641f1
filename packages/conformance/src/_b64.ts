/**
 * Standard base64 (with padding) to and from bytes (internal).
 * @module
 */

/** @param s - standard base64 text */
export const fromBase64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));

/** @param b - bytes */
export const toBase64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
