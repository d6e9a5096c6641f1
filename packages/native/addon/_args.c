/* Argument validation for the addon's entry points; see _args.h. */
#include "_args.h"

#include <openssl/err.h>
#include <stdio.h>

/* One random 128-bit tag per handle kind (fixed: a tag only has to differ from other addons'). */
static const napi_type_tag handle_tags[] = {
    {0x6a1b5f0e2c9d4b7aULL, 0x8e3f0d6c5b4a3921ULL}, /* gcm */
    {0x1f2e3d4c5b6a7988ULL, 0x0a9b8c7d6e5f4031ULL}, /* cbc */
    {0x55c3a1e7b9d20f46ULL, 0xd4e5f60718293a4bULL}, /* hkdf-gcm */
};

int atrest_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) {
    napi_throw_error(env, "ERR_NATIVE_ARGUMENT", "atrest native: could not read the arguments");
    return 0;
  }
  if (argc < want) {
    napi_throw_type_error(env, "ERR_NATIVE_ARGUMENT", "atrest native: too few arguments");
    return 0;
  }
  return 1;
}

/* Error texts name the function and the argument, never a value; formatted only on failure.
   `format` takes up to two %s, filled from the names `a` and `b`. */
static void throw_named(napi_env env, int type_error, const char *fn, const char *format, const char *a, const char *b) {
  char text[128];
  char message[160];
  snprintf(text, sizeof text, format, a, b);
  snprintf(message, sizeof message, "%s: %s", fn, text);
  if (type_error) {
    napi_throw_type_error(env, "ERR_NATIVE_ARGUMENT", message);
  } else {
    napi_throw_range_error(env, "ERR_NATIVE_ARGUMENT", message);
  }
}

int atrest_get_bytes(napi_env env, napi_value value, const char *fn, const char *name, atrest_bytes *out) {
  /* napi_get_typedarray_info fails (napi_invalid_arg) for anything that is not a typed array. */
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  if (napi_get_typedarray_info(env, value, &type, &length, &data, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    throw_named(env, 1, fn, "%s must be a Uint8Array", name, NULL);
    return 0;
  }
  /* A detached or empty array may report NULL data; callers only dereference within length. */
  out->data = (uint8_t *)data;
  out->length = length;
  return 1;
}

int atrest_get_offset(napi_env env, napi_value value, const char *fn, const char *name, const atrest_bytes *of,
                      const char *of_name, size_t *out) {
  uint32_t v = 0;
  napi_valuetype t;
  if (napi_typeof(env, value, &t) != napi_ok || t != napi_number || napi_get_value_uint32(env, value, &v) != napi_ok) {
    throw_named(env, 1, fn, "%s must be an offset inside %s", name, of_name);
    return 0;
  }
  double d = 0;
  napi_get_value_double(env, value, &d);
  if (d != (double)v || (size_t)v > of->length) {
    throw_named(env, 0, fn, "%s must be an offset inside %s", name, of_name);
    return 0;
  }
  *out = v;
  return 1;
}

napi_value atrest_new_handle(napi_env env, atrest_handle_kind kind, void *pointer, napi_finalize finalize) {
  napi_value handle;
  if (napi_create_external(env, pointer, finalize, NULL, &handle) != napi_ok) {
    finalize(env, pointer, NULL);
    napi_throw_error(env, "ERR_NATIVE_CRYPTO", "atrest native: could not create a key handle");
    return NULL;
  }
  if (napi_type_tag_object(env, handle, &handle_tags[kind]) != napi_ok) {
    /* The finalizer owns the pointer now; an untagged handle is never returned. */
    napi_throw_error(env, "ERR_NATIVE_CRYPTO", "atrest native: could not tag a key handle");
    return NULL;
  }
  return handle;
}

void *atrest_get_handle(napi_env env, napi_value value, atrest_handle_kind kind) {
  napi_valuetype t;
  bool tagged = false;
  void *pointer = NULL;
  if (napi_typeof(env, value, &t) != napi_ok || t != napi_external ||
      napi_check_object_type_tag(env, value, &handle_tags[kind], &tagged) != napi_ok || !tagged ||
      napi_get_value_external(env, value, &pointer) != napi_ok || pointer == NULL) {
    napi_throw_type_error(env, "ERR_NATIVE_ARGUMENT", "atrest native: not a key handle of the expected kind");
    return NULL;
  }
  return pointer;
}

void atrest_throw_range(napi_env env, const char *message) { napi_throw_range_error(env, "ERR_NATIVE_ARGUMENT", message); }

void atrest_throw_crypto(napi_env env, const char *operation) {
  /* OpenSSL's error queue is per thread; drain it so a later, unrelated call does not see it. */
  ERR_clear_error();
  napi_throw_error(env, "ERR_NATIVE_CRYPTO", operation);
}

int atrest_overlap(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen) {
  if (alen == 0 || blen == 0) return 0;
  uintptr_t as = (uintptr_t)a, bs = (uintptr_t)b;
  return as < bs + blen && bs < as + alen;
}

int atrest_export(napi_env env, napi_value exports, const char *name, napi_callback fn) {
  napi_value f;
  return napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, NULL, &f) == napi_ok &&
         napi_set_named_property(env, exports, name, f) == napi_ok;
}

/* The byte arguments' names, (buf, second, third), for each way. */
static const char *const AEAD_NAMES[2][3] = {{"out", "plaintext", "aad"}, {"data", "aad", "out"}};

int atrest_aead_args(napi_env env, napi_callback_info info, atrest_handle_kind kind, const char *fn, atrest_aead_way way,
                     atrest_aead_call *call) {
  const char *const *names = AEAD_NAMES[way];
  napi_value argv[5];
  if (!atrest_args(env, info, 5, argv)) return 0;
  call->key = atrest_get_handle(env, argv[0], kind);
  return call->key != NULL && atrest_get_bytes(env, argv[1], fn, names[0], &call->buf) &&
         atrest_get_offset(env, argv[2], fn, "at", &call->buf, names[0], &call->at) &&
         atrest_get_bytes(env, argv[3], fn, names[1], &call->second) && atrest_get_bytes(env, argv[4], fn, names[2], &call->third);
}

uint8_t *atrest_seal_target(napi_env env, const char *fn, const atrest_aead_call *call, size_t header) {
  size_t room = call->buf.length - call->at;
  size_t length = call->second.length;
  if (room < header + ATREST_TAG || room - header - ATREST_TAG < length) {
    throw_named(env, 0, fn, "out is too small for the header, ciphertext and tag", NULL, NULL);
    return NULL;
  }
  uint8_t *sealed = call->buf.data + call->at + header;
  if (atrest_overlap(sealed, length + ATREST_TAG, call->second.data, length)) {
    throw_named(env, 0, fn, "out must not overlap plaintext", NULL, NULL);
    return NULL;
  }
  return sealed;
}

int atrest_open_bounds(napi_env env, const char *fn, const atrest_aead_call *call, size_t header, size_t *n) {
  size_t payload = call->buf.length - call->at;
  if (payload < header + ATREST_TAG) return 0;
  *n = payload - header - ATREST_TAG;
  if (call->third.length < *n) {
    throw_named(env, 0, fn, "out is too small for the plaintext", NULL, NULL);
    return -1;
  }
  if (atrest_overlap(call->third.data, *n, call->buf.data + call->at, payload)) {
    throw_named(env, 0, fn, "out must not overlap data", NULL, NULL);
    return -1;
  }
  return 1;
}
