/**
 * `atrest audit|dump|inspect --endpoints …` against a real etcd (Debian's etcd-server on
 * 127.0.0.1), written the way kube-apiserver writes it: values encrypted by atrest under a
 * configuration that changes over time, Events on a lease, deletes and a compaction.
 *
 * - A live audit and the audit of `etcdctl snapshot save` taken at the same revision give the
 *   same report (everything but the header saying what was read).
 * - Nothing is written: etcd's revision is the same before and after every command.
 * - TLS with client certificates (the kubeadm way) and ETCDCTL_* variables work; a cluster with
 *   a member down is still audited through the others.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utf8, writeSync } from '@atrest/core';
import { loadEncryptionConfiguration } from '@atrest/config';
import { CBC1, etcdRevision, type EtcdServer, GCM2, haveEtcd, haveOpenssl, IDENTITY, reportBody, secretsConfig, startEtcd, startEtcdCluster } from '@atrest/test-support';
import { run } from './_run.js';

const config = secretsConfig;
/** What the cluster's config went through: plaintext, then aescbc, then aesgcm first. */
const PHASES = [config(IDENTITY), config(CBC1 + IDENTITY), config(GCM2 + CBC1 + IDENTITY)].map((y) => loadEncryptionConfiguration(y).transformerForResource('secrets'));
/** The auditor's config: today's. */
const AUDITOR = config(GCM2 + CBC1 + IDENTITY);

const secret = (ns: string, name: string, data: string): Uint8Array =>
  utf8(`${JSON.stringify({ kind: 'Secret', apiVersion: 'v1', metadata: { name, namespace: ns, uid: `uid-${ns}-${name}` }, data: { k: Buffer.from(data).toString('base64') } })}\n`);
const event = (ns: string, name: string): Uint8Array => utf8(`${JSON.stringify({ kind: 'Event', apiVersion: 'v1', metadata: { name, namespace: ns }, reason: 'Started' })}\n`);

/** etcd's current revision, without writing. */

/** Write a small history into etcd as kube-apiserver would; returns the compaction revision. */
function writeHistory(etcd: EtcdServer): number {
  const put = (phase: number, k: string, plaintext: Uint8Array): number => etcd.put(k, writeSync(PHASES[phase] as never, plaintext, utf8(k)));
  // "lease 694d7b8f2c3a1e05 granted with TTL(3600s)" (the JSON form's int64 does not fit a JS number).
  const leaseHex = /lease ([0-9a-f]+) granted/.exec(etcd.ctl(['lease', 'grant', '3600']))?.[1] as string;
  for (let i = 0; i < 6; i++) put(0, `/registry/secrets/shop/s${i}`, secret('shop', `s${i}`, `plain-${i}`));
  etcd.put('/registry/configmaps/shop/cfg', utf8('{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"cfg","namespace":"shop"}}\n'));
  for (let i = 0; i < 3; i++) etcd.ctl(['put', `/registry/events/shop/e${i}`, '--lease', leaseHex], event('shop', `e${i}`));
  for (let i = 0; i < 4; i++) put(1, `/registry/secrets/shop/s${i}`, secret('shop', `s${i}`, `cbc-${i}`));
  etcd.del('/registry/secrets/shop/s5');
  const compactAt = put(1, '/registry/secrets/other/x', secret('other', 'x', 'cbc-x'));
  etcd.ctl(['compaction', String(compactAt)]);
  for (let i = 0; i < 2; i++) put(2, `/registry/secrets/shop/s${i}`, secret('shop', `s${i}`, `gcm-${i}`));
  put(0, '/registry/secrets/shop/late-plain', secret('shop', 'late-plain', 'oops'));
  // Created in plaintext after the compaction, then re-encrypted: the plaintext stays in history.
  put(0, '/registry/secrets/shop/fresh', secret('shop', 'fresh', 'was-plain'));
  put(2, '/registry/secrets/shop/fresh', secret('shop', 'fresh', 'now-gcm'));
  etcd.del('/registry/secrets/shop/s3');
  etcd.put('compact_rev_key', utf8('not an object'));
  return compactAt;
}


describe.skipIf(!haveEtcd())('atrest against a running etcd', () => {
  let etcd: EtcdServer;
  let dir: string;
  let configFile: string;
  let snapshot: string;
  let compactAt: number;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'atrest-cli-live-'));
    configFile = join(dir, 'config.yaml');
    writeFileSync(configFile, AUDITOR);
    etcd = await startEtcd();
    compactAt = writeHistory(etcd);
    snapshot = join(dir, 'snap.db');
    etcd.ctl(['snapshot', 'save', snapshot]);
  }, 60_000);
  afterAll(async () => {
    await etcd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('audit --history gives the report of a snapshot taken at the same revision, and writes nothing', async () => {
    const before = etcdRevision(etcd);
    const live = await run(['audit', '--endpoints', etcd.endpoint, '--config', configFile, '--history', '-o', 'json']);
    expect(live.stderr).toBe('');
    expect(live.code).toBe(0);
    const file = await run(['audit', snapshot, '--config', configFile, '-o', 'json']);
    expect(file.code).toBe(0);
    expect(reportBody(live.stdout)).toEqual(reportBody(file.stdout));
    expect(JSON.stringify(reportBody(live.stdout))).toBe(JSON.stringify(reportBody(file.stdout)));
    const report = JSON.parse(live.stdout.toString());
    expect(report.source).toMatchObject({ kind: 'etcd', endpoints: [etcd.endpoint], revision: before, compactRevision: compactAt, history: true });
    expect(report.source.clusterId).toMatch(/^[0-9a-f]+$/);
    // What the history holds: plaintext left behind, a stale aescbc value, today's aesgcm values.
    // identity: s4 and late-plain, the ConfigMap and the three Events (resources the config leaves plain).
    expect(report.totals.latest.byProviderKey).toEqual({ 'aescbc:key1': 2, 'aesgcm:key2': 3, identity: 6 });
    expect(report.totals.history.plaintextRevisionsOfKeysNowEncrypted.map((l: { key: string }) => l.key)).toEqual(['/registry/secrets/shop/fresh']);
    expect(report.findings.some((f: { kind: string; key: string }) => f.kind === 'plaintext' && f.key === '/registry/secrets/shop/late-plain')).toBe(true);
    expect(etcdRevision(etcd)).toBe(before);
  });

  it('audit without --history reads latest values at one revision and calls no key removable', async () => {
    const r = await run(['audit', '--endpoints', etcd.endpoint, '--config', configFile, '-o', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout.toString());
    expect(report.source.history).toBe(false);
    expect(report.totals.history.revisions).toBe(0);
    expect(report.totals.latest.byStatus).toEqual(JSON.parse((await run(['audit', snapshot, '--config', configFile, '-o', 'json'])).stdout.toString()).totals.latest.byStatus);
    expect(report.keysStillNeeded.removable).toEqual([]);
    const table = await run(['audit', '--endpoints', etcd.endpoint, '--config', configFile]);
    expect(table.stdout.toString().split('\n')[0]).toMatch(new RegExp(`^etcd ${etcd.endpoint} \\(cluster [0-9a-f]+, member [0-9a-f]+\\): revision \\d+, compacted at ${compactAt}; latest values only`));
  });

  it('dump gives what the snapshot gives; inspect reads one value; neither writes', async () => {
    const before = etcdRevision(etcd);
    const live = await run(['dump', '--endpoints', etcd.endpoint, '--config', configFile, '--resource', 'secrets', '-o', 'jsonl']);
    const file = await run(['dump', snapshot, '--config', configFile, '--resource', 'secrets', '-o', 'jsonl']);
    expect(live.code).toBe(0);
    const sorted = (b: Buffer): string[] => b.toString().trim().split('\n').sort();
    expect(sorted(live.stdout)).toEqual(sorted(file.stdout));
    const inspect = await run(['inspect', '--endpoints', etcd.endpoint, '--etcd-key', '/registry/secrets/shop/s0']);
    expect(inspect.code).toBe(0);
    expect(JSON.parse(inspect.stdout.toString())).toMatchObject({ key: '/registry/secrets/shop/s0', id: 'aesgcm:key2' });
    const missing = await run(['inspect', '--endpoints', etcd.endpoint, '--etcd-key', '/registry/secrets/shop/nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no value of /registry/secrets/shop/nope');
    expect(etcdRevision(etcd)).toBe(before);
  });

  it('get answers the verification step: provider and key, staleness, and the decoded object with -o json', async () => {
    const before = etcdRevision(etcd);
    const table = await run(['get', 'secret', 's0', '-n', 'shop', '--endpoints', etcd.endpoint, '--config', configFile]);
    expect(table.code).toBe(0);
    const [head, row] = table.stdout.toString().trim().split('\n');
    expect(head?.split(/\s+/)).toEqual(['KEY', 'REVISION', 'PROVIDER:KEY', 'STATUS', 'STALE']);
    expect(row?.split(/\s+/)).toEqual(['/registry/secrets/shop/s0', expect.stringMatching(/^\d+$/), 'aesgcm:key2', 'encrypted', 'no']);
    const stale = await run(['get', 'Secrets', 's2', '-n', 'shop', '--endpoints', etcd.endpoint, '--config', configFile]);
    expect(stale.stdout.toString()).toMatch(/aescbc:key1\s+encrypted\s+yes/);
    const json = await run(['get', 'secret', 's0', '-n', 'shop', '--endpoints', etcd.endpoint, '--config', configFile, '-o', 'json']);
    const object = JSON.parse(json.stdout.toString());
    expect(object).toMatchObject({ key: '/registry/secrets/shop/s0', provider: 'aesgcm:key2', stale: false, status: 'encrypted' });
    expect(Buffer.from(object.object.data.k, 'base64').toString()).toBe('gcm-0');
    const noConfig = await run(['get', 'secret', 's0', '-n', 'shop', '--endpoints', etcd.endpoint]);
    expect(noConfig.stdout.toString()).toMatch(/aesgcm:key2\s+encrypted \(not read: no --config\)\s+-/);
    const missing = await run(['get', 'secret', 'nope', '-n', 'shop', '--endpoints', etcd.endpoint]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('atrest get: secrets "nope" not found in namespace shop (no etcd key /registry/secrets/shop/nope)\n');
    expect((await run(['get', 'secret', '--endpoints', etcd.endpoint])).code).toBe(2);
    expect(etcdRevision(etcd)).toBe(before);
  });

  it('ETCDCTL_ENDPOINTS works as etcdctl reads it; a SNAPSHOT with --endpoints is a usage error', async () => {
    const r = await run(['audit', '--config', configFile, '-o', 'json'], '', { ETCDCTL_ENDPOINTS: etcd.endpoint });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.toString()).source.endpoints).toEqual([etcd.endpoint]);
    const both = await run(['audit', snapshot, '--endpoints', etcd.endpoint, '--config', configFile]);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe('atrest: give a SNAPSHOT file or --endpoints, not both; see atrest audit --help\n');
  });

  it('no etcd at the endpoint: one line naming it, exit 1, within the dial timeout', async () => {
    const r = await run(['audit', '--endpoints', 'http://127.0.0.1:1', '--config', configFile, '--dial-timeout', '1s', '--command-timeout', '2s']);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toContain('http://127.0.0.1:1');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe.skipIf(!haveEtcd() || !haveOpenssl())('atrest against etcd with TLS client certificates (as kubeadm runs it)', () => {
  let etcd: EtcdServer;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'atrest-cli-tls-'));
    writeFileSync(join(dir, 'config.yaml'), AUDITOR);
    etcd = await startEtcd({ tls: true, clientCertAuth: true });
    etcd.put('/registry/secrets/a/b', writeSync(PHASES[2] as never, secret('a', 'b', 'x'), utf8('/registry/secrets/a/b')));
  }, 60_000);
  afterAll(async () => {
    await etcd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads with --cacert --cert --key, and with ETCDCTL_CACERT/CERT/KEY', async () => {
    const t = etcd.tls as NonNullable<EtcdServer['tls']>;
    const flags = await run(['audit', '--endpoints', etcd.endpoint, '--cacert', t.caCert, '--cert', t.clientCert, '--key', t.clientKey, '--config', join(dir, 'config.yaml'), '-o', 'json']);
    expect(flags.stderr).toBe('');
    expect(JSON.parse(flags.stdout.toString()).totals.latest.byProviderKey).toEqual({ 'aesgcm:key2': 1 });
    const env = await run(['inspect', '--etcd-key', '/registry/secrets/a/b'], '', {
      ETCDCTL_ENDPOINTS: etcd.endpoint,
      ETCDCTL_CACERT: t.caCert,
      ETCDCTL_CERT: t.clientCert,
      ETCDCTL_KEY: t.clientKey,
    });
    expect(env.code).toBe(0);
    expect(JSON.parse(env.stdout.toString()).id).toBe('aesgcm:key2');
  });

  it('a missing client certificate is one clear line naming the endpoint', async () => {
    const t = etcd.tls as NonNullable<EtcdServer['tls']>;
    const r = await run(['audit', '--endpoints', etcd.endpoint, '--cacert', t.caCert, '--config', join(dir, 'config.yaml'), '--dial-timeout', '2s']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(etcd.endpoint);
    expect(r.stderr).toMatch(/--cert and --key/);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });
});

describe.skipIf(!haveEtcd())('atrest against a three-member etcd cluster', () => {
  it('audits through the other members when one is down', async () => {
    const cluster = await startEtcdCluster(3);
    const dir = mkdtempSync(join(tmpdir(), 'atrest-cli-cluster-'));
    try {
      writeFileSync(join(dir, 'config.yaml'), AUDITOR);
      const member = cluster.members[1] as EtcdServer;
      for (let i = 0; i < 5; i++) member.put(`/registry/secrets/a/s${i}`, writeSync(PHASES[1] as never, secret('a', `s${i}`, 'x'), utf8(`/registry/secrets/a/s${i}`)));
      await (cluster.members[0] as EtcdServer).stop();
      const r = await run(['audit', '--endpoints', cluster.endpoints.join(','), '--config', join(dir, 'config.yaml'), '--history', '-o', 'json', '--dial-timeout', '2s']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout.toString()).totals.latest.byProviderKey).toEqual({ 'aescbc:key1': 5 });
    } finally {
      await cluster.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
