/**
 * A loaded configuration's hot-loop read (`PrefixChain.readInto`): for every kind of stored value
 * (each provider, stale keys, identity plaintext, tampered and unknown values) it must answer
 * exactly as `read` does (same plaintext, stale flag and source, or the same error), with the
 * plaintext in the caller's `out`, the stored bytes untouched and, after a failure, nothing in
 * `out` but what was there or zeros.
 */
import { loadEncryptionConfiguration } from '@atrest/config';
import { AtrestError, availableBackends, ErrorCode, type MaybePromise, type ReadResult, type Transformer, utf8 } from '@atrest/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mockKmsFactory } from '../src/index.js';

const CTX = utf8('/registry/secrets/default/db');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

type Outcome = { ok: { plaintext: string; stale: boolean; source: string | undefined } } | { error: { code: string; message: string } };

async function outcome(read: () => MaybePromise<ReadResult>): Promise<Outcome> {
  try {
    const r = await read();
    return { ok: { plaintext: hex(r.plaintext), stale: r.stale, source: r.source } };
  } catch (e) {
    if (!(e instanceof AtrestError)) throw e;
    return { error: { code: e.code, message: e.message } };
  }
}

describe.each(availableBackends())('a configuration’s readInto on the $name backend', (backend) => {
  const b64 = (): string => Buffer.from(backend.randomBytes(32)).toString('base64');
  const keys = { gcm1: b64(), gcm2: b64(), cbc: b64(), box: b64() };
  const providers: Record<string, string> = {
    aesgcm: `      - aesgcm:\n          keys:\n            - name: k1\n              secret: ${keys.gcm1}\n            - name: k2\n              secret: ${keys.gcm2}\n`,
    aesgcm2: `      - aesgcm:\n          keys:\n            - name: k2\n              secret: ${keys.gcm2}\n`,
    aescbc: `      - aescbc:\n          keys:\n            - name: k1\n              secret: ${keys.cbc}\n`,
    secretbox: `      - secretbox:\n          keys:\n            - name: k1\n              secret: ${keys.box}\n`,
    kmsv2: '      - kms:\n          apiVersion: v2\n          name: p2\n          endpoint: unix:///p2.sock\n',
    kmsv1: '      - kms:\n          apiVersion: v1\n          name: p1\n          endpoint: unix:///p1.sock\n',
    identity: '      - identity: {}\n',
  };
  const kms = mockKmsFactory(
    [
      { name: 'p1', apiVersion: 'v1', mock: 'base64' },
      { name: 'p2', apiVersion: 'v2', mock: 'base64', keyID: 'key-1' },
    ],
    { backend },
  );
  const chain = (names: readonly string[]): Transformer =>
    loadEncryptionConfiguration(
      `apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources: [secrets]\n    providers:\n${names.map((n) => providers[n]).join('')}`,
      { backend, kms },
    ).transformerForResource('secrets');
  const all = ['aesgcm', 'aescbc', 'secretbox', 'kmsv2', 'kmsv1', 'identity'];
  const writers = [...all.map((first) => chain([first, ...all.filter((n) => n !== first)])), chain(['aesgcm2', 'identity'])];
  // Readers: the full chain (entry 0 fresh, the rest stale), and one without the CBC and box keys.
  const readers = [chain(all), chain(['kmsv2', 'aesgcm2', 'identity'])];

  const stored = fc.tuple(fc.nat({ max: writers.length - 1 }), fc.uint8Array({ maxLength: 3000 }), fc.nat(), fc.constantFrom('as written', 'tampered', 'cut', 'unknown key')).map(([w, pt, at, how]) => ({ w, pt, at, how }));

  it('answers as read does, for every kind of value, with the plaintext in out', async () => {
    await fc.assert(
      fc.asyncProperty(stored, fc.nat({ max: readers.length - 1 }), async ({ w, pt, at, how }, r) => {
        let value = (await (writers[w] as Transformer).write(pt, CTX)).slice();
        if (how === 'tampered' && value.length > 0) value[at % value.length] ^= 0x40;
        if (how === 'cut') value = value.subarray(0, at % (value.length + 1));
        if (how === 'unknown key') value = utf8(`k8s:enc:aesgcm:v1:k9:${hex(pt)}`);
        const reader = readers[r] as Transformer;
        const before = hex(value);
        const expected = await outcome(() => reader.read(value, CTX));
        const out = new Uint8Array(value.length + 7).fill(0xaa);
        let view: Uint8Array | undefined;
        const got = await outcome(async () => {
          const res = await (reader.readInto as NonNullable<Transformer['readInto']>)(value, CTX, out);
          view = res.plaintext;
          return res;
        });
        expect(got).toEqual(expected);
        expect(hex(value)).toBe(before); // identity's plaintext is the stored bytes: never wiped
        if ('ok' in got) {
          expect(view?.buffer).toBe(out.buffer);
          expect(view?.byteOffset).toBe(out.byteOffset);
        } else {
          expect(out.every((b) => b === 0xaa || b === 0)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a resource no rule matches (a bare identity transformer) reads into out too', async () => {
    const bare = loadEncryptionConfiguration(`apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources: [secrets]\n    providers:\n${providers['identity']}`, { backend }).transformerForResource('configmaps');
    for (const value of [utf8('{"kind":"ConfigMap"}'), utf8('k8s:enc:aesgcm:v1:k1:xyz'), new Uint8Array(0)]) {
      const out = new Uint8Array(value.length + 3).fill(0xaa);
      expect(await outcome(() => (bare.readInto as NonNullable<Transformer['readInto']>)(value, CTX, out))).toEqual(await outcome(() => bare.read(value, CTX)));
    }
  });

  it('refuses an out shorter than the stored value, or overlapping it, with a typed error', async () => {
    const reader = readers[0] as Transformer;
    const value = await reader.write(utf8('a secret'), CTX);
    const codeOf = async (out: unknown): Promise<string | undefined> => {
      try {
        await reader.readInto?.(value, CTX, out as Uint8Array);
      } catch (e) {
        return e instanceof AtrestError ? e.code : 'not AtrestError';
      }
      return undefined;
    };
    expect(await codeOf(new Uint8Array(value.length))).toBeUndefined();
    expect(await codeOf(new Uint8Array(value.length - 1))).toBe(ErrorCode.InvalidArgument);
    expect(await codeOf('x')).toBe(ErrorCode.InvalidArgument);
    const shared = new Uint8Array(4 * value.length);
    shared.set(value, value.length);
    const inShared = shared.subarray(value.length, 2 * value.length);
    await expect((async () => reader.readInto?.(inShared, CTX, shared.subarray(value.length + 1)))()).rejects.toThrow(/overlap/);
  });
});
