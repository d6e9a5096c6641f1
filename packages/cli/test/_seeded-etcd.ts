/** Test helper: a real etcd holding `n` secrets written under a config's write key. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { utf8, writeSync } from '@atrest/core';
import { loadEncryptionConfiguration } from '@atrest/config';
import { openLiveEtcd, type LiveEtcd } from '@atrest/etcd-live';
import { startEtcd, type EtcdServer } from '@atrest/test-support';

/** A Secret object's JSON, as kube-apiserver stores it. */
export const secretObject = (name: string): Uint8Array => utf8(`${JSON.stringify({ kind: 'Secret', apiVersion: 'v1', metadata: { name, namespace: 'ns' }, data: { k: 'dg==' } })}\n`);

export interface SeededEtcd {
  readonly etcd: EtcdServer;
  readonly live: LiveEtcd;
  /** A temporary directory, removed by {@link SeededEtcd.close}. */
  readonly dir: string;
  close(): Promise<void>;
}

/** Start etcd and write `/registry/secrets/ns/s0..s{n-1}` encrypted with `config`'s write key. */
export async function seededEtcd(name: string, config: string, n: number): Promise<SeededEtcd> {
  const dir = mkdtempSync(join(tmpdir(), `atrest-cli-${name}-`));
  const etcd = await startEtcd();
  const live = await openLiveEtcd({ endpoints: [etcd.endpoint], dialTimeoutMs: 2000, commandTimeoutMs: 10_000 });
  const t = loadEncryptionConfiguration(config).transformerForResource('secrets');
  for (let i = 0; i < n; i++) {
    const key = `/registry/secrets/ns/s${i}`;
    await live.compareAndPut(utf8(key), 0, writeSync(t as never, secretObject(`s${i}`), utf8(key)), 0n);
  }
  return {
    etcd,
    live,
    dir,
    close: async () => {
      live.close();
      await etcd.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
