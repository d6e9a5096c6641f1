/**
 * Differential properties between atrest's KMS providers (`kmsV1Provider`, `kmsV2Provider`, with
 * upstream's Base64 mock plugins) and the Go peer, on both crypto backends:
 * - kms v1: atrest writes, the peer reads (not stale); the peer writes an AES-GCM payload, atrest
 *   reads it not stale; the peer writes an AES-CBC payload (pre-1.25 writers), atrest reads it
 *   stale;
 * - kms v2: atrest writes, the peer reads the same plaintext, key ID, annotations and the HKDF
 *   seed source type; the peer writes either source type with any key ID and annotations, atrest
 *   reads it, stale exactly when the key ID differs from the plugin's current one or the source
 *   type is AES_GCM_KEY;
 * - a value moved to another etcd key, or damaged: both readers agree. Both must refuse a moved
 *   value (the etcd key is authenticated) except that kms v1's CBC fallback may, by chance, pass
 *   its padding check on garbage; then both must return the same garbage.
 *
 * For a moved value the error texts must be equal too (they are upstream's cipher texts). For a
 * damaged value that both refuse, only the refusal is compared: how a failing plugin call or a
 * malformed protobuf is worded is not a format fact the peer models (atrest reproduces Go's
 * library texts there, the peer words them its own way).
 *
 * @module
 */
import { AtrestError, type ChainEntry, type CryptoBackend, ErrorCode, PrefixChain, utf8 } from '@atrest/core';
import { availableBackends } from '@atrest/core';
import { Base64MockV1, Base64MockV2, kmsV1Provider, kmsV2Provider } from '@atrest/kms';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyTamper, etcdKeyArb, keyNameArb, plaintextArb, smallPlaintextArb, tamperArb } from '../src/arbitraries.js';
import { type DekSourceType, type GoPeer, startGoPeer } from '../src/go-peer.js';
import { atrestOutcome, b64, peerOutcome, type ReadOutcome } from '../src/outcome.js';

const ROUND_TRIP_RUNS = 200;
const FAILURE_RUNS = 150;

let peer: GoPeer;
beforeAll(async () => {
  peer = await startGoPeer();
});
afterAll(async () => {
  await peer?.close();
});

/** A configuration holding just this entry: what the peer models. */
const chainOf = (entry: ChainEntry): PrefixChain =>
  new PrefixChain([entry], () => new AtrestError(ErrorCode.NoMatchingPrefix, 'no matching prefix found'));

/** Key IDs: what real plugins report (ARNs, URLs, versions), now and then long. */
const keyIdArb = fc.oneof(
  { weight: 5, arbitrary: fc.stringMatching(/^[A-Za-z0-9:/._-]{1,80}$/) },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-f0-9]{200,1024}$/) },
);

/** Annotations as plugins send them: fully qualified domain names as keys, any bytes as values. */
const annotationsArb = fc.dictionary(
  fc.stringMatching(/^[a-z]([a-z0-9-]{0,10}[a-z0-9])?(\.[a-z]([a-z0-9-]{0,10}[a-z0-9])?){1,3}$/),
  fc.uint8Array({ maxLength: 64 }),
  { maxKeys: 4 },
);

/** Both refused, or both read the same bytes with the same stale flag. */
function expectSameOutcome(atrest: ReadOutcome, go: ReadOutcome, compareErrors: boolean): void {
  if (compareErrors || atrest.ok || go.ok) expect(atrest).toEqual(go);
}

describe.each(availableBackends())('kms providers against the Go peer, $name backend', (backend: CryptoBackend) => {
  describe('kms v1', () => {
    const atrest = (name: string) => chainOf(kmsV1Provider(name, new Base64MockV1(), { backend }));

    it('atrest writes, Go reads the same bytes, not stale', async () => {
      await fc.assert(
        fc.asyncProperty(keyNameArb, etcdKeyArb, plaintextArb, async (name, etcdKey, plaintext) => {
          const stored = await atrest(name).write(plaintext, utf8(etcdKey));
          expect(peerOutcome(await peer.decryptKmsV1(name, stored, etcdKey))).toEqual({ ok: true, plaintext: b64(plaintext), stale: false });
        }),
        { numRuns: ROUND_TRIP_RUNS },
      );
    });

    it('Go writes (AES-GCM, or AES-CBC as before 1.25), atrest reads the same bytes; CBC is stale', async () => {
      await fc.assert(
        fc.asyncProperty(keyNameArb, etcdKeyArb, plaintextArb, fc.constantFrom('gcm' as const, 'cbc' as const), async (name, etcdKey, plaintext, payload) => {
          const stored = await peer.encryptKmsV1(name, plaintext, etcdKey, payload);
          const read = await atrest(name).read(stored, utf8(etcdKey));
          expect(b64(read.plaintext)).toBe(b64(plaintext));
          expect(read.stale).toBe(payload === 'cbc');
        }),
        { numRuns: ROUND_TRIP_RUNS },
      );
    });

    it('moved or damaged values: atrest and Go reach the same outcome', async () => {
      await fc.assert(
        fc.asyncProperty(
          keyNameArb,
          etcdKeyArb,
          etcdKeyArb,
          smallPlaintextArb,
          fc.option(tamperArb, { nil: undefined }),
          fc.constantFrom('atrest', 'gcm', 'cbc'),
          async (name, from, to, plaintext, tamper, writer) => {
            fc.pre(tamper !== undefined || from !== to);
            const stored =
              writer === 'atrest'
                ? await atrest(name).write(plaintext, utf8(from))
                : await peer.encryptKmsV1(name, plaintext, from, writer);
            const value = tamper === undefined ? stored : applyTamper(stored, tamper);
            const go = peerOutcome(await peer.decryptKmsV1(name, value, to));
            const ours = await atrestOutcome(() => atrest(name).read(value, utf8(to)));
            expectSameOutcome(ours, go, tamper === undefined);
            if (tamper === undefined && writer !== 'cbc') expect(go.ok && go.plaintext === b64(plaintext)).toBe(false);
          },
        ),
        { numRuns: FAILURE_RUNS },
      );
    });
  });

  describe('kms v2', () => {
    const atrest = (name: string, plugin: Base64MockV2) => chainOf(kmsV2Provider(name, plugin, { backend }));

    it('atrest writes, Go reads the same bytes, key ID, annotations and the HKDF seed type', async () => {
      await fc.assert(
        fc.asyncProperty(keyNameArb, keyIdArb, annotationsArb, etcdKeyArb, plaintextArb, async (name, keyID, annotations, etcdKey, plaintext) => {
          const plugin = new Base64MockV2(keyID, Object.keys(annotations).length === 0 ? {} : { annotations });
          const stored = await atrest(name, plugin).write(plaintext, utf8(etcdKey));
          const read = await peer.decryptKmsV2(name, stored, etcdKey, keyID);
          if (!read.ok) throw new Error(`Go peer refused atrest's kms v2 value: ${read.error}`);
          expect({ plaintext: b64(read.data), stale: read.stale, keyID: read.keyID, type: read.dekSourceType }).toEqual({
            plaintext: b64(plaintext),
            stale: false,
            keyID,
            type: 'HKDF_SHA256_XNONCE_AES_GCM_SEED',
          });
          const got = Object.fromEntries(Object.entries(read.annotations ?? {}).map(([k, v]) => [k, b64(v)]));
          expect(got).toEqual(Object.fromEntries(Object.entries(annotations).map(([k, v]) => [k, b64(v)])));
        }),
        { numRuns: ROUND_TRIP_RUNS },
      );
    });

    it('Go writes either source type, atrest reads the same bytes; stale on a new key ID or AES_GCM_KEY', async () => {
      await fc.assert(
        fc.asyncProperty(
          keyNameArb,
          keyIdArb,
          fc.option(keyIdArb, { nil: undefined }),
          annotationsArb,
          fc.constantFrom<DekSourceType>('HKDF_SHA256_XNONCE_AES_GCM_SEED', 'AES_GCM_KEY'),
          etcdKeyArb,
          plaintextArb,
          async (name, keyID, rotatedTo, annotations, dekSourceType, etcdKey, plaintext) => {
            const stored = await peer.encryptKmsV2(name, plaintext, etcdKey, { keyID, dekSourceType, annotations });
            const current = rotatedTo ?? keyID;
            const read = await atrest(name, new Base64MockV2(current)).read(stored, utf8(etcdKey));
            expect(b64(read.plaintext)).toBe(b64(plaintext));
            expect(read.stale).toBe(current !== keyID || dekSourceType === 'AES_GCM_KEY');
          },
        ),
        { numRuns: ROUND_TRIP_RUNS },
      );
    });

    it('moved or damaged values: atrest and Go reach the same outcome', async () => {
      await fc.assert(
        fc.asyncProperty(
          keyNameArb,
          keyIdArb,
          etcdKeyArb,
          etcdKeyArb,
          smallPlaintextArb,
          fc.option(tamperArb, { nil: undefined }),
          fc.constantFrom('atrest', 'HKDF_SHA256_XNONCE_AES_GCM_SEED', 'AES_GCM_KEY'),
          async (name, keyID, from, to, plaintext, tamper, writer) => {
            fc.pre(tamper !== undefined || from !== to);
            const plugin = new Base64MockV2(keyID);
            const stored =
              writer === 'atrest'
                ? await atrest(name, plugin).write(plaintext, utf8(from))
                : await peer.encryptKmsV2(name, plaintext, from, { keyID, dekSourceType: writer as DekSourceType });
            const value = tamper === undefined ? stored : applyTamper(stored, tamper);
            const go = peerOutcome(await peer.decryptKmsV2(name, value, to, keyID));
            const ours = await atrestOutcome(() => atrest(name, plugin).read(value, utf8(to)));
            expectSameOutcome(ours, go, tamper === undefined);
            if (tamper === undefined) expect(go).toEqual({ ok: false, error: 'cipher: message authentication failed' });
          },
        ),
        { numRuns: FAILURE_RUNS },
      );
    });
  });
});
