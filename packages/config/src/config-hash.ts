/**
 * The hash kube-apiserver reports for the encryption configuration file it has loaded.
 *
 * Upstream (`k8s.io/apiserver/pkg/server/options/encryptionconfig`, `computeEncryptionConfigHash`
 * in `config.go`) takes SHA-256 of the file's raw bytes exactly as read from disk (no parsing,
 * no normalisation of line endings or whitespace) and renders it as the lowercase hex digest
 * after the fixed prefix `k8s:enc:unstable:1:`. That string is the `hash` label of the metric
 * `apiserver_encryption_config_controller_last_config_info` (the `apiserver_id_hash` label beside it
 * is `sha256:<hex>` of the apiserver's identity, not of the file). Older releases (before the
 * prefix and the metric) kept the bare hex digest internally; upstream calls the format unstable
 * across releases, so {@link configHashHex} is exported too.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

/** The prefix upstream puts before the hex digest. */
export const CONFIG_HASH_PREFIX = 'k8s:enc:unstable:1:';

/**
 * The lowercase hex SHA-256 digest of the configuration file's bytes (what releases before the
 * `k8s:enc:unstable:1:` prefix reported).
 *
 * @param bytes - the file exactly as kube-apiserver reads it
 * @example
 * ```ts
 * import { configHashHex } from '@atrest/config';
 * configHashHex(new Uint8Array(0)); // 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
 * ```
 */
export function configHashHex(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes));
}

/**
 * The configuration hash exactly as kube-apiserver exports it in the `hash` label of
 * `apiserver_encryption_config_controller_last_config_info`: `k8s:enc:unstable:1:` followed by the
 * lowercase hex SHA-256 of the raw file bytes. Pass the bytes, not decoded text: a BOM, CRLF line
 * endings or a trailing newline all change the hash, as they do upstream.
 *
 * @param bytes - the file exactly as kube-apiserver reads it
 * @example
 * ```ts
 * import { configHash } from '@atrest/config';
 * import { readFileSync } from 'node:fs';
 * const hash = configHash(readFileSync('/etc/kubernetes/enc.yaml'));
 * // 'k8s:enc:unstable:1:…', compare with every apiserver's
 * // apiserver_encryption_config_controller_last_config_info{hash="…"}
 * ```
 */
export function configHash(bytes: Uint8Array): string {
  return CONFIG_HASH_PREFIX + configHashHex(bytes);
}
