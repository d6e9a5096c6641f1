/**
 * What a stored value's header says, without any key: provider, key or plugin name, lengths,
 * and for kms v2 the key ID, DEK source type, annotations and a fingerprint of the wrapped DEK.
 * Used by `atrest inspect` and to inventory KMS values no plugin can open.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { fromUtf8, toAtrestError } from '@atrest/core';
import { EncryptedDEKSourceType, parseEncryptedObject } from '@atrest/kms';

/** The envelope of a stored value. */
export interface Envelope {
  /** From the prefix alone. `identity` when there is no `k8s:enc:` prefix. */
  readonly provider: 'identity' | 'aescbc' | 'aesgcm' | 'secretbox' | 'kms' | 'unknown';
  /** Key name, or kms plugin name; null for identity and unknown. */
  readonly keyName: string | null;
  /** The chain-entry id: `aesgcm:key2`, `kms:v2:plugin`, `identity`, `unknown`. */
  readonly id: string;
  /** The prefix (`k8s:enc:aesgcm:v1:key2:`); for unknown providers, the `k8s:enc:` part seen. */
  readonly prefix: string;
  readonly valueBytes: number;
  readonly payloadBytes: number;
  /** kms only. */
  readonly kms?: KmsEnvelope;
}

/** kms details. */
export interface KmsEnvelope {
  readonly apiVersion: 'v1' | 'v2';
  /** v1: length of the wrapped DEK. v2: length of encryptedDEKSource. */
  readonly wrappedDEKBytes?: number;
  /** SHA-256 (hex, first 16 digits) of the wrapped DEK: counts distinct DEKs, reveals nothing. */
  readonly wrappedDEKFingerprint?: string;
  /** v2 */
  readonly keyID?: string;
  /** v2: `AES_GCM_KEY` or `HKDF_SHA256_XNONCE_AES_GCM_SEED` (or `UNKNOWN(n)`). */
  readonly dekSourceType?: string;
  /** v2: annotation names and value sizes. */
  readonly annotations?: Readonly<Record<string, number>>;
  /** Set when the kms payload could not be parsed. */
  readonly problem?: string;
}

const ENC = 'k8s:enc:';
const fingerprint = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex').slice(0, 16);

function sourceTypeName(n: number): string {
  if (n === EncryptedDEKSourceType.AES_GCM_KEY) return 'AES_GCM_KEY';
  if (n === EncryptedDEKSourceType.HKDF_SHA256_XNONCE_AES_GCM_SEED) return 'HKDF_SHA256_XNONCE_AES_GCM_SEED';
  return `UNKNOWN(${n})`;
}

/** Read up to the next ':' after `from`; undefined when there is none. */
function field(text: string, from: number): string | undefined {
  const end = text.indexOf(':', from);
  return end < 0 ? undefined : text.slice(from, end);
}

/**
 * Parse the envelope of a stored value.
 *
 * @param value - the bytes as stored in etcd
 * @returns the envelope (never throws: malformed kms payloads are reported in `kms.problem`)
 * @example
 * ```ts
 * import { inspectEnvelope } from '@atrest/audit';
 * inspectEnvelope(new TextEncoder().encode('k8s:enc:aesgcm:v1:key1:...')).id; // 'aesgcm:key1'
 * ```
 */
export function inspectEnvelope(value: Uint8Array): Envelope {
  const head = fromUtf8(value.subarray(0, Math.min(value.length, 300)));
  if (!head.startsWith(ENC)) {
    return { provider: 'identity', keyName: null, id: 'identity', prefix: '', valueBytes: value.length, payloadBytes: value.length };
  }
  const provider = field(head, ENC.length);
  const version = provider === undefined ? undefined : field(head, ENC.length + provider.length + 1);
  if ((provider === 'aescbc' || provider === 'aesgcm' || provider === 'secretbox') && version === 'v1') {
    const at = ENC.length + provider.length + 1 + version.length + 1;
    const name = field(head, at);
    if (name !== undefined) {
      const prefix = `${head.slice(0, at)}${name}:`;
      const payloadBytes = value.length - new TextEncoder().encode(prefix).length;
      return { provider, keyName: name, id: `${provider}:${name}`, prefix, valueBytes: value.length, payloadBytes };
    }
  }
  if (provider === 'kms' && (version === 'v1' || version === 'v2')) {
    const at = ENC.length + 4 + version.length + 1;
    const name = field(head, at);
    if (name !== undefined) {
      const prefix = `${head.slice(0, at)}${name}:`;
      const start = new TextEncoder().encode(prefix).length;
      const payload = value.subarray(start);
      const base = { provider: 'kms' as const, keyName: name, id: `kms:${version}:${name}`, prefix, valueBytes: value.length, payloadBytes: payload.length };
      return { ...base, kms: version === 'v1' ? kmsV1(payload) : kmsV2(payload) };
    }
  }
  const colon = head.indexOf(':', ENC.length);
  const prefix = colon < 0 ? head.slice(0, Math.min(head.length, 40)) : head.slice(0, colon + 1);
  return { provider: 'unknown', keyName: null, id: 'unknown', prefix, valueBytes: value.length, payloadBytes: value.length };
}

function kmsV1(payload: Uint8Array): KmsEnvelope {
  if (payload.length < 2) return { apiVersion: 'v1', problem: 'payload shorter than the 2-byte DEK length' };
  const n = ((payload[0] as number) << 8) | (payload[1] as number);
  if (payload.length < 2 + n) return { apiVersion: 'v1', wrappedDEKBytes: n, problem: 'wrapped DEK length exceeds the payload' };
  const wrapped = payload.subarray(2, 2 + n);
  return { apiVersion: 'v1', wrappedDEKBytes: n, wrappedDEKFingerprint: fingerprint(wrapped) };
}

function kmsV2(payload: Uint8Array): KmsEnvelope {
  try {
    const o = parseEncryptedObject(payload);
    const annotations: Record<string, number> = {};
    for (const [k, v] of Object.entries(o.annotations)) annotations[k] = v.length;
    return {
      apiVersion: 'v2',
      keyID: o.keyID,
      dekSourceType: sourceTypeName(o.encryptedDEKSourceType),
      wrappedDEKBytes: o.encryptedDEKSource.length,
      wrappedDEKFingerprint: fingerprint(o.encryptedDEKSource),
      annotations,
    };
  } catch (err) {
    return { apiVersion: 'v2', problem: toAtrestError(err).message };
  }
}
