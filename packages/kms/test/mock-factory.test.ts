import { ErrorCode, utf8 } from '@atrest/core';
import { describe, expect, it } from 'vitest';
import { mockKmsFactory } from '@atrest/kms';
import { backends, caught, chainOf } from './_helpers.js';

describe.each(backends)('mockKmsFactory (%s)', (_, backend) => {
  const factory = mockKmsFactory(
    [
      { name: 'a', apiVersion: 'v1', mock: 'base64' },
      { name: 'a', apiVersion: 'v2', mock: 'base64', keyID: 'k1' },
    ],
    { backend },
  );

  it('builds v1 and v2 entries for the same name, v1 by default', async () => {
    expect(factory({ name: 'a' }).name).toBe('kms:v1:a');
    expect(factory({ name: 'a', apiVersion: 'v2' }).name).toBe('kms:v2:a');
    const ctx = utf8('/registry/secrets/ns/n');
    const chain = chainOf(factory({ name: 'a', apiVersion: 'v1', cachesize: -1 }));
    const r = await chain.read(await chain.write(utf8('x'), ctx), ctx);
    expect(Buffer.from(r.plaintext).toString()).toBe('x');
  });

  it('refuses providers the vector does not describe', async () => {
    const err = await caught(() => factory({ name: 'b', apiVersion: 'v2' }));
    expect(err.code).toBe(ErrorCode.ProviderUnavailable);
    expect(err.context).toMatchObject({ provider: 'b', apiVersion: 'v2' });
  });

  it('refuses unknown mocks and versions', async () => {
    expect((await caught(() => mockKmsFactory([{ name: 'x', apiVersion: 'v1', mock: 'vault' }]))).code).toBe(
      ErrorCode.InvalidData,
    );
    expect((await caught(() => mockKmsFactory([{ name: 'x', apiVersion: 'v3', mock: 'base64' }]))).code).toBe(
      ErrorCode.InvalidData,
    );
  });
});
