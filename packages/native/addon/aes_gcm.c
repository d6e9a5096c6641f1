/*
 * AES-GCM bound to one key: `gcmKey(key)` keeps the key; the first seal and the first open each
 * prepare their context once (key schedule and GHASH key); each call then only sets the 12-byte
 * nonce.
 *
 *   gcmSeal(handle, out, at, plaintext, aad)
 *     The nonce is out[at, at+12). Writes ciphertext to out[at+12, at+12+n) and the 16-byte tag
 *     right after it. `out` must hold at+12+n+16 bytes and must not overlap `plaintext`.
 *   gcmOpen(handle, data, at, aad, out) -> boolean
 *     Reads nonce(12) || ciphertext || tag(16) from data[at, end) and writes the plaintext to
 *     out[0, n). Returns false when the tag does not verify (or data is shorter than nonce and
 *     tag); `out` is then zeroed, so unauthenticated plaintext is never released.
 *
 * The tag length is fixed at 16: OpenSSL would otherwise accept a shorter tag on decryption.
 */
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/params.h>
#include <string.h>

#include "_args.h"
#include "_ciphers.h"
#include "_keys.h"
#include "aes.h"

#define NONCE 12
#define TAG ATREST_TAG

/* Both directions' contexts (head.ctx[1] encrypts, head.ctx[0] decrypts) are prepared on the key's
   first use, and the raw key is cleansed right then: a key that is only ever used one way (an
   audit only opens) must not keep its bytes in malloc'd memory until the garbage collector frees
   the handle. Preparing at first use rather than at creation keeps creating a key (every config
   load) free of OpenSSL work. */
typedef struct {
  atrest_key_head head;
  const EVP_CIPHER *cipher;
  uint8_t key[32];
  int prepared; /* both contexts exist and the key is cleansed */
} gcm_key;

static int gcm_prepare(EVP_CIPHER_CTX *ctx, const EVP_CIPHER *cipher, const uint8_t *key, int enc) {
  return EVP_CipherInit_ex(ctx, cipher, NULL, NULL, NULL, enc) == 1 &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, NONCE, NULL) == 1 &&
         EVP_CipherInit_ex(ctx, NULL, NULL, key, NULL, enc) == 1;
}

/* The context for one direction; on first use both are prepared and the key is cleansed. NULL
   when OpenSSL fails (the key is then kept, so a later call can try again). */
static EVP_CIPHER_CTX *gcm_context(gcm_key *k, int enc) {
  if (!k->prepared) {
    for (int e = 1; e >= 0; e--) {
      if (k->head.ctx[e] != NULL) continue;
      EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
      if (ctx == NULL || !gcm_prepare(ctx, k->cipher, k->key, e)) {
        EVP_CIPHER_CTX_free(ctx);
        return NULL;
      }
      k->head.ctx[e] = ctx;
    }
    OPENSSL_cleanse(k->key, sizeof k->key);
    k->prepared = 1;
  }
  return k->head.ctx[enc];
}

napi_value atrest_gcm_key(napi_env env, napi_callback_info info) {
  atrest_bytes key;
  if (!atrest_key_arg(env, info, "gcmKey", &key)) return NULL;
  const EVP_CIPHER *cipher = atrest_aes_gcm(key.length);
  if (cipher == NULL) {
    atrest_throw_range(env, "gcmKey: AES key must be 16, 24 or 32 bytes");
    return NULL;
  }
  gcm_key *k = atrest_key_new(sizeof *k);
  if (k == NULL) {
    atrest_throw_crypto(env, "gcmKey: out of memory");
    return NULL;
  }
  k->cipher = cipher;
  memcpy(k->key, key.data, key.length);
  return atrest_key_handle(env, ATREST_HANDLE_GCM, k);
}

/* The tag through the provider's parameter interface (EVP_CIPHER_CTX_ctrl would translate to
   the same call); `set` hands the expected tag over, otherwise the computed one is read out. */
static int tag_param(EVP_CIPHER_CTX *ctx, uint8_t *tag, int set) {
  OSSL_PARAM params[2] = {OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, TAG), OSSL_PARAM_construct_end()};
  return set ? EVP_CIPHER_CTX_set_params(ctx, params) == 1 : EVP_CIPHER_CTX_get_params(ctx, params) == 1;
}

int atrest_gcm_seal_raw(EVP_CIPHER_CTX *ctx, const uint8_t *nonce, const uint8_t *aad, size_t aad_length,
                        const uint8_t *plaintext, size_t length, uint8_t *out) {
  int tail = 0;
  return EVP_CipherInit_ex(ctx, NULL, NULL, NULL, nonce, 1) == 1 &&
         atrest_cipher_update(ctx, NULL, aad, aad_length) &&
         atrest_cipher_update(ctx, out, plaintext, length) &&
         EVP_CipherFinal_ex(ctx, out + length, &tail) == 1 && tail == 0 && tag_param(ctx, out + length, 0);
}

int atrest_gcm_open_raw(EVP_CIPHER_CTX *ctx, const uint8_t *payload, size_t payload_length, const uint8_t *aad,
                        size_t aad_length, uint8_t *out) {
  size_t n = payload_length - NONCE - TAG;
  int tail = 0;
  /* The tag is handed to OpenSSL before the final call; EVP_CipherFinal_ex compares it in
     constant time and fails on a mismatch. */
  int ok = EVP_CipherInit_ex(ctx, NULL, NULL, NULL, payload, 0) == 1 &&
           atrest_cipher_update(ctx, NULL, aad, aad_length) &&
           atrest_cipher_update(ctx, out, payload + NONCE, n) &&
           tag_param(ctx, (uint8_t *)(payload + NONCE + n), 1) &&
           EVP_CipherFinal_ex(ctx, out + n, &tail) == 1 && tail == 0;
  if (!ok) {
    OPENSSL_cleanse(out, n);
    ERR_clear_error(); /* a failed tag leaves nothing on the thread's queue, which Node shares */
  }
  return ok;
}

napi_value atrest_gcm_seal(napi_env env, napi_callback_info info) {
  atrest_aead_call c;
  uint8_t *sealed;
  if (!atrest_aead_args(env, info, ATREST_HANDLE_GCM, "gcmSeal", ATREST_SEAL, &c) ||
      (sealed = atrest_seal_target(env, "gcmSeal", &c, NONCE)) == NULL)
    return NULL;
  EVP_CIPHER_CTX *ctx = gcm_context(c.key, 1);
  if (ctx == NULL || !atrest_gcm_seal_raw(ctx, c.buf.data + c.at, c.third.data, c.third.length, c.second.data, c.second.length, sealed)) {
    OPENSSL_cleanse(sealed, c.second.length + TAG);
    atrest_throw_crypto(env, "gcmSeal: OpenSSL AES-GCM encryption failed");
  }
  return NULL;
}

napi_value atrest_gcm_open(napi_env env, napi_callback_info info) {
  atrest_aead_call c;
  size_t n = 0;
  int bounds;
  if (!atrest_aead_args(env, info, ATREST_HANDLE_GCM, "gcmOpen", ATREST_OPEN, &c) || (bounds = atrest_open_bounds(env, "gcmOpen", &c, NONCE, &n)) < 0)
    return NULL;
  EVP_CIPHER_CTX *ctx = bounds == 0 ? NULL : gcm_context(c.key, 0);
  if (bounds == 1 && ctx == NULL) {
    atrest_throw_crypto(env, "gcmOpen: OpenSSL could not prepare AES-GCM");
    return NULL;
  }
  napi_value result;
  napi_get_boolean(env, bounds == 1 && atrest_gcm_open_raw(ctx, c.buf.data + c.at, n + NONCE + TAG, c.second.data, c.second.length, c.third.data), &result);
  return result;
}
