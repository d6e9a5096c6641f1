/**
 * One comparable shape for "what a reader made of a stored value", whether the reader is atrest
 * or the Go peer: the plaintext (base64, so large values compare as strings) and stale flag, or
 * the error message. Differential properties assert the two readers' outcomes are equal.
 *
 * @module
 */
import { AtrestError, type MaybePromise, type ReadResult } from '@atrest/core';
import type { PeerDecryptOutcome } from './go-peer.js';

/** A read's result, comparable with `toEqual`. */
export type ReadOutcome = { readonly ok: true; readonly plaintext: string; readonly stale: boolean } | { readonly ok: false; readonly error: string };

/** Standard base64 of some bytes. */
export const b64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/**
 * Run an atrest read and record its outcome. Anything thrown that is not an `AtrestError` is
 * recorded as such, so it can never compare equal to a peer error.
 * @param read - the read to run
 * @returns plaintext and stale, or the error message
 */
export async function atrestOutcome(read: () => MaybePromise<ReadResult>): Promise<ReadOutcome> {
  try {
    const r = await read();
    return { ok: true, plaintext: b64(r.plaintext), stale: r.stale };
  } catch (err) {
    if (err instanceof AtrestError) return { ok: false, error: err.message };
    return { ok: false, error: `non-AtrestError thrown: ${String(err)}` };
  }
}

/**
 * The Go peer's decrypt outcome in the same shape.
 * @param o - the peer's answer
 * @returns plaintext and stale, or the error message
 */
export function peerOutcome(o: PeerDecryptOutcome): ReadOutcome {
  return o.ok ? { ok: true, plaintext: b64(o.data), stale: o.stale } : { ok: false, error: o.error };
}
