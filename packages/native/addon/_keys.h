/*
 * The one shape of a key handle's memory. Every key struct starts with an atrest_key_head: up to
 * two OpenSSL contexts (by convention ctx[1] encrypts and ctx[0] decrypts) and the struct's size.
 * One finalizer frees both contexts (OpenSSL cleanses their key schedules), cleanses the whole
 * struct (raw keys, HMAC states) and frees it, whichever kind of key it is.
 */
#ifndef ATREST_KEYS_H
#define ATREST_KEYS_H

#include <openssl/evp.h>

#include "_args.h"

typedef struct {
  EVP_CIPHER_CTX *ctx[2];
  size_t size;
} atrest_key_head;

/** A zeroed key struct of `size` bytes (at least an atrest_key_head); NULL when out of memory. */
void *atrest_key_new(size_t size);

/** Frees a key struct made by atrest_key_new: contexts, cleansed memory. Also the handle finalizer. */
void atrest_key_free(napi_env env, void *key, void *hint);

/** Reads a key constructor's one argument (a TypeError "<fn>: key must be a Uint8Array" otherwise). */
int atrest_key_arg(napi_env env, napi_callback_info info, const char *fn, atrest_bytes *key);

/** Wraps a key struct in a handle of `kind` that frees it with atrest_key_free. */
napi_value atrest_key_handle(napi_env env, atrest_handle_kind kind, void *key);

#endif
