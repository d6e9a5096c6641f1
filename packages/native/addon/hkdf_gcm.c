/*
 * KMS v2's seeded AES-256-GCM (data format HKDF_SHA256_XNONCE_AES_GCM_SEED): every value carries
 * a random 32-byte info, and its key is HKDF-Expand-SHA256(PRK = seed, info, 32) (RFC 5869
 * section 2.3, no extract step). For a 32-byte output that is one HMAC: HMAC-SHA256(seed,
 * info || 0x01).
 *
 *   hkdfGcmKey(seed) -> handle            seed of at least 32 bytes
 *   hkdfGcmSeal(handle, out, at, plaintext, aad)
 *     info is out[at, at+32), the nonce out[at+32, at+44); ciphertext and tag follow.
 *   hkdfGcmOpen(handle, data, at, aad, out) -> boolean
 *     data[at, end) is info || nonce || ciphertext || tag; false when the tag does not verify.
 *
 * The handle keeps HMAC's inner and outer SHA-256 states after the padded seed block (what any
 * HMAC implementation computes first), so a derivation costs two SHA-256 compressions plus two
 * finalizations. The low-level SHA256_* functions are used for exactly that: their state is a
 * plain struct that can be copied, which EVP digests do not offer cheaply. Derived keys live on
 * the stack for one call and are cleansed before returning.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

#include "_args.h"
#include "_ciphers.h"
#include "aes.h"

#define INFO 32
#define NONCE 12
#define TAG 16
#define KEY 32
#define MIN_SEED 32
#define BLOCK 64

typedef struct {
  SHA256_CTX inner;
  SHA256_CTX outer;
  EVP_CIPHER_CTX *ctx;
} hkdf_gcm_key;

static void hkdf_free(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  hkdf_gcm_key *k = data;
  EVP_CIPHER_CTX_free(k->ctx);
  OPENSSL_cleanse(k, sizeof *k);
  free(k);
}

static int hmac_prepare(hkdf_gcm_key *k, const uint8_t *seed, size_t length) {
  uint8_t block[BLOCK] = {0};
  uint8_t pad[BLOCK];
  int ok = 1;
  if (length > BLOCK) {
    ok = SHA256(seed, length, block) != NULL; /* HMAC hashes keys longer than a block */
  } else {
    memcpy(block, seed, length);
  }
  for (int i = 0; i < BLOCK; i++) pad[i] = block[i] ^ 0x36;
  ok = ok && SHA256_Init(&k->inner) && SHA256_Update(&k->inner, pad, BLOCK);
  for (int i = 0; i < BLOCK; i++) pad[i] = block[i] ^ 0x5c;
  ok = ok && SHA256_Init(&k->outer) && SHA256_Update(&k->outer, pad, BLOCK);
  OPENSSL_cleanse(block, sizeof block);
  OPENSSL_cleanse(pad, sizeof pad);
  return ok;
}

/* key = HMAC-SHA256(seed, info || 0x01) = T(1) of HKDF-Expand. */
static int derive(const hkdf_gcm_key *k, const uint8_t *info, uint8_t key[KEY]) {
  static const uint8_t counter = 1;
  uint8_t inner_digest[SHA256_DIGEST_LENGTH];
  SHA256_CTX c = k->inner;
  int ok = SHA256_Update(&c, info, INFO) && SHA256_Update(&c, &counter, 1) && SHA256_Final(inner_digest, &c);
  c = k->outer;
  ok = ok && SHA256_Update(&c, inner_digest, sizeof inner_digest) && SHA256_Final(key, &c);
  OPENSSL_cleanse(inner_digest, sizeof inner_digest);
  OPENSSL_cleanse(&c, sizeof c);
  return ok;
}

static int rekey(hkdf_gcm_key *k, const uint8_t *info, int enc) {
  uint8_t key[KEY];
  int ok = derive(k, info, key) && EVP_CipherInit_ex(k->ctx, NULL, NULL, key, NULL, enc) == 1;
  OPENSSL_cleanse(key, sizeof key);
  return ok;
}

napi_value atrest_hkdf_gcm_key(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  atrest_bytes seed;
  if (!atrest_args(env, info, 1, argv) || !atrest_get_bytes(env, argv[0], "hkdfGcmKey: seed must be a Uint8Array", &seed)) return NULL;
  if (seed.length < MIN_SEED) {
    atrest_throw_range(env, "hkdfGcmKey: the seed must be at least 32 bytes");
    return NULL;
  }
  const EVP_CIPHER *cipher = atrest_aes_gcm(KEY);
  hkdf_gcm_key *k = calloc(1, sizeof *k);
  if (k == NULL || cipher == NULL || !hmac_prepare(k, seed.data, seed.length) || (k->ctx = EVP_CIPHER_CTX_new()) == NULL ||
      EVP_CipherInit_ex(k->ctx, cipher, NULL, NULL, NULL, 1) != 1 ||
      EVP_CIPHER_CTX_ctrl(k->ctx, EVP_CTRL_GCM_SET_IVLEN, NONCE, NULL) != 1) {
    if (k != NULL) hkdf_free(env, k, NULL);
    atrest_throw_crypto(env, "hkdfGcmKey: OpenSSL could not prepare HKDF and AES-GCM");
    return NULL;
  }
  return atrest_new_handle(env, ATREST_HANDLE_HKDF_GCM, k, hkdf_free);
}

napi_value atrest_hkdf_gcm_seal(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  atrest_bytes out, plaintext, aad;
  size_t at;
  if (!atrest_args(env, info, 5, argv)) return NULL;
  hkdf_gcm_key *k = atrest_get_handle(env, argv[0], ATREST_HANDLE_HKDF_GCM);
  if (k == NULL || !atrest_get_bytes(env, argv[1], "hkdfGcmSeal: out must be a Uint8Array", &out) ||
      !atrest_get_offset(env, argv[2], "hkdfGcmSeal: at must be an offset inside out", out.length, &at) ||
      !atrest_get_bytes(env, argv[3], "hkdfGcmSeal: plaintext must be a Uint8Array", &plaintext) ||
      !atrest_get_bytes(env, argv[4], "hkdfGcmSeal: aad must be a Uint8Array", &aad))
    return NULL;
  if (out.length - at < INFO + NONCE + TAG || out.length - at - INFO - NONCE - TAG < plaintext.length) {
    atrest_throw_range(env, "hkdfGcmSeal: out is too small for info, nonce, ciphertext and tag");
    return NULL;
  }
  uint8_t *sealed = out.data + at + INFO + NONCE;
  if (atrest_overlap(sealed, plaintext.length + TAG, plaintext.data, plaintext.length)) {
    atrest_throw_range(env, "hkdfGcmSeal: out must not overlap plaintext");
    return NULL;
  }
  if (!rekey(k, out.data + at, 1) ||
      !atrest_gcm_seal_raw(k->ctx, out.data + at + INFO, aad.data, aad.length, plaintext.data, plaintext.length, sealed)) {
    OPENSSL_cleanse(sealed, plaintext.length + TAG);
    atrest_throw_crypto(env, "hkdfGcmSeal: OpenSSL AES-GCM encryption failed");
  }
  return NULL;
}

napi_value atrest_hkdf_gcm_open(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  atrest_bytes data, aad, out;
  size_t at;
  if (!atrest_args(env, info, 5, argv)) return NULL;
  hkdf_gcm_key *k = atrest_get_handle(env, argv[0], ATREST_HANDLE_HKDF_GCM);
  if (k == NULL || !atrest_get_bytes(env, argv[1], "hkdfGcmOpen: data must be a Uint8Array", &data) ||
      !atrest_get_offset(env, argv[2], "hkdfGcmOpen: at must be an offset inside data", data.length, &at) ||
      !atrest_get_bytes(env, argv[3], "hkdfGcmOpen: aad must be a Uint8Array", &aad) ||
      !atrest_get_bytes(env, argv[4], "hkdfGcmOpen: out must be a Uint8Array", &out))
    return NULL;
  napi_value result;
  size_t payload = data.length - at;
  if (payload < INFO + NONCE + TAG) {
    napi_get_boolean(env, false, &result);
    return result;
  }
  size_t n = payload - INFO - NONCE - TAG;
  if (out.length < n || atrest_overlap(out.data, n, data.data + at, payload)) {
    atrest_throw_range(env, "hkdfGcmOpen: out must hold the plaintext and must not overlap data");
    return NULL;
  }
  if (!rekey(k, data.data + at, 0)) {
    atrest_throw_crypto(env, "hkdfGcmOpen: OpenSSL could not derive the key");
    return NULL;
  }
  int ok = atrest_gcm_open_raw(k->ctx, data.data + at + INFO, payload - INFO, aad.data, aad.length, out.data);
  napi_get_boolean(env, ok, &result);
  return result;
}
