/**
 * Whether a JavaScript string has a UTF-8 form. Protobuf strings (KMS v2 key IDs) are UTF-8; a
 * string with a lone surrogate would be encoded as U+FFFD and read back as a different string.
 * @module
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when `s` has no lone surrogates. */
export function isWellFormed(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}
