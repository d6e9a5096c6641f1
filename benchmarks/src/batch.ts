/**
 * Does a batch pay off? The same values read three ways through the same transformer:
 * `loop-await` (`for (...) await t.read(...)`, what generic code writes), `readMany` (one call for
 * the batch), and, for local providers, `loop-sync` (`readSync`, the floor).
 *
 * - `batch/aesgcm-1KiB-x1000`: 1000 aesgcm values, every read synchronous.
 * - `batch/kmsv2-grpc-50-seeds-x20`: 1000 kms v2 values written by 50 writers (50 seeds, as after
 *   50 API server restarts), read by a fresh reader (cold DEK cache) through atrest's reference
 *   plugin running as its own process on a unix socket: each seed costs one real gRPC Decrypt.
 *   A loop waits for them one after another; `readMany` keeps up to 64 in flight.
 *
 * Figures are values per second.
 * @module
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CryptoBackend, readMany, readSync, type Transformer } from '@atrest/core';
import { loadEncryptionConfiguration } from '@atrest/config';
import { grpcKmsFactory } from '@atrest/kms-grpc';
import { kek, kmsV2, secretsConfig, startKmsPlugin } from '@atrest/test-support';
import { type HarnessOptions, measure } from './_harness.js';
import { configYaml, ETCD_KEY, plaintext, transformerFor } from './fixtures.js';
import type { Result } from './report.js';

const N = 1000;

async function perValue(name: string, batchOp: () => Promise<unknown> | unknown, options: HarnessOptions): Promise<Result> {
  const m = await measure(batchOp, options);
  return { name, opsPerSec: m.opsPerSec * N };
}

function check(outcomes: readonly { ok: boolean }[]): void {
  if (outcomes.length !== N || !outcomes.every((o) => o.ok)) throw new Error('batch benchmark: a read failed');
}

/** aesgcm, 1000 values of 1 KiB: loop-sync, loop-await, readMany. */
export async function localBatch(backend: CryptoBackend, options: HarnessOptions, filter: RegExp): Promise<Result[]> {
  const t = transformerFor(configYaml(['aesgcm']), backend);
  const items = Array.from({ length: N }, (_, i) => ({ data: t.write(plaintext(1024, i + 1), ETCD_KEY) as Uint8Array, context: ETCD_KEY }));
  const base = `batch/aesgcm-1KiB-x${N}/decrypt`;
  const out: Result[] = [];
  check((await readMany(t, items)) as { ok: boolean }[]);
  if (filter.test(`${base}/loop-sync/${backend.name}`)) {
    out.push(await perValue(`${base}/loop-sync/${backend.name}`, () => {
      for (const it of items) readSync(t, it.data, it.context);
    }, options));
  }
  if (filter.test(`${base}/loop-await/${backend.name}`)) {
    out.push(await perValue(`${base}/loop-await/${backend.name}`, async () => {
      for (const it of items) await t.read(it.data, it.context);
    }, options));
  }
  if (filter.test(`${base}/readMany/${backend.name}`)) {
    out.push(await perValue(`${base}/readMany/${backend.name}`, () => readMany(t, items), options));
  }
  return out;
}

const KMS_CONFIG = (socket: string) => secretsConfig(kmsV2('bench-grpc', socket, '10s'));

/** kms v2 over real gRPC, 50 seeds x 20 values, cold cache per iteration: loop-await vs readMany. */
export async function kmsBatch(backend: CryptoBackend, options: HarnessOptions, filter: RegExp): Promise<Result[]> {
  const base = `batch/kmsv2-grpc-50-seeds-x20/decrypt`;
  const wanted = ['loop-await', 'readMany'].filter((w) => filter.test(`${base}/${w}/${backend.name}`));
  if (wanted.length === 0) return [];
  const dir = mkdtempSync(join(tmpdir(), 'atrest-bench-kms-'));
  const socket = join(dir, 'kms.sock');
  writeFileSync(join(dir, 'kek.txt'), kek('kek-1'), { mode: 0o600 });
  const plugin = await startKmsPlugin(fileURLToPath(new URL('../../packages/cli/bin/atrest.js', import.meta.url)), socket, join(dir, 'kek.txt'));
  const factories: ReturnType<typeof grpcKmsFactory>[] = [];
  const open = (): Transformer => {
    const f = grpcKmsFactory();
    factories.push(f);
    return loadEncryptionConfiguration(KMS_CONFIG(socket), { backend, kms: f.create }).transformerForResource('secrets');
  };
  try {
    const items: { data: Uint8Array; context: Uint8Array }[] = [];
    for (let w = 0; w < 50; w++) {
      const writer = open(); // a new provider instance wraps a new seed
      for (let v = 0; v < 20; v++) items.push({ data: await writer.write(plaintext(1024, w * 20 + v + 1), ETCD_KEY), context: ETCD_KEY });
    }
    const out: Result[] = [];
    const rounds = { ...options, timeMs: Math.max(options.timeMs, 500) };
    if (wanted.includes('loop-await')) {
      out.push(await perValue(`${base}/loop-await/${backend.name}`, async () => {
        const reader = open();
        for (const it of items) await reader.read(it.data, it.context);
      }, rounds));
    }
    if (wanted.includes('readMany')) {
      out.push(await perValue(`${base}/readMany/${backend.name}`, async () => {
        check(await readMany(open(), items));
      }, rounds));
    }
    return out;
  } finally {
    for (const f of factories) f.close();
    plugin.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}
