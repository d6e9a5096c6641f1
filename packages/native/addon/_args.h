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

/** Reads a Uint8Array argument; returns 0 and throws a TypeError naming `what` otherwise. */
int atrest_get_bytes(napi_env env, napi_value value, const char *what, atrest_bytes *out);

/** Reads an unsigned 32-bit integer argument no greater than `max`; returns 0 and throws otherwise. */
int atrest_get_offset(napi_env env, napi_value value, const char *what, size_t max, size_t *out);

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

/** Registers `fn` as `exports[name]`; returns 0 on failure. */
int atrest_export(napi_env env, napi_value exports, const char *name, napi_callback fn);

#endif
