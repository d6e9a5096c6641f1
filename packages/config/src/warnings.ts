/**
 * Warnings beyond upstream's validation: configurations kube-apiserver accepts but that are
 * probably not what the operator meant, or use providers upstream no longer recommends.
 * Never includes key material in any text.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { tryBase64Decode } from '@atrest/core/go';
import { parseGroupResource } from './group-resource.js';
import type { EncryptionConfiguration, KeyConfiguration } from './types.js';

/** What a {@link ConfigWarning} is about. */
export type ConfigWarningKind =
  /** `identity` writes while other providers follow it: nothing new gets encrypted. */
  | 'identity-first'
  /** `aescbc` is in use: upstream's documentation no longer recommends it. */
  | 'aescbc'
  /** kms `apiVersion: v1`: deprecated, and off by default since Kubernetes 1.29. */
  | 'kms-v1'
  /** The same decoded key material appears under two different key names. */
  | 'duplicate-key'
  /** An AES key shorter than 32 bytes. */
  | 'short-aes-key'
  /** A resource named exactly in one rule is also covered by a wildcard in another rule. */
  | 'wildcard-and-exact';

/** One warning: a field path in the style of {@link FieldIssue}, a kind and a text for people. */
export interface ConfigWarning {
  /** Field path: `resources[0].providers[1].aescbc`. */
  readonly field: string;
  readonly kind: ConfigWarningKind;
  /** What is wrong and what to do instead; never contains key material. */
  readonly text: string;
}

interface KeySite {
  readonly name: string;
  readonly field: string;
}

/**
 * Warnings for a parsed configuration beyond kube-apiserver's own rules (run
 * `validateEncryptionConfiguration` for those): identity written first, aescbc, kms v1, one key's
 * material under two names, AES keys shorter than 32 bytes, and resources covered both by an
 * exact rule and by a wildcard rule. Keys that fail to decode are skipped (validation reports them).
 *
 * @param config - a parsed configuration
 * @returns the warnings in file order, then the duplicate-key and wildcard findings
 * @example
 * ```ts
 * import { configWarnings, parseEncryptionConfiguration } from '@atrest/config';
 * const config = parseEncryptionConfiguration(
 *   'apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n' +
 *     '  - resources: [secrets]\n    providers: [{identity: {}}, {aescbc: {keys: [{name: k, secret: c2VjcmV0IGlzIHNlY3VyZSwgb3IgaXMgaXQ/IGhtbS4=}]}}]\n',
 * );
 * configWarnings(config).map((w) => w.kind); // ['identity-first', 'aescbc']
 * ```
 */
export function configWarnings(config: EncryptionConfiguration): ConfigWarning[] {
  const out: ConfigWarning[] = [];
  const seen = new Map<string, KeySite>();
  const duplicates: ConfigWarning[] = [];
  const checkKeys = (keys: readonly KeyConfiguration[], field: string, aes: boolean): void => {
    keys.forEach((key, k) => {
      const keyField = `${field}.keys[${k}]`;
      const decoded = key.secret.length === 0 ? undefined : tryBase64Decode(key.secret.expose());
      if (decoded === undefined || decoded.length === 0) return;
      const length = decoded.length;
      // Keys are grouped by a digest of the decoded material, so the secrets themselves are never
      // compared byte by byte (no timing signal) nor kept; the digest is never printed.
      const digest = bytesToHex(sha256(decoded));
      decoded.fill(0);
      if (aes && length < 32) {
        out.push({
          field: `${keyField}.secret`,
          kind: 'short-aes-key',
          text: `key "${key.name}" is ${length * 8}-bit (${length} bytes); use a 32-byte (256-bit) key`,
        });
      }
      const first = seen.get(digest);
      if (first === undefined) seen.set(digest, { name: key.name, field: keyField });
      else if (first.name !== key.name) {
        duplicates.push({
          field: `${keyField}.secret`,
          kind: 'duplicate-key',
          text: `key "${key.name}" has the same key material as key "${first.name}" at ${first.field}; give each key name its own secret`,
        });
      }
    });
  };

  config.resources.forEach((rule, i) => {
    rule.providers.forEach((p, j) => {
      const field = `resources[${i}].providers[${j}]`;
      if (p.identity !== undefined && j === 0 && rule.providers.length > 1) {
        out.push({
          field: `${field}.identity`,
          kind: 'identity-first',
          text: 'identity is the first provider, so new writes are stored unencrypted; the providers after it are only used for reading',
        });
      }
      if (p.aescbc !== undefined) {
        out.push({
          field: `${field}.aescbc`,
          kind: 'aescbc',
          text: 'aescbc is no longer recommended by upstream (vulnerable to padding oracle attacks); use kms v2 or aesgcm',
        });
        checkKeys(p.aescbc.keys, `${field}.aescbc`, true);
      }
      if (p.aesgcm !== undefined) checkKeys(p.aesgcm.keys, `${field}.aesgcm`, true);
      if (p.secretbox !== undefined) checkKeys(p.secretbox.keys, `${field}.secretbox`, false);
      if (p.kms !== undefined && (p.kms.apiVersion === 'v1' || p.kms.apiVersion === '')) {
        out.push({
          field: `${field}.kms.apiVersion`,
          kind: 'kms-v1',
          text: 'kms v1 is deprecated and disabled by default since Kubernetes 1.29 (feature gate KMSv1); migrate to kms apiVersion v2',
        });
      }
    });
  });
  out.push(...duplicates, ...wildcardAndExact(config));
  return out;
}

function wildcardAndExact(config: EncryptionConfiguration): ConfigWarning[] {
  const wildcards: { text: string; group: string; field: string; rule: number }[] = [];
  config.resources.forEach((rule, i) =>
    rule.resources.forEach((text, k) => {
      const gr = parseGroupResource(text);
      if (gr.resource === '*') wildcards.push({ text, group: gr.group, field: `resources[${i}].resources[${k}]`, rule: i });
    }),
  );
  const out: ConfigWarning[] = [];
  if (wildcards.length === 0) return out;
  config.resources.forEach((rule, i) =>
    rule.resources.forEach((text, k) => {
      const gr = parseGroupResource(text);
      if (gr.resource === '*') return;
      for (const w of wildcards) {
        if (w.rule === i || (w.group !== '*' && w.group !== gr.group)) continue;
        out.push({
          field: `resources[${i}].resources[${k}]`,
          kind: 'wildcard-and-exact',
          text: `"${text}" is also covered by "${w.text}" at ${w.field}; kube-apiserver uses this rule's providers for it, not the wildcard's`,
        });
      }
    }),
  );
  return out;
}
