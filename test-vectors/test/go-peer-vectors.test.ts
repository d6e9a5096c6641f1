/**
 * Proves the Go peer right independently of atrest: it must read every upstream `values.json`
 * case a single provider can answer (see `singleProviderOf` in `@atrest/test-support`) exactly as upstream did:
 * the same plaintext and stale flag, or the same error text. Then its writer is tied to that
 * proven reader: whatever the peer writes (every provider, key size, kms payload and source
 * type), the peer reads back. Only then is agreement between the peer and atrest (the
 * differential suites) evidence about atrest.
 *
 * @module
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etcdKeyArb, keyNameArb, plaintextArb } from '../src/arbitraries.js';
import { type GoPeer, type PeerDecryptOutcome, type PeerRequest, startGoPeer } from '../src/go-peer.js';
import { b64, peerOutcome } from '../src/outcome.js';
import { allValueCases as loadValueCases, type SingleProvider, singleProviderOf, type ValueCase } from '@atrest/test-support/provider-kit';

let peer: GoPeer;
beforeAll(async () => {
  peer = await startGoPeer();
});
afterAll(async () => {
  await peer?.close();
});

const replayable = loadValueCases().flatMap((c) => {
  const provider = singleProviderOf(c);
  return provider === undefined ? [] : [{ c, provider }];
});

function replay(c: ValueCase, p: SingleProvider): Promise<PeerDecryptOutcome> {
  const stored = new Uint8Array(Buffer.from(c.stored, 'base64'));
  switch (p.kind) {
    case 'local':
      return peer.tryDecrypt({ provider: p.provider, keyName: p.keyName, key: p.secret, context: c.key, data: stored });
    case 'kmsv1':
      return peer.decryptKmsV1(p.name, stored, c.key);
    case 'kmsv2':
      return peer.decryptKmsV2(p.name, stored, c.key, p.keyID);
  }
}

describe('Go peer reads the upstream vectors', () => {
  it('covers every provider, both kms versions, stale reads and errors', () => {
    const kinds = new Set(replayable.map(({ provider: p }) => (p.kind === 'local' ? p.provider : p.kind)));
    expect([...kinds].sort()).toEqual(['aescbc', 'aesgcm', 'kmsv1', 'kmsv2', 'secretbox']);
    const plaintexts = replayable.filter(({ c }) => 'plaintext' in c.expect);
    expect(plaintexts.length).toBeGreaterThanOrEqual(150);
    expect(plaintexts.some(({ c }) => 'stale' in c.expect && c.expect.stale)).toBe(true);
    expect(replayable.length - plaintexts.length).toBeGreaterThanOrEqual(20);
  });

  it.each(replayable.map(({ c, provider }) => [c.id, c, provider] as const))('%s', async (_id, c, provider) => {
    const outcome = await replay(c, provider);
    if ('error' in c.expect) {
      expect(outcome).toEqual({ ok: false, error: c.expect.error });
      return;
    }
    if (!outcome.ok) throw new Error(`Go peer refused ${c.id}: ${outcome.error}`);
    expect(Buffer.from(outcome.data).toString('base64')).toBe(c.expect.plaintext);
    expect(outcome.stale).toBe(c.expect.stale);
  });
});

/** Every way the peer can write, with the stale flag its own reader must then report. */
const writers: { label: string; request: Omit<PeerRequest, 'data' | 'context' | 'keyName'>; keySize?: number; stale: boolean }[] = [
  { label: 'identity', request: { provider: 'identity' }, stale: false },
  ...[16, 24, 32].flatMap((keySize) => [
    { label: `aescbc ${keySize}`, request: { provider: 'aescbc' as const }, keySize, stale: false },
    { label: `aesgcm ${keySize}`, request: { provider: 'aesgcm' as const }, keySize, stale: false },
  ]),
  { label: 'secretbox 32', request: { provider: 'secretbox' }, keySize: 32, stale: false },
  { label: 'kms v1 AES-GCM', request: { provider: 'kmsv1', payload: 'gcm' }, stale: false },
  { label: 'kms v1 AES-CBC', request: { provider: 'kmsv1', payload: 'cbc' }, stale: true },
  { label: 'kms v2 HKDF seed', request: { provider: 'kmsv2', keyID: 'k1', dekSourceType: 'HKDF_SHA256_XNONCE_AES_GCM_SEED' }, stale: false },
  { label: 'kms v2 AES_GCM_KEY', request: { provider: 'kmsv2', keyID: 'k1', dekSourceType: 'AES_GCM_KEY' }, stale: true },
];

describe('what the Go peer writes, it reads back', () => {
  it.each(writers)('$label', async ({ request, keySize, stale }) => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: keySize ?? 0, maxLength: keySize ?? 0 }),
        keyNameArb,
        etcdKeyArb,
        plaintextArb,
        async (key, keyName, context, plaintext) => {
          // identity stores values as they are, and rightly refuses to read one that looks encrypted.
          if (request.provider === 'identity') fc.pre(!Buffer.from(plaintext).subarray(0, 8).equals(Buffer.from('k8s:enc:')));
          const common = { ...request, keyName, context, ...(keySize === undefined ? {} : { key }) };
          const stored = await peer.encrypt({ ...common, data: plaintext });
          expect(peerOutcome(await peer.tryDecrypt({ ...common, data: stored }))).toEqual({ ok: true, plaintext: b64(plaintext), stale });
        },
      ),
      { numRuns: 60 },
    );
  });
});
