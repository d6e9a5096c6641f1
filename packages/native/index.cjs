/*
 * Loads atrest's optional native parts and reports what is missing instead of throwing:
 * - `addon`: AES-GCM / AES-CBC / HKDF-seeded GCM over Node's OpenSSL (built at install time by
 *   scripts/build-addon.cjs), or null with `addonError` saying why;
 * - `sodium`: libsodium's secretbox through sodium-native (prebuilt binaries from npm), or null
 *   with `sodiumError`.
 * `@atrest/core`'s `native` backend is built on these; see its docs for the seam.
 */
'use strict';
const path = require('node:path');

function load(request) {
  try {
    return { value: require(request), error: null };
  } catch (error) {
    return { value: null, error };
  }
}

// The addon resolves OpenSSL 3 symbols from the running node binary, bound when it loads
// (-z now), so a mismatch is a catchable load error; a Node without OpenSSL 3 is not even tried.
const openssl = String(process.versions.openssl || '');
const addon = openssl.startsWith('3.')
  ? load(path.join(__dirname, 'build', 'Release', 'atrest_native.node'))
  : { value: null, error: new Error(`the addon needs the OpenSSL 3 inside Node; this Node has ${openssl || 'none'}`) };
const sodium = load('sodium-native');
const sodiumPackage = sodium.value === null ? { value: null } : load('sodium-native/package.json');

// Assigned one by one (not `module.exports = { ... }`) so Node's CommonJS export detection sees
// every name and `import { addon, sodium, ... } from '@atrest/native'` works from ESM as declared
// in index.d.cts (test/exports.test.ts checks each declared name).
exports.addon = addon.value;
exports.addonError = addon.error;
exports.sodium = sodium.value;
exports.sodiumError = sodium.error;
exports.sodiumVersion = sodiumPackage.value === null ? null : String(sodiumPackage.value.version);
