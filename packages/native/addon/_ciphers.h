/*
 * The OpenSSL cipher implementations the addon uses, fetched once per process.
 *
 * OpenSSL 3 looks an algorithm up in its providers on every init when given `EVP_aes_256_gcm()`
 * ("implicit fetch"); fetching once and reusing the result removes that lookup from the hot path.
 * The fetched objects live for the process; they hold no key material.
 */
#ifndef ATREST_CIPHERS_H
#define ATREST_CIPHERS_H

#include <openssl/evp.h>
#include <stddef.h>

/** Fetches every cipher; returns 1 when all are available (safe to call from several threads). */
int atrest_ciphers_init(void);

/** AES-GCM for a 16-, 24- or 32-byte key; NULL for another length. */
EVP_CIPHER *atrest_aes_gcm(size_t key_length);

/** AES-CBC for a 16-, 24- or 32-byte key; NULL for another length. */
EVP_CIPHER *atrest_aes_cbc(size_t key_length);

/** Largest length handed to one EVP update call (its length parameter is an int). */
#define ATREST_EVP_CHUNK ((size_t)1 << 30)

/** EVP_CipherUpdate over any length, in chunks; returns 1 on success. */
int atrest_cipher_update(EVP_CIPHER_CTX *ctx, unsigned char *out, const unsigned char *in, size_t length);

#endif
