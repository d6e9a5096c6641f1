/* Cipher fetching and chunked updates; see _ciphers.h. */
#include "_ciphers.h"

#include <pthread.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static EVP_CIPHER *gcm[3];
static EVP_CIPHER *cbc[3];
static int ready;

static void fetch_all(void) {
  static const char *gcm_names[3] = {"AES-128-GCM", "AES-192-GCM", "AES-256-GCM"};
  static const char *cbc_names[3] = {"AES-128-CBC", "AES-192-CBC", "AES-256-CBC"};
  int ok = 1;
  for (int i = 0; i < 3; i++) {
    gcm[i] = EVP_CIPHER_fetch(NULL, gcm_names[i], NULL);
    cbc[i] = EVP_CIPHER_fetch(NULL, cbc_names[i], NULL);
    ok = ok && gcm[i] != NULL && cbc[i] != NULL;
  }
  ready = ok;
}

int atrest_ciphers_init(void) {
  pthread_once(&once, fetch_all);
  return ready;
}

static int index_of(size_t key_length) {
  switch (key_length) {
    case 16: return 0;
    case 24: return 1;
    case 32: return 2;
    default: return -1;
  }
}

EVP_CIPHER *atrest_aes_gcm(size_t key_length) {
  int i = index_of(key_length);
  return i < 0 || !ready ? NULL : gcm[i];
}

EVP_CIPHER *atrest_aes_cbc(size_t key_length) {
  int i = index_of(key_length);
  return i < 0 || !ready ? NULL : cbc[i];
}

int atrest_cipher_update(EVP_CIPHER_CTX *ctx, unsigned char *out, const unsigned char *in, size_t length) {
  while (length > 0) {
    size_t n = length < ATREST_EVP_CHUNK ? length : ATREST_EVP_CHUNK;
    int written = 0;
    if (EVP_CipherUpdate(ctx, out, &written, in, (int)n) != 1 || (size_t)written != n) return 0;
    if (out != NULL) out += n;
    in += n;
    length -= n;
  }
  return 1;
}
