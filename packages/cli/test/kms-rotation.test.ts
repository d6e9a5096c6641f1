/**
 * Moving a running cluster's Secrets from plaintext to KMS v2, then rotating the KEK, with the
 * commands an operator runs: `atrest kms-plugin` (the reference plugin, real gRPC on a unix
 * socket), `atrest reencrypt` against Debian's etcd, and `atrest audit` to check each step.
 */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveEtcd, IDENTITY, kmsV2, secretsConfig } from '@atrest/test-support';
import { kek, startKmsPlugin, stopKmsPlugin } from './_kms-plugin.js';
import { run } from './_run.js';
import { type SeededEtcd, seededEtcd } from './_seeded-etcd.js';

const N = 30;
const PLAINTEXT = secretsConfig(IDENTITY);

describe.skipIf(!haveEtcd())('KMS v2 with the reference plugin: encrypt everything, then rotate the KEK', () => {
  let seeded: SeededEtcd;
  let plugin: ChildProcess | undefined;
  let config: string;
  let kekFile: string;
  const kek1 = kek('kek-1');
  const kek2 = kek('kek-2');
  beforeAll(async () => {
    seeded = await seededEtcd('kms-rotation', PLAINTEXT, N);
    kekFile = join(seeded.dir, 'kek.txt');
    writeFileSync(kekFile, kek1, { mode: 0o600 });
    const socket = join(seeded.dir, 'kms.sock');
    plugin = await startKmsPlugin(socket, kekFile);
    config = join(seeded.dir, 'config.yaml');
    writeFileSync(config, secretsConfig(kmsV2('vault', socket) + IDENTITY));
  }, 60_000);
  afterAll(async () => {
    await stopKmsPlugin(plugin);
    await seeded?.close();
  });

  const inventory = async (): Promise<Record<string, unknown>> => {
    const r = await run(['audit', '--endpoints', seeded.etcd.endpoint, '--config', config, '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout.toString());
    expect(report.totals.latest.byStatus).toEqual({ encrypted: N, plaintext: 0, undecryptable: 0 });
    // Key IDs are the KEK's name and a fingerprint of it (kek-1:ff06…): keep the name.
    const byKeyID = report.totals.kmsV2['kms:v2:vault'].byKeyID as Record<string, number>;
    return Object.fromEntries(Object.entries(byKeyID).map(([id, n]) => [id.split(':')[0], n]));
  };

  it('reencrypt moves every plaintext Secret under the plugin\u2019s current KEK', async () => {
    const r = await run(['reencrypt', '--endpoints', seeded.etcd.endpoint, '--config', config, '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.toString())).toMatchObject({ rewritten: N, rewrites: { 'identity -> kms:v2:vault': N } });
    expect(await inventory()).toEqual({ 'kek-1': N });
  });

  it('after a KEK rotation (the plugin\u2019s first key is new), values under the old key ID are stale; reencrypt moves them', async () => {
    writeFileSync(kekFile, kek2 + kek1, { mode: 0o600 });
    // The plugin re-reads its file when it changes; each command is a fresh process that asks it for its key ID.
    let dry = await run(['reencrypt', '--endpoints', seeded.etcd.endpoint, '--config', config, '--dry-run', '-o', 'json']);
    for (let i = 0; i < 50 && JSON.parse(dry.stdout.toString()).rewritten !== N; i++) {
      await new Promise((r) => setTimeout(r, 100));
      dry = await run(['reencrypt', '--endpoints', seeded.etcd.endpoint, '--config', config, '--dry-run', '-o', 'json']);
    }
    expect(JSON.parse(dry.stdout.toString())).toMatchObject({ rewritten: N, rewrites: { 'kms:v2:vault -> kms:v2:vault': N } });
    const r = await run(['reencrypt', '--endpoints', seeded.etcd.endpoint, '--config', config]);
    expect(r.code, r.stderr).toBe(0);
    expect(await inventory()).toEqual({ 'kek-2': N });
    // The old KEK can now leave the plugin: every latest value still reads.
    writeFileSync(kekFile, kek2, { mode: 0o600 });
    await new Promise((r) => setTimeout(r, 500));
    expect(await inventory()).toEqual({ 'kek-2': N });
  }, 60_000);
});
