/* Key handles' memory; see _keys.h. */
#include "_keys.h"

#include <openssl/crypto.h>
#include <stdlib.h>

void *atrest_key_new(size_t size) {
  atrest_key_head *head = calloc(1, size);
  if (head != NULL) head->size = size;
  return head;
}

void atrest_key_free(napi_env env, void *key, void *hint) {
  (void)env;
  (void)hint;
  atrest_key_head *head = key;
  EVP_CIPHER_CTX_free(head->ctx[0]); /* frees and cleanses the key schedule; NULL is a no-op */
  EVP_CIPHER_CTX_free(head->ctx[1]);
  OPENSSL_cleanse(key, head->size);
  free(key);
}

int atrest_key_arg(napi_env env, napi_callback_info info, const char *fn, atrest_bytes *key) {
  napi_value argv[1];
  return atrest_args(env, info, 1, argv) && atrest_get_bytes(env, argv[0], fn, "key", key);
}

napi_value atrest_key_handle(napi_env env, atrest_handle_kind kind, void *key) {
  return atrest_new_handle(env, kind, key, atrest_key_free);
}
