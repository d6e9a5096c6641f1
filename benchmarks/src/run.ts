/**
 * The benchmark runner. Every case goes through the public API (`transformerForResource`), on
 * every backend, after cross-validation. Usage:
 *
 *   node benchmarks/dist/run.js [--filter REGEX] [--time-ms 300] [--rounds 5] [--json out.json] [--write-docs]
 *
 * Case names: `provider/size/op/backend` (e.g. `aesgcm/1KiB/decrypt/node`), `chain5/1KiB/decrypt/node`,
 * `config-load/5-providers/load/node`, `contract/...`.
 * @module
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { availableBackends, type CryptoBackend } from '@atrest/core';
import { loadEncryptionConfiguration } from '@atrest/config';
import { measure } from './_harness.js';
import { kmsBatch, localBatch } from './batch.js';
import { contractBenchmark } from './contract.js';
import { crossValidate } from './crossvalidate.js';
import { configYaml, ETCD_KEY, HOT_LOOP_PROVIDERS, plaintext, PROVIDERS, SIZES, sizeLabel, transformerFor, writerOf } from './fixtures.js';
import { markdownTable, type Result, writeSection } from './report.js';

const { values } = parseArgs({
  options: {
    filter: { type: 'string', default: '.' },
    'time-ms': { type: 'string', default: '300' },
    rounds: { type: 'string', default: '5' },
    json: { type: 'string' },
    'write-docs': { type: 'boolean', default: false },
  },
});
const filter = new RegExp(values.filter as string);
const options = { timeMs: Number(values['time-ms']), rounds: Number(values.rounds) };
const backends: CryptoBackend[] = availableBackends();
const results: Result[] = [];

function log(r: Result): void {
  results.push(r);
  process.stdout.write(`${r.name.padEnd(40)} ${Math.round(r.opsPerSec).toLocaleString('en').padStart(12)} ops/s\n`);
}

for (const provider of PROVIDERS) {
  for (const size of SIZES) {
    const prefix = `${provider}/${sizeLabel(size)}`;
    if (!backends.some((b) => filter.test(`${prefix}/encrypt/${b.name}`) || filter.test(`${prefix}/decrypt/${b.name}`))) continue;
    await crossValidate(provider, size, backends);
    const yaml = configYaml([provider]);
    const pt = plaintext(size);
    for (const backend of backends) {
      const t = transformerFor(yaml, backend);
      const stored = await t.write(pt, ETCD_KEY);
      // Each encrypt is a full write (fresh random nonce, new output); nothing is cached between iterations.
      if (filter.test(`${prefix}/encrypt/${backend.name}`)) log({ name: `${prefix}/encrypt/${backend.name}`, ...(await measure(() => t.write(pt, ETCD_KEY), options)) });
      if (filter.test(`${prefix}/decrypt/${backend.name}`)) log({ name: `${prefix}/decrypt/${backend.name}`, ...(await measure(() => t.read(stored, ETCD_KEY), options)) });
    }
    // The hot-loop API on the native backend: readInto/writeInto into one output buffer per cell,
    // reused by every iteration (fresh random nonce per encrypt still; nothing else cached).
    const native = backends.find((b) => b.name === 'native');
    if (native !== undefined && HOT_LOOP_PROVIDERS.includes(provider)) {
      const name = (op: string): string => `${prefix}/${op}/native-into`;
      const h = writerOf(yaml, native);
      const writeInto = h.writeInto?.bind(h);
      const readInto = h.readInto?.bind(h);
      if (writeInto === undefined || readInto === undefined) throw new Error(`${provider}: no hot-loop API`);
      const payload = (await h.write(pt, ETCD_KEY)).slice();
      const out = new Uint8Array(size + 4096);
      const check = await readInto(payload, ETCD_KEY, out);
      if (!Buffer.from(check.plaintext).equals(pt)) throw new Error(`${provider}: readInto does not round-trip`);
      if (filter.test(name('encrypt'))) log({ name: name('encrypt'), ...(await measure(() => writeInto(pt, ETCD_KEY, out), options)) });
      if (filter.test(name('decrypt'))) log({ name: name('decrypt'), ...(await measure(() => readInto(payload, ETCD_KEY, out), options)) });
    }
  }
}

// Chain lookup: the value sits under the 5th provider of the chain.
for (const backend of backends) {
  const name = `chain5/1KiB/decrypt/${backend.name}`;
  if (!filter.test(name)) continue;
  const chain = transformerFor(configYaml(['aescbc', 'secretbox', 'kmsv1', 'kmsv2', 'aesgcm']), backend);
  const stored = await transformerFor(configYaml(['aesgcm']), backend).write(plaintext(1024), ETCD_KEY);
  const check = await chain.read(stored, ETCD_KEY);
  if (!check.stale) throw new Error('chain5: a value under the 5th provider must read as stale');
  log({ name, ...(await measure(() => chain.read(stored, ETCD_KEY), options)) });
}

// Config load: parse, validate and build a 5-provider config.
if (filter.test('config-load/5-providers/load/node')) {
  const yaml = configYaml(['aesgcm', 'aescbc', 'secretbox', 'identity', 'aesgcm']);
  log({ name: 'config-load/5-providers/load/node', ...(await measure(() => loadEncryptionConfiguration(yaml).transformerForResource('secrets'), options)) });
}

for (const backend of backends) {
  if (!filter.test(`contract/aesgcm/1KiB/decrypt/sync/${backend.name}`)) continue;
  for (const row of await contractBenchmark(backend, options)) log(row);
}

// Batches: one readMany against a loop of reads (see batch.ts).
for (const backend of backends) {
  for (const row of await localBatch(backend, options, filter)) log(row);
  for (const row of await kmsBatch(backend, options, filter)) log(row);
}

if (values.json) writeFileSync(values.json, `${JSON.stringify({ node: process.version, options, results }, null, 2)}\n`);
if (values['write-docs']) {
  const docs = join(fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url)));
  const meta = `Measured ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${options.rounds} rounds of ${options.timeMs} ms, median.`;
  writeSection(docs, 'providers', `${meta}\n\n${markdownTable(results.filter((r) => !r.name.startsWith('contract/')))}`);
  writeSection(docs, 'contract', markdownTable(results.filter((r) => r.name.startsWith('contract/')).map((r) => ({ ...r, name: r.name.replace('contract/aesgcm/1KiB/decrypt/', '') }))));
}
