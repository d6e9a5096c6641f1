/**
 * Classifying one stored value the way an auditor reports it: which provider and key its prefix
 * names, whether kube-apiserver with this configuration would read it (and whether it would be
 * stale), and what it is once decrypted.
 * @module
 */
import { isPromise, type ReadResult, toAtrestError, type Transformer, utf8 } from '@atrest/core';
import { decodeObject } from '@atrest/kube-objects';
import { type Envelope, inspectEnvelope } from './envelope.js';

/** What the auditor reports for one value (the manifest's `classification`). */
export interface Classification {
  /** `aesgcm:key2`, `aescbc:key1`, `kms:v2:plugin`, `identity`, `unknown`. */
  readonly id: string;
  readonly provider: Envelope['provider'];
  readonly keyName: string | null;
  readonly kmsApiVersion?: 'v1' | 'v2';
  readonly kmsKeyID?: string;
  readonly kmsDEKSourceType?: string;
  /** unknown providers only: the `k8s:enc:` prefix seen. */
  readonly prefix?: string;
  /** Upstream's stale flag under the configuration; null when undecryptable. */
  readonly stale: boolean | null;
  /** `plaintext`: read by identity. */
  readonly status: 'encrypted' | 'plaintext' | 'undecryptable';
  /** undecryptable only: upstream's error text. */
  readonly error?: string;
}

/** A decoded object, summarized (never its data). */
export interface ObjectSummary {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

/** Classification plus, when readable, the plaintext and its object summary. */
export interface ClassifiedValue {
  readonly classification: Classification;
  readonly envelope: Envelope;
  /** Present when the value was read; callers must not print it unless asked to dump. */
  readonly plaintext?: Uint8Array;
  readonly object?: ObjectSummary;
  /** Set when the plaintext is not a decodable Kubernetes object. */
  readonly decodeError?: string;
}

/**
 * The fields of a classification that come from the envelope alone.
 * @internal
 */
export function classificationBase(envelope: Envelope): Omit<Classification, 'stale' | 'status' | 'error'> {
  const kms = envelope.kms;
  return {
    id: envelope.id,
    provider: envelope.provider,
    keyName: envelope.keyName,
    ...(kms ? { kmsApiVersion: kms.apiVersion } : {}),
    ...(kms?.keyID !== undefined ? { kmsKeyID: kms.keyID } : {}),
    ...(kms?.dekSourceType !== undefined ? { kmsDEKSourceType: kms.dekSourceType } : {}),
    ...(envelope.provider === 'unknown' ? { prefix: envelope.prefix } : {}),
  };
}

function summarize(plaintext: Uint8Array): { object?: ObjectSummary; decodeError?: string } {
  try {
    const o = decodeObject(plaintext, { payloads: false });
    const m = o.metadata;
    return {
      object: { apiVersion: o.apiVersion, kind: o.kind, namespace: m?.namespace ?? '', name: m?.name ?? '', uid: m?.uid ?? '' },
    };
  } catch (err) {
    return { decodeError: toAtrestError(err).message };
  }
}

function settle(envelope: Envelope, outcome: { result: ReadResult } | { error: unknown }): ClassifiedValue {
  if ('error' in outcome) {
    return {
      envelope,
      classification: { ...classificationBase(envelope), stale: null, status: 'undecryptable', error: toAtrestError(outcome.error).message },
    };
  }
  const r = outcome.result;
  const status = r.source === 'identity' ? 'plaintext' : 'encrypted';
  return { envelope, classification: { ...classificationBase(envelope), stale: r.stale, status }, plaintext: r.plaintext, ...summarize(r.plaintext) };
}

/**
 * Classify a stored value by reading it through the resource's transformer.
 *
 * @param transformer - `transformerForResource(resource)` of the audited configuration
 * @param etcdKey - the value's etcd key (the authenticated data)
 * @param value - the stored bytes
 * @returns the classification; synchronous unless a KMS plugin had to be called
 * @example
 * ```ts
 * import { classifyValue } from '@atrest/audit';
 * import { loadEncryptionConfiguration } from '@atrest/config';
 * declare const configYaml: string, stored: Uint8Array;
 * const t = loadEncryptionConfiguration(configYaml).transformerForResource('secrets');
 * const c = await classifyValue(t, '/registry/secrets/default/db', stored);
 * c.classification.status; // 'encrypted' | 'plaintext' | 'undecryptable'
 * ```
 */
export function classifyValue(transformer: Transformer, etcdKey: string, value: Uint8Array): ClassifiedValue | Promise<ClassifiedValue> {
  const envelope = inspectEnvelope(value);
  let r;
  try {
    r = transformer.read(value, utf8(etcdKey));
  } catch (error) {
    return settle(envelope, { error });
  }
  if (isPromise(r)) return r.then((result) => settle(envelope, { result }), (error: unknown) => settle(envelope, { error }));
  return settle(envelope, { result: r });
}

