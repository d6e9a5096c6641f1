/**
 * ALL kms cases of the upstream vectors through @atrest/config's loadEncryptionConfiguration,
 * with plugins from mockKmsFactory(case.kms).
 */
import { AtrestError, utf8 } from '@atrest/core';
import { describe, expect, it } from 'vitest';
import { mockKmsFactory } from '@atrest/kms';
// @atrest/config is not a dependency of @atrest/kms (it sits above kms in the package graph), so
// the test reaches its sources directly.
import { loadEncryptionConfiguration } from '@atrest/config';
import { b64, backends, loadValues } from './_helpers.js';

const cases = loadValues().filter((c) => c.kms !== undefined);

describe.each(backends)('kms vectors through @atrest/config (%s)', (_, backend) => {
  it('covers every kms case', () => {
    expect(cases.length).toBe(98);
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const loaded = loadEncryptionConfiguration(c.config, { kms: mockKmsFactory(c.kms ?? []), backend });
    const t = loaded.transformerForResource(c.resource);
    const outcome = await (async () => t.read(b64(c.stored), utf8(c.key)))().then(
      (r) => ({ r }),
      (e: unknown) => ({ e }),
    );
    if ('error' in c.expect) {
      expect('e' in outcome).toBe(true);
      const e = (outcome as { e: unknown }).e;
      expect(e).toBeInstanceOf(AtrestError);
      expect((e as AtrestError).message).toBe(c.expect.error);
    } else {
      if ('e' in outcome) throw outcome.e;
      expect(Buffer.from(outcome.r.plaintext).toString('base64')).toBe(c.expect.plaintext);
      expect(outcome.r.stale).toBe(c.expect.stale);
    }
  });

  it('round-trips writes through a loaded kms v2 config', async () => {
    const text = cases.find((c) => c.id === 'p-kmsv2-seed-len1')?.config as string;
    const loaded = loadEncryptionConfiguration(text, {
      kms: mockKmsFactory([{ name: 'kms2', apiVersion: 'v2', mock: 'base64', keyID: 'k1' }]),
      backend,
    });
    const t = loaded.transformerForResource('secrets');
    const ctx = utf8('/registry/secrets/default/x');
    const stored = await t.write(utf8('hello'), ctx);
    expect(Buffer.from(stored.subarray(0, 20)).toString()).toBe('k8s:enc:kms:v2:kms2:');
    const r = await t.read(stored, ctx);
    expect(Buffer.from(r.plaintext).toString()).toBe('hello');
    expect(r.stale).toBe(false);
  });
});
