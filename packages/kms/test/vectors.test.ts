/**
 * Every kms case of the upstream vectors whose config is a single kms provider, with the chain
 * entry built directly (the multi-provider cases run through @atrest/config in config-vectors.test.ts).
 */
import { AtrestError, type ChainEntry, utf8 } from '@atrest/core';
import { describe, expect, it } from 'vitest';
import { Base64MockV1, Base64MockV2, kmsV1Provider, kmsV2Provider } from '@atrest/kms';
import { b64, backends, chainOf, loadValues, type VectorCase } from './_helpers.js';

function singleKms(c: VectorCase): boolean {
  return c.kms !== undefined && (c.config.match(/^\s+- (kms|aesgcm|aescbc|secretbox|identity):/gm) ?? []).length === 1;
}

const cases = loadValues().filter(singleKms);

describe.each(backends)('kms vectors, single provider (%s)', (_, backend) => {
  it('covers the single-provider kms cases', () => {
    expect(cases.length).toBe(68);
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const spec = c.kms?.[0];
    if (spec === undefined) throw new Error('no kms entry');
    const cachesize = /cachesize:\s*(-?\d+)/.exec(c.config);
    let entry: ChainEntry;
    if (spec.apiVersion === 'v1') {
      expect(c.config).toMatch(/apiVersion: v1\n/);
      entry = kmsV1Provider(spec.name, new Base64MockV1(), {
        backend,
        ...(cachesize ? { cacheSize: Number(cachesize[1]) } : {}),
      });
    } else {
      entry = kmsV2Provider(spec.name, new Base64MockV2(spec.keyID ?? ''), { backend });
    }
    const chain = chainOf(entry);
    const result = (async () => chain.read(b64(c.stored), utf8(c.key)))();
    if ('error' in c.expect) {
      const err = await result.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(AtrestError);
      expect((err as AtrestError).message).toBe(c.expect.error);
    } else {
      const r = await result;
      expect(Buffer.from(r.plaintext).toString('base64')).toBe(c.expect.plaintext);
      expect(r.stale).toBe(c.expect.stale);
    }
  });
});
