/**
 * Differential properties between atrest's local providers (identity, aescbc, aesgcm, secretbox)
 * and the Go peer, for every key size, on both crypto backends:
 * - atrest writes, the peer reads the same bytes (not stale), and the other way round;
 * - a value moved to another etcd key: aesgcm refuses it on both sides (the etcd key is
 *   authenticated), aescbc and secretbox still read it (it is not);
 * - damaged values (bit flips anywhere, truncation, appended bytes), a wrong secret under the same
 *   key name, or an unknown key name: both readers reach the same outcome, byte for byte and
 *   error text for error text. For aescbc a wrong key or flipped bit sometimes passes the padding
 *   check; then both must return the same garbage.
 *
 * The peer was checked against upstream's vectors (go-peer-vectors.test.ts); it knows one
 * provider and one key per request, so atrest is driven through a one-entry `PrefixChain`, whose
 * write adds the provider prefix exactly as a configuration with that single provider would.
 *
 * @module
 */
import { aescbcProvider } from '@atrest/aescbc';
import { aesgcmProvider } from '@atrest/aesgcm';
import {
  AtrestError,
  type ChainEntry,
  type CryptoBackend,
  ErrorCode,
  PrefixChain,
  utf8,
} from '@atrest/core';
import { availableBackends } from '@atrest/core';
import { identityProvider } from '@atrest/identity';
import { secretboxProvider } from '@atrest/secretbox';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyTamper,
  etcdKeyArb,
  keyNameArb,
  plaintextArb,
  secretArb,
  smallPlaintextArb,
  tamperArb,
} from '../src/arbitraries.js';
import { type GoPeer, startGoPeer } from '../src/go-peer.js';
import { atrestOutcome, b64, peerOutcome } from '../src/outcome.js';

const ROUND_TRIP_RUNS = 200;
const FAILURE_RUNS = 100;

let peer: GoPeer;
beforeAll(async () => {
  peer = await startGoPeer();
});
afterAll(async () => {
  await peer?.close();
});

type LocalProvider = 'aescbc' | 'aesgcm' | 'secretbox';
type ProviderFactory = (keys: { name: string; secret: Uint8Array }[], opts: { backend: CryptoBackend }) => ChainEntry;

const factories: Record<LocalProvider, ProviderFactory> = {
  aescbc: aescbcProvider,
  aesgcm: aesgcmProvider,
  secretbox: secretboxProvider,
};

const cells: { provider: LocalProvider; keySize: number }[] = [
  { provider: 'aescbc', keySize: 16 },
  { provider: 'aescbc', keySize: 24 },
  { provider: 'aescbc', keySize: 32 },
  { provider: 'aesgcm', keySize: 16 },
  { provider: 'aesgcm', keySize: 24 },
  { provider: 'aesgcm', keySize: 32 },
  { provider: 'secretbox', keySize: 32 },
];

/** What upstream says when the value's key name is not configured. */
const NO_MATCHING_KEY: Record<LocalProvider, string> = {
  aescbc: 'no matching key was found for the provided AES transformer',
  aesgcm: 'no matching key was found for the provided AES transformer',
  secretbox: 'no matching key was found for the provided Secretbox transformer',
};

/** A configuration holding just this entry: what the peer models. */
const chainOf = (entry: ChainEntry): PrefixChain =>
  new PrefixChain([entry], () => new AtrestError(ErrorCode.NoMatchingPrefix, 'no matching prefix found'));

const startsWith = (bytes: Uint8Array, prefix: string): boolean => b64(bytes.subarray(0, utf8(prefix).length)) === b64(utf8(prefix));

describe.each(availableBackends())('local providers against the Go peer, $name backend', (backend) => {
  describe.each(cells)('$provider, $keySize-byte key', ({ provider, keySize }) => {
    const atrest = (name: string, secret: Uint8Array): PrefixChain => chainOf(factories[provider]([{ name, secret }], { backend }));
    const peerKey = (name: string, secret: Uint8Array) => ({ provider, keyName: name, key: secret });

    it('atrest writes, Go reads the same bytes', async () => {
      await fc.assert(
        fc.asyncProperty(secretArb(keySize), keyNameArb, etcdKeyArb, plaintextArb, async (secret, name, etcdKey, plaintext) => {
          const stored = await atrest(name, secret).write(plaintext, utf8(etcdKey));
          expect(startsWith(stored, `k8s:enc:${provider}:v1:${name}:`)).toBe(true);
          const read = await peer.decrypt({ ...peerKey(name, secret), context: etcdKey, data: stored });
          expect(read.stale).toBe(false);
          expect(b64(read.data)).toBe(b64(plaintext));
        }),
        { numRuns: ROUND_TRIP_RUNS },
      );
    });

    it('Go writes, atrest reads the same bytes, not stale', async () => {
      await fc.assert(
        fc.asyncProperty(secretArb(keySize), keyNameArb, etcdKeyArb, plaintextArb, async (secret, name, etcdKey, plaintext) => {
          const stored = await peer.encrypt({ ...peerKey(name, secret), context: etcdKey, data: plaintext });
          const read = await atrest(name, secret).read(stored, utf8(etcdKey));
          expect(read.stale).toBe(false);
          expect(b64(read.plaintext)).toBe(b64(plaintext));
        }),
        { numRuns: ROUND_TRIP_RUNS },
      );
    });

    it(
      provider === 'aesgcm'
        ? 'a value moved to another etcd key is refused in both directions'
        : 'a value moved to another etcd key still reads in both directions',
      async () => {
        await fc.assert(
          fc.asyncProperty(
            secretArb(keySize),
            keyNameArb,
            etcdKeyArb,
            etcdKeyArb,
            smallPlaintextArb,
            async (secret, name, from, to, plaintext) => {
              fc.pre(from !== to);
              const byAtrest = await atrest(name, secret).write(plaintext, utf8(from));
              const byGo = await peer.encrypt({ ...peerKey(name, secret), context: from, data: plaintext });
              const goReads = peerOutcome(await peer.tryDecrypt({ ...peerKey(name, secret), context: to, data: byAtrest }));
              const atrestReads = await atrestOutcome(() => atrest(name, secret).read(byGo, utf8(to)));
              const expected =
                provider === 'aesgcm'
                  ? { ok: false, error: 'cipher: message authentication failed' }
                  : { ok: true, plaintext: b64(plaintext), stale: false };
              expect(goReads).toEqual(expected);
              expect(atrestReads).toEqual(expected);
            },
          ),
          { numRuns: FAILURE_RUNS },
        );
      },
    );

    it('damaged values: atrest and Go reach the same outcome', async () => {
      await fc.assert(
        fc.asyncProperty(
          secretArb(keySize),
          keyNameArb,
          etcdKeyArb,
          smallPlaintextArb,
          tamperArb,
          fc.boolean(),
          async (secret, name, etcdKey, plaintext, tamper, writtenByGo) => {
            const stored = writtenByGo
              ? await peer.encrypt({ ...peerKey(name, secret), context: etcdKey, data: plaintext })
              : await atrest(name, secret).write(plaintext, utf8(etcdKey));
            const damaged = applyTamper(stored, tamper);
            const goReads = peerOutcome(await peer.tryDecrypt({ ...peerKey(name, secret), context: etcdKey, data: damaged }));
            const atrestReads = await atrestOutcome(() => atrest(name, secret).read(damaged, utf8(etcdKey)));
            expect(atrestReads).toEqual(goReads);
          },
        ),
        { numRuns: FAILURE_RUNS * 2 },
      );
    });

    it('a wrong secret under the same key name: same outcome on both sides', async () => {
      await fc.assert(
        fc.asyncProperty(
          secretArb(keySize),
          secretArb(keySize),
          keyNameArb,
          etcdKeyArb,
          smallPlaintextArb,
          async (written, reading, name, etcdKey, plaintext) => {
            fc.pre(b64(written) !== b64(reading));
            const stored = await atrest(name, written).write(plaintext, utf8(etcdKey));
            const goReads = peerOutcome(await peer.tryDecrypt({ ...peerKey(name, reading), context: etcdKey, data: stored }));
            const atrestReads = await atrestOutcome(() => atrest(name, reading).read(stored, utf8(etcdKey)));
            expect(atrestReads).toEqual(goReads);
            if (provider !== 'aescbc') expect(goReads.ok).toBe(false); // authenticated: always refused
          },
        ),
        { numRuns: FAILURE_RUNS },
      );
    });

    it('an unknown key name is refused on both sides with upstream text', async () => {
      await fc.assert(
        fc.asyncProperty(secretArb(keySize), keyNameArb, keyNameArb, etcdKeyArb, smallPlaintextArb, async (secret, written, reading, etcdKey, plaintext) => {
          fc.pre(written !== reading);
          const stored = await peer.encrypt({ ...peerKey(written, secret), context: etcdKey, data: plaintext });
          const expected = { ok: false, error: NO_MATCHING_KEY[provider] };
          expect(peerOutcome(await peer.tryDecrypt({ ...peerKey(reading, secret), context: etcdKey, data: stored }))).toEqual(expected);
          expect(await atrestOutcome(() => atrest(reading, secret).read(stored, utf8(etcdKey)))).toEqual(expected);
        }),
        { numRuns: FAILURE_RUNS / 2 },
      );
    });
  });

  it('aescbc: an IV with no block after it is an error on both sides, never a crash', async () => {
    const secret = new Uint8Array(32).fill(7);
    const stored = new Uint8Array([...utf8('k8s:enc:aescbc:v1:k:'), ...new Uint8Array(16)]);
    const goReads = peerOutcome(await peer.tryDecrypt({ provider: 'aescbc', keyName: 'k', key: secret, context: '/a', data: stored }));
    const atrestReads = await atrestOutcome(() => chainOf(aescbcProvider([{ name: 'k', secret }], { backend })).read(stored, utf8('/a')));
    // No upstream text exists (upstream panics); atrest and the peer both call it too short.
    expect(goReads).toEqual({ ok: false, error: 'the stored data was shorter than the required size' });
    expect(atrestReads).toEqual(goReads);
  });

  it('identity: atrest writes values unchanged, and reads any bytes as the Go peer does', async () => {
    const entry = identityProvider();
    const chain = chainOf(entry);
    await fc.assert(
      fc.asyncProperty(plaintextArb, etcdKeyArb, async (value, etcdKey) => {
        expect(b64(await chain.write(value, utf8(etcdKey)))).toBe(b64(value));
        // The peer models the bare identity transformer (which refuses `k8s:enc:` values with
        // upstream's text), so compare with the entry's transformer, not the chain (a chain
        // skips identity's refusal silently and reports "no matching prefix found").
        const goReads = peerOutcome(await peer.tryDecrypt({ provider: 'identity', context: etcdKey, data: value }));
        expect(await atrestOutcome(() => entry.transformer.read(value, utf8(etcdKey)))).toEqual(goReads);
      }),
      { numRuns: ROUND_TRIP_RUNS },
    );
  });
});
