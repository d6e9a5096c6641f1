/*
 * atrest's native crypto addon: AES-GCM, AES-CBC and KMS v2's HKDF-seeded AES-GCM over the
 * OpenSSL that Node itself ships (its symbols are exported by the node binary; nothing else is
 * linked). Keys are prepared once into OpenSSL contexts held by tagged external handles and freed
 * (and cleansed) when the handle is garbage-collected.
 *
 * The JavaScript side (`@atrest/core`'s `native` backend) allocates every output and fills nonces
 * from the CSPRNG; this addon only transforms bytes in place or into the given arrays, after
 * checking every bound. ABI_VERSION changes whenever a signature below changes, so a core that
 * expects another ABI falls back instead of calling into the wrong shape.
 */
#include <openssl/crypto.h>

#include "_args.h"
#include "_ciphers.h"
#include "aes.h"

#define ATREST_NATIVE_ABI 1

NAPI_MODULE_INIT() {
  if (!atrest_ciphers_init()) {
    napi_throw_error(env, "ERR_NATIVE_CRYPTO", "atrest native: OpenSSL has no AES-GCM/AES-CBC (provider not loaded?)");
    return NULL;
  }
  napi_value abi, version;
  if (napi_create_uint32(env, ATREST_NATIVE_ABI, &abi) != napi_ok ||
      napi_set_named_property(env, exports, "ABI_VERSION", abi) != napi_ok ||
      napi_create_string_utf8(env, OpenSSL_version(OPENSSL_VERSION), NAPI_AUTO_LENGTH, &version) != napi_ok ||
      napi_set_named_property(env, exports, "OPENSSL_VERSION", version) != napi_ok ||
      !atrest_export(env, exports, "gcmKey", atrest_gcm_key) || !atrest_export(env, exports, "gcmSeal", atrest_gcm_seal) ||
      !atrest_export(env, exports, "gcmOpen", atrest_gcm_open) || !atrest_export(env, exports, "cbcKey", atrest_cbc_key) ||
      !atrest_export(env, exports, "cbcEncrypt", atrest_cbc_encrypt) ||
      !atrest_export(env, exports, "cbcDecrypt", atrest_cbc_decrypt) ||
      !atrest_export(env, exports, "hkdfGcmKey", atrest_hkdf_gcm_key) ||
      !atrest_export(env, exports, "hkdfGcmSeal", atrest_hkdf_gcm_seal) ||
      !atrest_export(env, exports, "hkdfGcmOpen", atrest_hkdf_gcm_open))
    return NULL;
  return exports;
}
