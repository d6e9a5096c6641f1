/**
 * The design question behind `MaybePromise`: what would an always-async contract cost local
 * providers? aesgcm 1 KiB decrypt through the chain, three ways:
 * (a) the synchronous value used directly (`readSync`), (b) `await` on that synchronous value,
 * (c) an `async` wrapper, as if `read` always returned a promise.
 * @module
 */
import { type CryptoBackend, readSync, type Transformer } from '@atrest/core';
import { measure, type HarnessOptions } from './_harness.js';
import { configYaml, ETCD_KEY, plaintext, transformerFor } from './fixtures.js';

/** One row of the contract comparison. */
export interface ContractRow {
  readonly name: string;
  readonly opsPerSec: number;
}

/** Run the three variants. */
export async function contractBenchmark(backend: CryptoBackend, options: HarnessOptions): Promise<ContractRow[]> {
  const t: Transformer = transformerFor(configYaml(['aesgcm']), backend);
  const stored = await t.write(plaintext(1024), ETCD_KEY);
  const asyncRead = async (d: Uint8Array, c: Uint8Array) => t.read(d, c);
  const a = await measure(() => void readSync(t, stored, ETCD_KEY), options);
  const b = await measure(async () => void (await t.read(stored, ETCD_KEY)), options);
  const c = await measure(async () => void (await asyncRead(stored, ETCD_KEY)), options);
  return [
    { name: `contract/aesgcm/1KiB/decrypt/sync/${backend.name}`, opsPerSec: a.opsPerSec },
    { name: `contract/aesgcm/1KiB/decrypt/await-sync-value/${backend.name}`, opsPerSec: b.opsPerSec },
    { name: `contract/aesgcm/1KiB/decrypt/always-async/${backend.name}`, opsPerSec: c.opsPerSec },
  ];
}
