/*
 * Raw AES-CBC (no padding; callers pad and check padding) bound to one key.
 *
 *   cbcKey(key) -> handle
 *   cbcEncrypt(handle, buf, at, end)
 *     The IV is buf[at, at+16); encrypts buf[at+16, end) in place. end-at-16 must be a positive
 *     multiple of 16.
 *   cbcDecrypt(handle, data, at, out)
 *     The IV is data[at, at+16); decrypts data[at+16, end) into out[0, end-at-16). The length
 *     after the IV must be a positive multiple of 16; `out` must not overlap `data`.
 *
 * CBC authenticates nothing: a caller that reports padding errors distinctly from other failures
 * builds a padding oracle. kube-apiserver's aescbc provider does, and so must we for compatibility.
 */
#include <openssl/crypto.h>

#include "_args.h"
#include "_ciphers.h"
#include "_keys.h"
#include "aes.h"

#define BLOCK 16

/* A CBC key is the two contexts alone: head.ctx[1] encrypts, head.ctx[0] decrypts. */
typedef atrest_key_head cbc_key;

static int cbc_prepare(EVP_CIPHER_CTX *ctx, const EVP_CIPHER *cipher, const uint8_t *key, int enc) {
  return EVP_CipherInit_ex(ctx, cipher, NULL, key, NULL, enc) == 1 && EVP_CIPHER_CTX_set_padding(ctx, 0) == 1;
}

napi_value atrest_cbc_key(napi_env env, napi_callback_info info) {
  atrest_bytes key;
  if (!atrest_key_arg(env, info, "cbcKey", &key)) return NULL;
  const EVP_CIPHER *cipher = atrest_aes_cbc(key.length);
  if (cipher == NULL) {
    atrest_throw_range(env, "cbcKey: AES key must be 16, 24 or 32 bytes");
    return NULL;
  }
  cbc_key *k = atrest_key_new(sizeof *k);
  int ok = k != NULL;
  for (int e = 1; ok && e >= 0; e--) ok = (k->ctx[e] = EVP_CIPHER_CTX_new()) != NULL && cbc_prepare(k->ctx[e], cipher, key.data, e);
  if (!ok) {
    if (k != NULL) atrest_key_free(env, k, NULL);
    atrest_throw_crypto(env, "cbcKey: OpenSSL could not prepare AES-CBC");
    return NULL;
  }
  return atrest_key_handle(env, ATREST_HANDLE_CBC, k);
}

static int cbc_run(EVP_CIPHER_CTX *ctx, const uint8_t *iv, const uint8_t *in, size_t length, uint8_t *out, int enc) {
  int tail = 0;
  return EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, enc) == 1 && atrest_cipher_update(ctx, out, in, length) &&
         EVP_CipherFinal_ex(ctx, out + length, &tail) == 1 && tail == 0;
}

napi_value atrest_cbc_encrypt(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  atrest_bytes buf;
  size_t at, end;
  if (!atrest_args(env, info, 4, argv)) return NULL;
  cbc_key *k = atrest_get_handle(env, argv[0], ATREST_HANDLE_CBC);
  if (k == NULL || !atrest_get_bytes(env, argv[1], "cbcEncrypt", "buf", &buf) ||
      !atrest_get_offset(env, argv[2], "cbcEncrypt", "at", &buf, "buf", &at) ||
      !atrest_get_offset(env, argv[3], "cbcEncrypt", "end", &buf, "buf", &end))
    return NULL;
  if (end < at || end - at <= BLOCK || (end - at - BLOCK) % BLOCK != 0) {
    atrest_throw_range(env, "cbcEncrypt: the data after the IV must be a positive multiple of 16 bytes");
    return NULL;
  }
  uint8_t *data = buf.data + at + BLOCK;
  size_t n = end - at - BLOCK;
  if (!cbc_run(k->ctx[1], buf.data + at, data, n, data, 1)) {
    OPENSSL_cleanse(data, n); /* never leave a half-encrypted plaintext behind */
    atrest_throw_crypto(env, "cbcEncrypt: OpenSSL AES-CBC encryption failed");
  }
  return NULL;
}

napi_value atrest_cbc_decrypt(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  atrest_bytes data, out;
  size_t at;
  if (!atrest_args(env, info, 4, argv)) return NULL;
  cbc_key *k = atrest_get_handle(env, argv[0], ATREST_HANDLE_CBC);
  if (k == NULL || !atrest_get_bytes(env, argv[1], "cbcDecrypt", "data", &data) ||
      !atrest_get_offset(env, argv[2], "cbcDecrypt", "at", &data, "data", &at) ||
      !atrest_get_bytes(env, argv[3], "cbcDecrypt", "out", &out))
    return NULL;
  size_t payload = data.length - at;
  if (payload <= BLOCK || (payload - BLOCK) % BLOCK != 0) {
    atrest_throw_range(env, "cbcDecrypt: the data after the IV must be a positive multiple of 16 bytes");
    return NULL;
  }
  size_t n = payload - BLOCK;
  if (out.length < n || atrest_overlap(out.data, n, data.data + at, payload)) {
    atrest_throw_range(env, "cbcDecrypt: out must hold the blocks and must not overlap data");
    return NULL;
  }
  if (!cbc_run(k->ctx[0], data.data + at, data.data + at + BLOCK, n, out.data, 0)) {
    OPENSSL_cleanse(out.data, n);
    atrest_throw_crypto(env, "cbcDecrypt: OpenSSL AES-CBC decryption failed");
  }
  return NULL;
}
