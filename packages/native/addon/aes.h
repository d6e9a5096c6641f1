/* Entry points of the AES parts of the addon, and the raw GCM steps the HKDF variant reuses. */
#ifndef ATREST_AES_H
#define ATREST_AES_H

#include <openssl/evp.h>

#include "_args.h"

napi_value atrest_gcm_key(napi_env env, napi_callback_info info);
napi_value atrest_gcm_seal(napi_env env, napi_callback_info info);
napi_value atrest_gcm_open(napi_env env, napi_callback_info info);

napi_value atrest_cbc_key(napi_env env, napi_callback_info info);
napi_value atrest_cbc_encrypt(napi_env env, napi_callback_info info);
napi_value atrest_cbc_decrypt(napi_env env, napi_callback_info info);

napi_value atrest_hkdf_gcm_key(napi_env env, napi_callback_info info);
napi_value atrest_hkdf_gcm_seal(napi_env env, napi_callback_info info);
napi_value atrest_hkdf_gcm_open(napi_env env, napi_callback_info info);

/** GCM encryption with a keyed context: ciphertext to out[0, length), tag to out[length, +16). */
int atrest_gcm_seal_raw(EVP_CIPHER_CTX *ctx, const uint8_t *nonce, const uint8_t *aad, size_t aad_length,
                        const uint8_t *plaintext, size_t length, uint8_t *out);

/** GCM decryption of nonce || ciphertext || tag (payload_length >= 28); zeroes out on failure. */
int atrest_gcm_open_raw(EVP_CIPHER_CTX *ctx, const uint8_t *payload, size_t payload_length, const uint8_t *aad,
                        size_t aad_length, uint8_t *out);

#endif
