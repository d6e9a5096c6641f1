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
#include <string.h>

#include "_args.h"
#include "_ciphers.h"
#include "_keys.h"
#include "aes.h"

#define INFO 32
#define NONCE 12
#define TAG ATREST_TAG
#define KEY 32
#define MIN_SEED 32
#define BLOCK 64

/* head.ctx[0] is the one AES-GCM context, rekeyed per value in either direction. */
typedef struct {
  atrest_key_head head;
  SHA256_CTX inner;
  SHA256_CTX outer;
} hkdf_gcm_key;

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
  int ok = derive(k, info, key) && EVP_CipherInit_ex(k->head.ctx[0], NULL, NULL, key, NULL, enc) == 1;
  OPENSSL_cleanse(key, sizeof key);
  return ok;
}

napi_value atrest_hkdf_gcm_key(napi_env env, napi_callback_info info) {
  atrest_bytes seed;
  if (!atrest_key_arg(env, info, "hkdfGcmKey", &seed)) return NULL;
  if (seed.length < MIN_SEED) {
    atrest_throw_range(env, "hkdfGcmKey: the seed must be at least 32 bytes");
    return NULL;
  }
  const EVP_CIPHER *cipher = atrest_aes_gcm(KEY);
  hkdf_gcm_key *k = atrest_key_new(sizeof *k);
  EVP_CIPHER_CTX *ctx = k == NULL ? NULL : (k->head.ctx[0] = EVP_CIPHER_CTX_new());
  if (ctx == NULL || cipher == NULL || !hmac_prepare(k, seed.data, seed.length) ||
      EVP_CipherInit_ex(ctx, cipher, NULL, NULL, NULL, 1) != 1 || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, NONCE, NULL) != 1) {
    if (k != NULL) atrest_key_free(env, k, NULL);
    atrest_throw_crypto(env, "hkdfGcmKey: OpenSSL could not prepare HKDF and AES-GCM");
    return NULL;
  }
  return atrest_key_handle(env, ATREST_HANDLE_HKDF_GCM, k);
}

napi_value atrest_hkdf_gcm_seal(napi_env env, napi_callback_info info) {
  atrest_aead_call c;
  uint8_t *sealed;
  if (!atrest_aead_args(env, info, ATREST_HANDLE_HKDF_GCM, "hkdfGcmSeal", ATREST_SEAL, &c) ||
      (sealed = atrest_seal_target(env, "hkdfGcmSeal", &c, INFO + NONCE)) == NULL)
    return NULL;
  hkdf_gcm_key *k = c.key;
  uint8_t *info_at = c.buf.data + c.at;
  if (!rekey(k, info_at, 1) ||
      !atrest_gcm_seal_raw(k->head.ctx[0], info_at + INFO, c.third.data, c.third.length, c.second.data, c.second.length, sealed)) {
    OPENSSL_cleanse(sealed, c.second.length + TAG);
    atrest_throw_crypto(env, "hkdfGcmSeal: OpenSSL AES-GCM encryption failed");
  }
  return NULL;
}

napi_value atrest_hkdf_gcm_open(napi_env env, napi_callback_info info) {
  atrest_aead_call c;
  size_t n = 0;
  int bounds;
  if (!atrest_aead_args(env, info, ATREST_HANDLE_HKDF_GCM, "hkdfGcmOpen", ATREST_OPEN, &c) ||
      (bounds = atrest_open_bounds(env, "hkdfGcmOpen", &c, INFO + NONCE, &n)) < 0)
    return NULL;
  hkdf_gcm_key *k = c.key;
  const uint8_t *info_at = c.buf.data + c.at;
  if (bounds == 1 && !rekey(k, info_at, 0)) {
    atrest_throw_crypto(env, "hkdfGcmOpen: OpenSSL could not derive the key");
    return NULL;
  }
  napi_value result;
  napi_get_boolean(env, bounds == 1 && atrest_gcm_open_raw(k->head.ctx[0], info_at + INFO, n + NONCE + TAG, c.second.data, c.second.length, c.third.data), &result);
  return result;
}
