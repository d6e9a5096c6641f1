/**
 * The benchmark's fixtures are right: each provider's output on each backend decrypts on every
 * backend (the check `run.ts` performs before timing). No timing here.
 */
import { describe, it } from 'vitest';
import { availableBackends } from '@atrest/core';
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
