/*
 * Argument handling shared by every function of the addon.
 *
 * Every entry point validates its arguments completely before touching memory: byte arguments
 * must be Uint8Arrays (Node Buffers are), offsets unsigned 32-bit integers inside the array,
 * handles externals carrying this addon's type tag for the expected kind. Violations throw a
 * JavaScript TypeError or RangeError whose text names the argument, never its contents.
 */
#ifndef ATREST_ARGS_H
#define ATREST_ARGS_H

#define NAPI_VERSION 8
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

/** A borrowed view of a Uint8Array argument's bytes (valid for the duration of the call). */
typedef struct {
  uint8_t *data;
  size_t length;
} atrest_bytes;

/** Handle kinds; each has its own type tag so one kind can never be used as another. */
typedef enum { ATREST_HANDLE_GCM = 0, ATREST_HANDLE_CBC = 1, ATREST_HANDLE_HKDF_GCM = 2 } atrest_handle_kind;

/** Reads up to `max` arguments; returns 0 and throws when fewer than `want` were given. */
int atrest_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv);

/** Reads a Uint8Array argument; returns 0 and throws a TypeError ("<fn>: <name> must be a Uint8Array") otherwise. */
int atrest_get_bytes(napi_env env, napi_value value, const char *fn, const char *name, atrest_bytes *out);

/** Reads an unsigned 32-bit integer argument no greater than of->length; returns 0 and throws
    ("<fn>: <name> must be an offset inside <of_name>": a TypeError for a non-number, else a RangeError). */
int atrest_get_offset(napi_env env, napi_value value, const char *fn, const char *name, const atrest_bytes *of,
                      const char *of_name, size_t *out);

/** Wraps `pointer` in a tagged external with `finalize`; returns NULL (and frees via finalize) on failure. */
napi_value atrest_new_handle(napi_env env, atrest_handle_kind kind, void *pointer, napi_finalize finalize);

/** Unwraps a handle of `kind`; returns NULL and throws a TypeError when it is anything else. */
void *atrest_get_handle(napi_env env, napi_value value, atrest_handle_kind kind);

/** Throws a RangeError with a fixed message (no data is ever formatted into it). */
void atrest_throw_range(napi_env env, const char *message);

/** Throws an Error for an OpenSSL failure that should not happen (allocation, provider). */
void atrest_throw_crypto(napi_env env, const char *operation);

/** True when [a, a+alen) and [b, b+blen) share a byte. */
int atrest_overlap(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

/** The five arguments of every AEAD seal and open, fn(handle, buf, at, second, third), all checked.
    Seal: buf is out, second the plaintext, third the additional data. Open: buf is the stored data,
    second the additional data, third out. */
typedef struct {
  void *key;
  atrest_bytes buf;
  size_t at;
  atrest_bytes second;
  atrest_bytes third;
} atrest_aead_call;

/** The tag length of every AEAD here; fixed, so OpenSSL never accepts a shorter tag on open. */
#define ATREST_TAG 16

/** Which way an AEAD call goes; it names the byte arguments in error texts. */
typedef enum { ATREST_SEAL = 0, ATREST_OPEN = 1 } atrest_aead_way;

/** Reads an AEAD call's arguments; `fn` and `way` only name them in error texts. */
int atrest_aead_args(napi_env env, napi_callback_info info, atrest_handle_kind kind, const char *fn, atrest_aead_way way,
                     atrest_aead_call *call);

/** Where a seal writes its ciphertext: out[at + header, ...), which must hold the plaintext and the
    tag and must not overlap the plaintext. NULL after throwing a RangeError. */
uint8_t *atrest_seal_target(napi_env env, const char *fn, const atrest_aead_call *call, size_t header);

/** Bounds of an open of data[at, end) = header || ciphertext || tag into out: 1 with the plaintext
    length in *n; 0 when the data is too short to be a value (the caller answers false); -1 after
    throwing a RangeError (out too small, or overlapping the data). */
int atrest_open_bounds(napi_env env, const char *fn, const atrest_aead_call *call, size_t header, size_t *n);

/** Registers `fn` as `exports[name]`; returns 0 on failure. */
int atrest_export(napi_env env, napi_value exports, const char *name, napi_callback fn);

#endif
