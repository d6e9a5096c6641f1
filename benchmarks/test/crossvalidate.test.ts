/**
 * The benchmark's fixtures are right: each provider's output on each backend decrypts on every
 * backend (the check `run.ts` performs before timing). No timing here.
 */
import { describe, expect, it } from 'vitest';
import { availableBackends, type CryptoBackend, nodeBackend } from '@atrest/core';
import { crossValidate } from '../src/crossvalidate.js';
import { PROVIDERS } from '../src/fixtures.js';

describe('benchmark cross-validation', () => {
  for (const provider of PROVIDERS) {
    it(`${provider} at 1 KiB and 64 KiB`, async () => {
      await crossValidate(provider, 1024, availableBackends());
      await crossValidate(provider, 65536, availableBackends());
    });
  }
});

describe('benchmark cross-validation, positive control', () => {
  it('catches a backend that writes wrong bytes (a planted bug: the ciphertext with one bit flipped, its tag recomputed)', async () => {
    // A planted bug: seal the plaintext with its first bit flipped, so the value is well formed
    // (it authenticates) but reads back to other bytes. Only reading every backend's output with
    // every other backend and comparing plaintexts catches it.
    const planted: CryptoBackend = {
      ...nodeBackend,
      name: 'planted',
      aesGcm(key) {
        const real = nodeBackend.aesGcm(key);
        return {
          sealInto(out, at, plaintext, aad) {
            const wrong = Uint8Array.from(plaintext);
            if (wrong.length > 0) wrong[0] = (wrong[0] as number) ^ 1;
            real.sealInto(out, at, wrong, aad);
          },
          openAt: (data, at, aad) => real.openAt(data, at, aad),
        };
      },
    };
    await expect(crossValidate('aesgcm', 1024, [nodeBackend, planted])).rejects.toThrow(/cross-validation failed: aesgcm 1024 B written by planted, read by node/);
  });
});
