/**
 * Every transformer, on every backend, refuses bytes that are not a Uint8Array with the same typed
 * error, instead of storing them as something else: before this check aescbc stored the string
 * 'password=hunter2' as 16 zero bytes plus padding, and aesgcm on noble stored an unreadable value.
 */
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { AtrestError, availableBackends, type CryptoBackend, ErrorCode, readSync, type Transformer, utf8, writeSync } from '@atrest/core';
import { aesCbcTransformer } from '@atrest/aescbc';
import { aesGcmCounterNonceTransformer, aesGcmExtendedNonceTransformer, aesGcmTransformer } from '@atrest/aesgcm';
import { identity } from '@atrest/identity';
import { secretboxTransformer } from '@atrest/secretbox';
import { loadEncryptionConfiguration } from '@atrest/config';

const KEY = new Uint8Array(32).fill(3);
const CONFIG = `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
      - aescbc: {keys: [{name: key1, secret: ${Buffer.from(KEY).toString('base64')}}]}
      - identity: {}
`;

function transformers(backend: CryptoBackend): [string, Transformer][] {
  return [
    ['aesgcm', aesGcmTransformer(KEY, { backend })],
    ['aesgcm extended nonce', aesGcmExtendedNonceTransformer(KEY, { backend })],
    ['aesgcm counter nonce', aesGcmCounterNonceTransformer(KEY, { backend })],
    ['aescbc', aesCbcTransformer(KEY, { backend })],
    ['secretbox', secretboxTransformer(KEY, { backend })],
    ['identity', identity()],
    ['config chain', loadEncryptionConfiguration(CONFIG, { backend }).transformerForResource('secrets')],
  ];
}

const WRONG: [string, unknown, string][] = [
  ['a string', 'password=hunter2', 'string'],
  ['a number[]', [1, 2, 3], 'Array'],
  ['a Uint16Array', new Uint16Array([1, 2, 3]), 'Uint16Array'],
  ['an ArrayBuffer', new ArrayBuffer(4), 'ArrayBuffer'],
  ['undefined', undefined, 'undefined'],
  ['null', null, 'null'],
];

function invalid(argument: string, received: string): unknown {
  return expect.objectContaining({
    code: ErrorCode.InvalidArgument,
    message: `${argument} must be a Uint8Array, got ${received}`,
  });
}

/** Calls `f`, which may throw or return a rejected promise, and returns what it threw. */
async function thrown(f: () => unknown): Promise<unknown> {
  try {
    await f();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe.each(availableBackends())('argument types on the $name backend', (backend) => {
  const ctx = utf8('/registry/secrets/default/db');
  describe.each(transformers(backend))('%s', (_name, t) => {
    it.each(WRONG)('refuses %s as plaintext, context and stored data, naming the argument and not the value', async (_what, value, received) => {
      for (const [argument, call] of [
        ['plaintext', () => t.write(value as Uint8Array, ctx)],
        ['context', () => t.write(utf8('x'), value as Uint8Array)],
        ['data', () => t.read(value as Uint8Array, ctx)],
        ['context', () => t.read(utf8('x'), value as Uint8Array)],
      ] as const) {
        const err = await thrown(call);
        expect(err).toBeInstanceOf(AtrestError);
        expect(err).toEqual(invalid(argument, received));
        expect(String((err as AtrestError).describe())).not.toContain('hunter2');
      }
    });

    it('refuses an offset outside the data', async () => {
      if (t.readAt === undefined) return;
      for (const offset of [-1, 1.5, 9, Number.NaN]) {
        const err = await thrown(() => t.readAt?.(new Uint8Array(8), offset, ctx));
        expect(err).toEqual(expect.objectContaining({ code: ErrorCode.InvalidArgument }));
      }
    });

    it('accepts a Buffer and a Uint8Array made in another realm', async () => {
      const foreign = runInNewContext('new Uint8Array([104, 105])') as Uint8Array;
      expect(foreign instanceof Uint8Array).toBe(false);
      const stored = await t.write(foreign, Buffer.from(ctx));
      const { plaintext } = await t.read(stored, ctx);
      expect(Buffer.from(plaintext).toString()).toBe('hi');
    });
  });

  it('the same error comes from the synchronous helpers', () => {
    const t = aesCbcTransformer(KEY, { backend });
    expect(() => writeSync(t, 'password=hunter2' as unknown as Uint8Array, ctx)).toThrow(/plaintext must be a Uint8Array, got string/);
    expect(() => readSync(t, [1] as unknown as Uint8Array, ctx)).toThrow(/data must be a Uint8Array, got Array/);
  });
});
