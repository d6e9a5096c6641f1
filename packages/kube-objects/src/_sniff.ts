/**
 * Recognising a stored object's encoding by its first bytes, as the apiserver's storage codec
 * does (shared by {@link decodeObject} and {@link decodeObjectSummary}, so both dispatch alike).
 *
 * @module
 */

/** The 4-byte magic of the Kubernetes protobuf encoding. */
export const PROTOBUF_MAGIC: Uint8Array = new Uint8Array([0x6b, 0x38, 0x73, 0x00]);
/** The CBOR self-described tag Kubernetes prefixes CBOR objects with. @internal */
export const CBOR_MAGIC: readonly number[] = [0xd9, 0xd9, 0xf7];
/** `k8s:enc:`, the prefix of every encrypted value. @internal */
export const ENCRYPTED_PREFIX: readonly number[] = [...'k8s:enc:'].map((c) => c.charCodeAt(0));

/** @internal */
export function startsWith(data: Uint8Array, prefix: readonly number[] | Uint8Array): boolean {
  if (data.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (data[i] !== prefix[i]) return false;
  return true;
}

/** The first byte that is not JSON whitespace. @internal */
export function firstNonSpace(data: Uint8Array): number | undefined {
  for (const b of data) if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return b;
  return undefined;
}
