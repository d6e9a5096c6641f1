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

const addon = load(path.join(__dirname, 'build', 'Release', 'atrest_native.node'));
const sodium = load('sodium-native');
const sodiumPackage = sodium.value === null ? { value: null } : load('sodium-native/package.json');

module.exports = {
  addon: addon.value,
  addonError: addon.error,
  sodium: sodium.value,
  sodiumError: sodium.error,
  sodiumVersion: sodiumPackage.value === null ? null : String(sodiumPackage.value.version),
};
