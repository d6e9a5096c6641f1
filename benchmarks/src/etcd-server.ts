/**
 * A real etcd for tests and benchmarks (Debian's `etcd-server`, v3.4) on 127.0.0.1 with free ports and a
 * temporary data dir, driven with `etcdctl`. Bounded waits; `stop()` kills the process and
 * removes the directory, and an exit hook does the same if a test dies first.
 * @module
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A free TCP port on 127.0.0.1 (bound to port 0, then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** True when `etcd` and `etcdctl` are on PATH. */
export function haveEtcd(): boolean {
  return spawnSync('etcd', ['--version']).status === 0 && spawnSync('etcdctl', ['version'], { env: { ...process.env, ETCDCTL_API: '3' } }).status === 0;
}

/** A running etcd. */
export interface EtcdServer {
  readonly endpoint: string;
  readonly dir: string;
  /** Run etcdctl against this server; throws with its stderr on failure. */
  ctl(args: string[], input?: Uint8Array): string;
  /** `etcdctl put KEY` with the value on stdin; returns the new revision. */
  put(key: string, value: Uint8Array): number;
  /** `etcdctl del KEY`; returns the new revision. */
  del(key: string): number;
  stop(): Promise<void>;
}

/**
 * Start etcd.
 * @throws Error when etcd is missing or not healthy within 30 s
 */
export async function startEtcd(options: { quotaBytes?: number } = {}): Promise<EtcdServer> {
  if (!haveEtcd()) throw new Error('etcd and etcdctl are needed (Debian packages etcd-server etcd-client)');
  const dir = mkdtempSync(join(tmpdir(), 'atrest-etcd-'));
  const [client, peer] = [await freePort(), await freePort()];
  const endpoint = `http://127.0.0.1:${client}`;
  const child: ChildProcess = spawn(
    'etcd',
    [
      '--name', 'atrest-test',
      '--data-dir', join(dir, 'data'),
      '--listen-client-urls', endpoint,
      '--advertise-client-urls', endpoint,
      '--listen-peer-urls', `http://127.0.0.1:${peer}`,
      '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`,
      '--initial-cluster', `atrest-test=http://127.0.0.1:${peer}`,
      '--quota-backend-bytes', String(options.quotaBytes ?? 2 * 1024 ** 3),
      '--log-level', 'error',
    ],
    { stdio: 'ignore' },
  );
  const kill = (): void => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', kill);
  const env = { ...process.env, ETCDCTL_API: '3' };
  const ctl = (args: string[], input?: Uint8Array): string => {
    const r = spawnSync('etcdctl', ['--endpoints', endpoint, ...args], { env, input, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`etcdctl ${args[0]} failed: ${r.stderr?.toString() ?? r.error}`);
    return r.stdout.toString();
  };
  let healthy = false;
  for (let i = 0; i < 150 && !healthy; i++) {
    if (child.exitCode !== null) break;
    healthy = spawnSync('etcdctl', ['--endpoints', endpoint, 'endpoint', 'health'], { env, timeout: 5000 }).status === 0;
    if (!healthy) await new Promise((r) => setTimeout(r, 200));
  }
  if (!healthy) {
    kill();
    rmSync(dir, { recursive: true, force: true });
    throw new Error('etcd did not become healthy within 30 s');
  }
  const revisionOf = (json: string): number => Number(JSON.parse(json).header.revision);
  return {
    endpoint,
    dir,
    ctl,
    put: (key, value) => revisionOf(ctl(['put', key, '-w', 'json'], value)),
    del: (key) => revisionOf(ctl(['del', key, '-w', 'json'])),
    async stop() {
      process.off('exit', kill);
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        kill();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
