/** The addon's functions (see addon/*.c for their exact contracts); null when it is not built. */
export declare const addon: {
  readonly ABI_VERSION: number;
  readonly OPENSSL_VERSION: string;
  gcmKey(key: Uint8Array): object;
  gcmSeal(handle: object, out: Uint8Array, at: number, plaintext: Uint8Array, aad: Uint8Array): void;
  gcmOpen(handle: object, data: Uint8Array, at: number, aad: Uint8Array, out: Uint8Array): boolean;
  cbcKey(key: Uint8Array): object;
  cbcEncrypt(handle: object, buf: Uint8Array, at: number, end: number): void;
  cbcDecrypt(handle: object, data: Uint8Array, at: number, out: Uint8Array): void;
  hkdfGcmKey(seed: Uint8Array): object;
  hkdfGcmSeal(handle: object, out: Uint8Array, at: number, plaintext: Uint8Array, aad: Uint8Array): void;
  hkdfGcmOpen(handle: object, data: Uint8Array, at: number, aad: Uint8Array, out: Uint8Array): boolean;
} | null;
/** Why `addon` is null. */
export declare const addonError: unknown;
/** sodium-native's secretbox functions; null when it does not load. */
export declare const sodium: {
  crypto_secretbox_easy(c: Uint8Array, m: Uint8Array, n: Uint8Array, k: Uint8Array): void;
  crypto_secretbox_open_easy(m: Uint8Array, c: Uint8Array, n: Uint8Array, k: Uint8Array): boolean;
  sodium_malloc(length: number): Uint8Array;
} | null;
/** Why `sodium` is null. */
export declare const sodiumError: unknown;
/** The version of the sodium-native package that loaded, or null. */
export declare const sodiumVersion: string | null;
