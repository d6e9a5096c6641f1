/**
 * A real etcd for tests and benchmarks (Debian's `etcd-server`, v3.4) on 127.0.0.1 with free ports and a
 * temporary data dir, driven with `etcdctl`: one member (optionally with TLS, client-certificate
 * checking and user/password auth) or a small cluster. Waits are bounded; `stop()` kills the
 * process by its PID and removes the directory, and an exit hook does the same if a test dies first.
 * @module
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTlsMaterial, type TlsMaterial } from './tls.js';

/**
 * A free TCP port on 127.0.0.1 (bound to port 0, then released).
 * @example
 * ```ts
 * import { freePort } from '@atrest/test-support';
 * const port = await freePort();
 * ```
 */
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

/**
 * True when `etcd` and `etcdctl` are on PATH.
 * @example
 * ```ts
 * import { haveEtcd } from '@atrest/test-support';
 * if (!haveEtcd()) console.log('skipping');
 * ```
 */
export function haveEtcd(): boolean {
  return spawnSync('etcd', ['--version']).status === 0 && spawnSync('etcdctl', ['version'], { env: { ...process.env, ETCDCTL_API: '3' } }).status === 0;
}

/** Options of {@link startEtcd}. */
export interface StartEtcdOptions {
  /** `--quota-backend-bytes` (default 2 GiB). */
  readonly quotaBytes?: number;
  /** Serve clients over TLS with generated material (or the given one, which the caller removes). */
  readonly tls?: boolean | TlsMaterial;
  /** With `tls`: require a client certificate signed by the CA (`--client-cert-auth`). */
  readonly clientCertAuth?: boolean;
  /** Enable user/password auth with user `root` and this password (`user add`, `auth enable`). */
  readonly auth?: { readonly rootPassword: string };
}

/** A running etcd (one member). */
export interface EtcdServer {
  /** `http://127.0.0.1:PORT` or `https://…`. */
  readonly endpoint: string;
  readonly dir: string;
  /** The TLS files when started with `tls`. */
  readonly tls?: TlsMaterial;
  /** Run etcdctl against this server (with its TLS files and root credentials); throws with its stderr on failure. */
  ctl(args: string[], input?: Uint8Array): string;
  /** `etcdctl put KEY` with the value on stdin; returns the new revision. */
  put(key: string, value: Uint8Array): number;
  /** `etcdctl del KEY`; returns the new revision. */
  del(key: string): number;
  /** The PID of the etcd process. */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/** A running etcd cluster. */
export interface EtcdCluster {
  readonly members: readonly EtcdServer[];
  /** Every member's client endpoint. */
  readonly endpoints: readonly string[];
  /** Stop every member still running and remove the data dirs. */
  stop(): Promise<void>;
}

interface MemberPlan {
  readonly name: string;
  readonly dir: string;
  readonly client: number;
  readonly peer: number;
}

const scheme = (tls: TlsMaterial | undefined): string => (tls ? 'https' : 'http');

function launch(plan: MemberPlan, initialCluster: string, options: StartEtcdOptions, tls: TlsMaterial | undefined): ChildProcess {
  const endpoint = `${scheme(tls)}://127.0.0.1:${plan.client}`;
  const peerUrl = `http://127.0.0.1:${plan.peer}`;
  const args = [
    '--name', plan.name,
    '--data-dir', join(plan.dir, 'data'),
    '--listen-client-urls', endpoint,
    '--advertise-client-urls', endpoint,
    '--listen-peer-urls', peerUrl,
    '--initial-advertise-peer-urls', peerUrl,
    '--initial-cluster', initialCluster,
    '--initial-cluster-state', 'new',
    '--quota-backend-bytes', String(options.quotaBytes ?? 2 * 1024 ** 3),
    '--log-level', 'error',
  ];
  if (tls) {
    args.push('--cert-file', tls.serverCert, '--key-file', tls.serverKey);
    if (options.clientCertAuth) args.push('--client-cert-auth', '--trusted-ca-file', tls.caCert);
  }
  return spawn('etcd', args, { stdio: 'ignore' });
}

/** The member's handle, and a switch that makes its `ctl` log in as root once auth is on. */
function memberHandle(plan: MemberPlan, child: ChildProcess, options: StartEtcdOptions, tls: TlsMaterial | undefined, ownDir: boolean): [EtcdServer, () => void] {
  const endpoint = `${scheme(tls)}://127.0.0.1:${plan.client}`;
  const env = { ...process.env, ETCDCTL_API: '3' };
  const base = ['--endpoints', endpoint, '--dial-timeout', '3s', '--command-timeout', '20s'];
  if (tls) base.push('--cacert', tls.caCert, '--cert', tls.clientCert, '--key', tls.clientKey);
  let authOn = false;
  const ctl = (args: string[], input?: Uint8Array): string => {
    const auth = authOn && options.auth ? ['--user', `root:${options.auth.rootPassword}`] : [];
    const r = spawnSync('etcdctl', [...base, ...auth, ...args], { env, input, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`etcdctl ${args[0]} failed: ${r.stderr?.toString() ?? r.error}`);
    return r.stdout.toString();
  };
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  process.once('exit', kill);
  const revisionOf = (json: string): number => Number(JSON.parse(json).header.revision);
  const server: EtcdServer = {
    endpoint,
    dir: plan.dir,
    ...(tls ? { tls } : {}),
    pid: child.pid,
    ctl,
    put: (key, value) => revisionOf(ctl(['put', key, '-w', 'json'], value)),
    del: (key) => revisionOf(ctl(['del', key, '-w', 'json'])),
    async stop() {
      process.off('exit', kill);
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        const exited = new Promise((r) => child.once('exit', r));
        process.kill(child.pid, 'SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        kill();
      }
      rmSync(plan.dir, { recursive: true, force: true });
      if (ownDir && tls) tls.remove();
    },
  };
  return [server, () => (authOn = true)];
}

async function waitHealthy(server: EtcdServer, child: ChildProcess, seconds: number): Promise<boolean> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return false;
    try {
      server.ctl(['endpoint', 'health']);
      return true;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return false;
}

async function plan(name: string): Promise<MemberPlan> {
  return { name, dir: mkdtempSync(join(tmpdir(), 'atrest-etcd-')), client: await freePort(), peer: await freePort() };
}

function tlsFor(options: StartEtcdOptions): { tls: TlsMaterial | undefined; own: boolean } {
  if (!options.tls) return { tls: undefined, own: false };
  if (options.tls === true) return { tls: makeTlsMaterial(), own: true };
  return { tls: options.tls, own: false };
}

/**
 * Start one etcd member.
 *
 * @param options - TLS, client-certificate checking, auth, backend quota
 * @returns the running server; `stop()` it in `afterAll`
 * @throws Error when etcd is missing or not healthy within 30 s
 * @example
 * ```ts
 * import { startEtcd } from '@atrest/test-support';
 * const etcd = await startEtcd({ tls: true, clientCertAuth: true });
 * etcd.put('/registry/a', new TextEncoder().encode('x'));
 * await etcd.stop();
 * ```
 */
export async function startEtcd(options: StartEtcdOptions = {}): Promise<EtcdServer> {
  if (!haveEtcd()) throw new Error('etcd and etcdctl are needed (Debian packages etcd-server etcd-client)');
  const { tls, own } = tlsFor(options);
  const p = await plan('atrest-test');
  const child = launch(p, `${p.name}=http://127.0.0.1:${p.peer}`, options, tls);
  const [server, loginAsRoot] = memberHandle(p, child, options, tls, own);
  if (!(await waitHealthy(server, child, 30))) {
    await server.stop();
    throw new Error('etcd did not become healthy within 30 s');
  }
  if (options.auth) {
    server.ctl(['user', 'add', `root:${options.auth.rootPassword}`]);
    server.ctl(['auth', 'enable']);
    loginAsRoot();
  }
  return server;
}

/**
 * Start an etcd cluster of `size` members on 127.0.0.1 (plain HTTP).
 *
 * @param size - number of members (3 for the usual quorum tests)
 * @returns the members; `stop()` the cluster in `afterAll`
 * @throws Error when a member is not healthy within 45 s
 * @example
 * ```ts
 * import { startEtcdCluster } from '@atrest/test-support';
 * const cluster = await startEtcdCluster(3);
 * await cluster.members[0]!.stop(); // the other two keep quorum
 * await cluster.stop();
 * ```
 */
export async function startEtcdCluster(size: number): Promise<EtcdCluster> {
  if (!haveEtcd()) throw new Error('etcd and etcdctl are needed (Debian packages etcd-server etcd-client)');
  const plans: MemberPlan[] = [];
  for (let i = 0; i < size; i++) plans.push(await plan(`atrest-m${i}`));
  const initial = plans.map((p) => `${p.name}=http://127.0.0.1:${p.peer}`).join(',');
  const children = plans.map((p) => launch(p, initial, {}, undefined));
  const members = plans.map((p, i) => memberHandle(p, children[i] as ChildProcess, {}, undefined, false)[0]);
  const cluster: EtcdCluster = {
    members,
    endpoints: members.map((m) => m.endpoint),
    async stop() {
      await Promise.all(members.map((m) => m.stop()));
    },
  };
  for (let i = 0; i < size; i++) {
    if (!(await waitHealthy(members[i] as EtcdServer, children[i] as ChildProcess, 45))) {
      await cluster.stop();
      throw new Error(`etcd cluster member ${i} did not become healthy within 45 s`);
    }
  }
  return cluster;
}
