/**
 * Benchmark fixtures: one EncryptionConfiguration per provider, built through the public API a
 * user calls (`loadEncryptionConfiguration(...).transformerForResource('secrets')`), and
 * deterministic plaintexts from a seeded PRNG. Keys, DEKs, seeds and nonces come from the CSPRNG
 * (the backends' `randomBytes`); the PRNG only fills plaintexts, which are not secret.
 * @module
 */
import { type CryptoBackend, nodeBackend, type Transformer } from '@atrest/core';
import { loadEncryptionConfiguration } from '@atrest/config';
import { mockKmsFactory } from '@atrest/kms';

/** Providers benchmarked. */
export const PROVIDERS = ['identity', 'aescbc', 'aesgcm', 'secretbox', 'kmsv1', 'kmsv2'] as const;
export type Provider = (typeof PROVIDERS)[number];

/** Sizes benchmarked, in bytes. */
export const SIZES = [1024, 16 * 1024, 64 * 1024, 1024 * 1024] as const;

/** `1KiB`, `64KiB`, `1MiB`. */
export function sizeLabel(n: number): string {
  return n >= 1 << 20 ? `${n >> 20}MiB` : `${n >> 10}KiB`;
}

/** One fresh key per keyed provider, shared by every config of a run so values cross configs. */
const keys: Record<string, string> = {};
function keyB64(provider: string): string {
  keys[provider] ??= Buffer.from(nodeBackend.randomBytes(32)).toString('base64');
  return keys[provider] as string;
}

function providerYaml(p: Provider): string {
  switch (p) {
    case 'identity':
      return '      - identity: {}\n';
    case 'kmsv1':
      return '      - kms:\n          apiVersion: v1\n          name: bench-v1\n          endpoint: unix:///bench.sock\n';
    case 'kmsv2':
      return '      - kms:\n          apiVersion: v2\n          name: bench-v2\n          endpoint: unix:///bench.sock\n';
    default:
      return `      - ${p}:\n          keys:\n            - name: key1\n              secret: ${keyB64(p)}\n`;
  }
}

/** An EncryptionConfiguration whose `secrets` chain is `providers`, in order. */
export function configYaml(providers: readonly Provider[]): string {
  return (
    'apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources: [secrets]\n    providers:\n' +
    providers.map(providerYaml).join('')
  );
}

/** The transformer for `secrets` under `yaml`, with KMS plugins played by the Base64 mock. */
export function transformerFor(yaml: string, backend: CryptoBackend): Transformer {
  const kms = mockKmsFactory(
    [
      { name: 'bench-v1', apiVersion: 'v1', mock: 'base64' },
      { name: 'bench-v2', apiVersion: 'v2', mock: 'base64', keyID: 'bench-key-1' },
    ],
    { backend },
  );
  return loadEncryptionConfiguration(yaml, { backend, kms }).transformerForResource('secrets');
}

/** Deterministic plaintext of `n` bytes (xorshift32 seeded by `seed`). */
export function plaintext(n: number, seed = 0x9e3779b9): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** The etcd key every benchmark value is written under (the AES-GCM additional data). */
export const ETCD_KEY = new TextEncoder().encode('/registry/secrets/default/benchmark-value');

/** Providers with a hot-loop cell (`.../native-into`): `readInto`/`writeInto` with reused output memory. */
export const HOT_LOOP_PROVIDERS: readonly Provider[] = ['aescbc', 'aesgcm', 'kmsv2'];

/**
 * The transformer the `secrets` chain of `yaml` writes with (its first entry, and inside a keyed
 * provider its first key), for the hot-loop API: the same key and provider the chain uses, without
 * the prefix match (a few dozen bytes compared, next to values of 16 KiB and more).
 */
export function writerOf(yaml: string, backend: CryptoBackend): Transformer {
  let t: unknown = transformerFor(yaml, backend);
  for (let depth = 0; depth < 4; depth++) {
    // Both halves of the hot-loop API: a chain has readInto but no writeInto.
    if (typeof (t as Transformer).readInto === 'function' && typeof (t as Transformer).writeInto === 'function') return t as Transformer;
    t = (t as { entries?: readonly { transformer: unknown }[] }).entries?.[0]?.transformer;
  }
  throw new Error('no transformer with readInto and writeInto under the first chain entry');
}
