/**
 * The `native` crypto backend: AES-GCM, AES-CBC and KMS v2's seeded GCM through `@atrest/native`'s
 * N-API addon over the OpenSSL inside Node, and secretbox through libsodium (`sodium-native`).
 *
 * `node:crypto` pays a fixed ~3.4 us per `createCipheriv` (a new OpenSSL context, a key schedule,
 * JavaScript wrapper objects). The addon prepares each key's contexts once and then only sets the
 * nonce, and writes straight into buffers atrest allocated ({@link allocOutput}), so at 1 KiB it is
 * several times faster (figures in `docs/benchmarks.md`).
 *
 * Optional: `@atrest/native` builds its addon at install time with node-gyp. When the addon or
 * sodium-native is missing (or `ATREST_NATIVE=0`), {@link nativeBackend} is `null`
 * ({@link nativeStatus} says why) and atrest uses the `node` backend, which produces the same
 * bytes. Before the backend is offered, known-answer tests check the addon against node:crypto.
 *
 * Nonces, IVs and infos are filled by the providers from the CSPRNG (`randomFill`); the addon
 * never chooses them.
 *
 * @module
 */
import { createCipheriv, createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import type { AesCbcCipher, AesGcmCipher, CryptoBackend, SecretboxCipher, SeededAesGcmCipher } from '../backend.js';
import { allocOutput } from '../output.js';
import { checkAesKey, checkBlocks } from './_checks.js';
import { composeSeededAesGcm } from '../seeded-gcm.js';
import { nodeBackend } from './node.js';
import { randomBytes, randomFill } from './_random-pool.js';

/** The addon ABI this core speaks (`ABI_VERSION` in `@atrest/native/addon/atrest_native.c`). */
const ABI_VERSION = 1;

type Handle = object;
interface Addon {
  readonly ABI_VERSION: number;
  readonly OPENSSL_VERSION: string;
  gcmKey(key: Uint8Array): Handle;
  gcmSeal(h: Handle, out: Uint8Array, at: number, plaintext: Uint8Array, aad: Uint8Array): void;
  gcmOpen(h: Handle, data: Uint8Array, at: number, aad: Uint8Array, out: Uint8Array): boolean;
  cbcKey(key: Uint8Array): Handle;
  cbcEncrypt(h: Handle, buf: Uint8Array, at: number, end: number): void;
  cbcDecrypt(h: Handle, data: Uint8Array, at: number, out: Uint8Array): void;
  hkdfGcmKey(seed: Uint8Array): Handle;
  hkdfGcmSeal(h: Handle, out: Uint8Array, at: number, plaintext: Uint8Array, aad: Uint8Array): void;
  hkdfGcmOpen(h: Handle, data: Uint8Array, at: number, aad: Uint8Array, out: Uint8Array): boolean;
}
interface Sodium {
  crypto_secretbox_easy(c: Uint8Array, m: Uint8Array, n: Uint8Array, k: Uint8Array): void;
  crypto_secretbox_open_easy(m: Uint8Array, c: Uint8Array, n: Uint8Array, k: Uint8Array): boolean;
  sodium_malloc(length: number): Uint8Array;
}
interface NativeModule {
  readonly addon: Addon | null;
  readonly addonError: unknown;
  readonly sodium: Sodium | null;
  readonly sodiumError: unknown;
  readonly sodiumVersion: string | null;
}

/** Whether the native backend is usable, and if not, why. */
export interface NativeStatus {
  /** True when {@link nativeBackend} is available. */
  readonly available: boolean;
  /** What is missing or failed (`@atrest/native is not installed`, `the addon is not built: ...`). */
  readonly reason?: string;
}

const GCM_NONCE = 12;
const TAG = 16;
const BLOCK = 16;
const INFO = 32;
const SECRETBOX_NONCE = 24;

function errorText(e: unknown): string {
  // Loader errors name files and symbols only; keep the first line.
  return (e instanceof Error ? e.message : String(e)).split('\n')[0] as string;
}

function loadModule(): { module: NativeModule } | { reason: string } {
  if (typeof process === 'object' && process.env?.['ATREST_NATIVE'] === '0') return { reason: 'disabled by ATREST_NATIVE=0' };
  let m: NativeModule;
  try {
    m = createRequire(import.meta.url)('@atrest/native') as NativeModule;
  } catch (e) {
    return { reason: `@atrest/native is not installed (${errorText(e)})` };
  }
  if (m.addon === null) return { reason: `the @atrest/native addon is not built (${errorText(m.addonError)})` };
  if (m.addon.ABI_VERSION !== ABI_VERSION) {
    return { reason: `the @atrest/native addon speaks ABI ${m.addon.ABI_VERSION}, this @atrest/core needs ${ABI_VERSION}` };
  }
  if (m.sodium === null) return { reason: `sodium-native does not load (${errorText(m.sodiumError)})` };
  return { module: m };
}

function gcm(addon: Addon, key: Uint8Array): AesGcmCipher {
  checkAesKey(key);
  const h = addon.gcmKey(key);
  return {
    sealInto: (out, at, plaintext, aad) => addon.gcmSeal(h, out, at, plaintext, aad),
    openAt(data, at, aad) {
      const n = data.length - at - GCM_NONCE - TAG;
      if (n < 0) return null;
      const out = allocOutput('plaintext', n);
      return addon.gcmOpen(h, data, at, aad, out) ? out : null;
    },
    // The addon zeroes out[0, n) itself when the tag does not verify.
    openInto: (data, at, aad, out) => addon.gcmOpen(h, data, at, aad, out),
  };
}

function cbc(addon: Addon, key: Uint8Array): AesCbcCipher {
  checkAesKey(key);
  const h = addon.cbcKey(key);
  return {
    encryptInPlace(buf, at, end) {
      checkBlocks(end - at - BLOCK);
      addon.cbcEncrypt(h, buf, at, end);
    },
    decryptAt(data, at) {
      const n = data.length - at - BLOCK;
      checkBlocks(n);
      const out = allocOutput('plaintext', n);
      addon.cbcDecrypt(h, data, at, out);
      return out;
    },
    decryptInto(data, at, out) {
      checkBlocks(data.length - at - BLOCK);
      addon.cbcDecrypt(h, data, at, out);
    },
  };
}

function seeded(addon: Addon, seed: Uint8Array): SeededAesGcmCipher {
  if (seed.length < INFO) throw new RangeError(`the seed must be at least 32 bytes, got ${seed.length}`);
  const h = addon.hkdfGcmKey(seed);
  return {
    sealInto: (out, at, plaintext, aad) => addon.hkdfGcmSeal(h, out, at, plaintext, aad),
    openAt(data, at, aad) {
      const n = data.length - at - INFO - GCM_NONCE - TAG;
      if (n < 0) return null;
      const out = allocOutput('plaintext', n);
      return addon.hkdfGcmOpen(h, data, at, aad, out) ? out : null;
    },
    openInto: (data, at, aad, out) => addon.hkdfGcmOpen(h, data, at, aad, out),
  };
}

function secretbox(sodium: Sodium, keyIn: Uint8Array): SecretboxCipher {
  if (keyIn.length !== 32) throw new RangeError(`secretbox key must be 32 bytes, got ${keyIn.length}`);
  // libsodium's guarded, locked allocation: the key is kept out of swap and the JavaScript heap.
  const key = sodium.sodium_malloc(32);
  key.set(keyIn);
  return {
    sealInto(out, at, plaintext) {
      const start = at + SECRETBOX_NONCE;
      sodium.crypto_secretbox_easy(out.subarray(start, start + TAG + plaintext.length), plaintext, out.subarray(at, start), key);
    },
    openAt(data, at) {
      const n = data.length - at - SECRETBOX_NONCE - TAG;
      if (n < 0) return null;
      const out = allocOutput('plaintext', n);
      return sodium.crypto_secretbox_open_easy(out, data.subarray(at + SECRETBOX_NONCE), data.subarray(at, at + SECRETBOX_NONCE), key)
        ? out
        : null;
    },
  };
}

function build(m: NativeModule): CryptoBackend {
  const addon = m.addon as Addon;
  const sodium = m.sodium as Sodium;
  return Object.freeze({
    name: 'native',
    description: `${addon.OPENSSL_VERSION.split(' ').slice(0, 2).join(' ')} via the @atrest/native addon; secretbox: libsodium via sodium-native ${m.sodiumVersion ?? ''}`.trimEnd(),
    aesGcm: (key: Uint8Array) => gcm(addon, key),
    aesCbc: (key: Uint8Array) => cbc(addon, key),
    secretbox: (key: Uint8Array) => secretbox(sodium, key),
    hkdfAesGcm: (seed: Uint8Array) => seeded(addon, seed),
    hmacSha256: (key: Uint8Array, data: Uint8Array): Uint8Array => createHmac('sha256', key).update(data).digest(),
    randomBytes,
    randomFill,
  });
}

/**
 * Known-answer checks before the backend is offered: AES-256-GCM, AES-128-CBC and the HKDF-seeded
 * GCM of the addon must equal node:crypto's (directly, or composed from node's HMAC and GCM) for
 * fixed keys, nonces and messages (test data only, not secret).
 */
function selfTest(backend: CryptoBackend): string | undefined {
  const key = new Uint8Array(32).map((_, i) => i);
  const nonce = new Uint8Array(GCM_NONCE).map((_, i) => 0xa0 + i);
  const message = new Uint8Array(48).map((_, i) => i * 7);
  const aad = new Uint8Array([0x2f, 0x72]);
  const c = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG });
  c.setAAD(aad);
  const expected = Buffer.concat([nonce, c.update(message), c.final(), c.getAuthTag()]);
  const out = new Uint8Array(expected.length);
  out.set(nonce);
  const cipher = backend.aesGcm(key);
  cipher.sealInto(out, 0, message, aad);
  const opened = cipher.openAt(out, 0, aad);
  if (!expected.equals(out) || opened === null || !Buffer.from(opened).equals(message)) return 'the addon failed its AES-GCM known-answer test';

  const cbcIv = new Uint8Array(BLOCK).map((_, i) => 0x30 + i);
  const cb = createCipheriv('aes-128-cbc', key.subarray(0, 16), cbcIv).setAutoPadding(false);
  const cbcExpected = Buffer.concat([cbcIv, cb.update(message), cb.final()]);
  const buf = new Uint8Array(cbcExpected.length);
  buf.set(cbcIv);
  buf.set(message, BLOCK);
  const cbcCipher = backend.aesCbc(key.subarray(0, 16));
  cbcCipher.encryptInPlace(buf, 0, buf.length);
  if (!cbcExpected.equals(buf) || !Buffer.from(cbcCipher.decryptAt(buf, 0)).equals(message)) return 'the addon failed its AES-CBC known-answer test';

  const seededOut = new Uint8Array(INFO + GCM_NONCE + message.length + TAG);
  seededOut.set(key, 0);
  seededOut.set(nonce, INFO);
  const reference = composeSeededAesGcm(nodeBackend, key);
  const seededExpected = seededOut.slice();
  reference.sealInto(seededExpected, 0, message, aad);
  backend.hkdfAesGcm(key).sealInto(seededOut, 0, message, aad);
  if (!Buffer.from(seededExpected).equals(seededOut)) return 'the addon failed its HKDF-seeded AES-GCM known-answer test';
  return undefined;
}

function init(): { backend: CryptoBackend | null; status: NativeStatus } {
  const loaded = loadModule();
  if ('reason' in loaded) return { backend: null, status: { available: false, reason: loaded.reason } };
  let backend: CryptoBackend;
  try {
    backend = build(loaded.module);
    const failure = selfTest(backend);
    if (failure !== undefined) return { backend: null, status: { available: false, reason: failure } };
  } catch (e) {
    return { backend: null, status: { available: false, reason: `the addon failed to start (${errorText(e)})` } };
  }
  return { backend, status: { available: true } };
}

const state = init();

/**
 * The native backend, or `null` when `@atrest/native` is not installed, its addon is not built,
 * or it failed its self-test ({@link nativeStatus} says which).
 *
 * @example
 * ```ts
 * import { nativeBackend, nodeBackend } from '@atrest/core';
 * const backend = nativeBackend ?? nodeBackend; // same bytes either way
 * ```
 */
export const nativeBackend: CryptoBackend | null = state.backend;

/**
 * Whether the native backend loaded, and if not, why.
 *
 * @example
 * ```ts
 * import { nativeStatus } from '@atrest/core';
 * const s = nativeStatus(); // { available: true } or { available: false, reason: '...' }
 * ```
 */
export function nativeStatus(): NativeStatus {
  return state.status;
}
