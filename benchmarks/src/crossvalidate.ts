/**
 * Before anything is timed: every backend's output must decrypt, with every other backend, to the
 * same plaintext. A benchmark of wrong bytes measures nothing.
 * @module
 */
import { type CryptoBackend, fromUtf8 } from '@atrest/core';
import { configYaml, ETCD_KEY, plaintext, type Provider, transformerFor } from './fixtures.js';

/**
 * Cross-validate one provider at one size across backends.
 * @throws Error naming provider, size and backends when any pair disagrees
 */
export async function crossValidate(provider: Provider, size: number, backends: readonly CryptoBackend[]): Promise<void> {
  const yaml = configYaml([provider]);
  const pt = plaintext(size);
  const ts = backends.map((b) => transformerFor(yaml, b));
  for (let w = 0; w < ts.length; w++) {
    const stored = await (ts[w] as (typeof ts)[number]).write(pt, ETCD_KEY);
    for (let r = 0; r < ts.length; r++) {
      const got = (await (ts[r] as (typeof ts)[number]).read(stored, ETCD_KEY)).plaintext;
      if (got.length !== pt.length || !got.every((v, i) => v === pt[i])) {
        throw new Error(`cross-validation failed: ${provider} ${size} B written by ${backends[w]?.name}, read by ${backends[r]?.name}`);
      }
    }
  }
  void fromUtf8;
}
