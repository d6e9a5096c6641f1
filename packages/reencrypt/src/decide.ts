/**
 * What re-encryption does with one stored value, decided before anything is written:
 * - **current**: the chain reads it and it is not stale (under the first provider and key, or,
 *   for kms v2, under the plugin's current key ID; identity-first configs count plaintext as
 *   current);
 * - **rewrite**: it is stale, its plaintext decodes as a Kubernetes object, and the write
 *   provider's new bytes were read back through the same chain to the identical plaintext, not
 *   stale. Only then is the new value offered for writing;
 * - **skip**, with the reason: undecryptable (no configured key reads it), undecodable (the
 *   plaintext is not an object: writing it under a new key would hide that), or a read-back that
 *   did not give the plaintext back.
 *
 * The etcd key goes to the transformer as its exact bytes (kube-apiserver's authenticated data).
 * Plaintexts stay in this function and are never part of a decision's text.
 *
 * @module
 */
import { constantTimeEqual, toAtrestError, type Transformer } from '@atrest/core';
import { inspectEnvelope } from '@atrest/audit';
import { checkObject } from '@atrest/kube-objects';

/** Why a value is left as it is. */
export type SkipReason = 'undecryptable' | 'undecodable' | 'read-back';

/** The decision for one value. */
export type Decision =
  | { readonly kind: 'current'; readonly from: string }
  | { readonly kind: 'rewrite'; readonly from: string; readonly to: string; readonly value: Uint8Array }
  | { readonly kind: 'skip'; readonly from: string; readonly reason: SkipReason; readonly detail: string };

/**
 * Decide what to do with one stored value.
 *
 * @param transformer - the resource's chain (`config.transformerForResource(gr)`)
 * @param key - the etcd key's exact bytes
 * @param value - the stored bytes
 * @returns the decision; a rewrite carries the new, verified bytes
 * @example
 * ```ts
 * import { decide } from '@atrest/reencrypt';
 * import { loadEncryptionConfiguration } from '@atrest/config';
 * declare const configYaml: string, stored: Uint8Array;
 * const key = new TextEncoder().encode('/registry/secrets/default/db');
 * const d = await decide(loadEncryptionConfiguration(configYaml).transformerForResource('secrets'), key, stored);
 * if (d.kind === 'rewrite') console.log(`${d.from} -> ${d.to}`);
 * ```
 */
export async function decide(transformer: Transformer, key: Uint8Array, value: Uint8Array): Promise<Decision> {
  const from = inspectEnvelope(value).id;
  let read;
  try {
    read = await transformer.read(value, key);
  } catch (err) {
    return { kind: 'skip', from, reason: 'undecryptable', detail: toAtrestError(err).describe() };
  }
  if (!read.stale) return { kind: 'current', from };
  try {
    checkObject(read.plaintext);
  } catch (err) {
    return { kind: 'skip', from, reason: 'undecodable', detail: toAtrestError(err).describe() };
  }
  let written: Uint8Array;
  let back;
  try {
    written = await transformer.write(read.plaintext, key);
    back = await transformer.read(written, key);
  } catch (err) {
    return { kind: 'skip', from, reason: 'read-back', detail: `the new value could not be written and read back: ${toAtrestError(err).describe()}` };
  }
  if (back.stale || !constantTimeEqual(back.plaintext, read.plaintext)) {
    return { kind: 'skip', from, reason: 'read-back', detail: back.stale ? 'the new value reads back as stale' : 'the new value reads back to other bytes' };
  }
  return { kind: 'rewrite', from, to: inspectEnvelope(written).id, value: written };
}
