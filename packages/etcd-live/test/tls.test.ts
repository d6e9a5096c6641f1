/**
 * The live source against a real etcd serving TLS and checking client certificates, with TLS
 * material made by openssl at test time: the good case reads, and each bad certificate is a
 * LiveTlsError naming the endpoint, raised within the timeouts.
 * @module
 */
import { inspect } from 'node:util';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@atrest/core';
import { haveEtcd, haveOpenssl, makeTlsMaterial, startEtcd, type EtcdServer, type TlsMaterial } from '@atrest/test-support';
import { LiveTlsError, openLiveEtcd, type EtcdConnectionOptions, type LiveEtcd } from '../src/index.js';
import type { KeyValue } from '@atrest/etcd-snapshot';
import { openFailure } from './_open-failure.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const DIAL_MS = 2000;
const COMMAND_MS = 2000;
/** Slack over the command timeout for the probe that diagnoses a failure and for a busy machine. */
const SLACK_MS = 3000;

describe.skipIf(!haveEtcd() || !haveOpenssl())('etcd-live over TLS with client certificates', () => {
  let tls: TlsMaterial;
  let etcd: EtcdServer;
  const opened: LiveEtcd[] = [];
  const options = (o: Partial<EtcdConnectionOptions>): EtcdConnectionOptions => ({
    endpoints: [etcd.endpoint],
    cacert: tls.caCert,
    cert: tls.clientCert,
    key: tls.clientKey,
    dialTimeoutMs: DIAL_MS,
    commandTimeoutMs: COMMAND_MS,
    ...o,
  });
  /** Open with `o`, expect a LiveTlsError within the command timeout, and check what it says. */
  const expectTlsError = async (o: EtcdConnectionOptions, reason: RegExp): Promise<LiveTlsError> => {
    const { err, ms: elapsed } = await openFailure(o, opened);
    expect(err).toBeInstanceOf(LiveTlsError);
    const e = err as LiveTlsError;
    expect(e.code).toBe(ErrorCode.EtcdTls);
    expect(e.name).toBe('LiveTlsError');
    expect(e.endpoints).toEqual([etcd.endpoint]);
    expect(e.message).toContain(etcd.endpoint);
    expect(e.message).toMatch(/check --cacert, --cert and --key/);
    expect(e.reason).toMatch(reason);
    expect(e.context['endpoints']).toBe(etcd.endpoint);
    // no key material anywhere, not even in the cause chain that util.inspect prints
    const keyBody = (file: string): string => readFileSync(file, 'utf8').split('\n')[1] as string;
    for (const text of [e.message, e.describe(), inspect(e, { depth: 8 })]) {
      expect(text).not.toContain(keyBody(tls.clientKey));
      expect(text).not.toContain(keyBody(tls.expiredClientKey));
      expect(text).not.toContain('PRIVATE KEY');
    }
    expect(elapsed).toBeLessThan(COMMAND_MS + SLACK_MS);
    return e;
  };

  beforeAll(async () => {
    tls = makeTlsMaterial();
    etcd = await startEtcd({ tls, clientCertAuth: true });
    for (let i = 0; i < 5; i++) etcd.put(`/registry/secrets/tls/s${i}`, enc.encode(`v${i}`));
  }, 60_000);
  afterAll(async () => {
    for (const l of opened) l.close();
    await etcd?.stop();
    tls?.remove();
  });

  it('reads facts() and latest() with a trusted CA and a valid client certificate', async () => {
    expect(etcd.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const live = await openLiveEtcd(options({}));
    opened.push(live);
    const facts = await live.facts();
    expect(facts.endpoints).toEqual([etcd.endpoint]);
    expect(facts.members).toHaveLength(1);
    expect(facts.members[0]?.clientUrls).toEqual([etcd.endpoint]);
    expect(facts.revision).toBeGreaterThanOrEqual(6);
    const seen: KeyValue[] = [];
    const it = live.latest(enc.encode('/registry/secrets/tls/'), { pageSize: 2 });
    for await (const batch of it) seen.push(...batch);
    expect(seen.map((kv) => dec.decode(kv.value))).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
    expect(await it.revision).toBe(facts.revision);
    expect(dec.decode((await live.get(enc.encode('/registry/secrets/tls/s3')))?.value)).toBe('v3');
  });

  it('--insecure-skip-tls-verify connects without --cacert', async () => {
    const { cacert: _ca, ...rest } = options({ insecureSkipTlsVerify: true });
    const live = await openLiveEtcd(rest);
    opened.push(live);
    expect((await live.facts()).revision).toBeGreaterThan(0);
  });

  it('a CA that did not sign the server certificate is a TLS error naming the endpoint', async () => {
    await expectTlsError(options({ cacert: tls.otherCaCert }), /^etcd's server certificate is not trusted by --cacert/);
  });

  it('a client certificate from a CA etcd does not trust is a TLS error naming the endpoint', async () => {
    // the unrelated CA's own certificate and key make a client certificate etcd must refuse
    await expectTlsError(options({ cert: tls.otherCaCert, key: tls.otherCaCert.replace(/\.crt$/, '.key') }), /^etcd rejected the client certificate \(--cert\): not signed by a CA it trusts/);
  });

  it('an expired client certificate is a TLS error naming the endpoint', async () => {
    await expectTlsError(options({ cert: tls.expiredClientCert, key: tls.expiredClientKey }), /^etcd rejected the client certificate \(--cert\): it expired on .*2020/);
  });

  it('no client certificate, when etcd requires one, is a TLS error naming the endpoint', async () => {
    const { cert: _c, key: _k, ...rest } = options({});
    await expectTlsError(rest, /^etcd requires a client certificate; give --cert and --key/);
  });

  it('a missing --cacert file is a TLS error naming the flag and file', async () => {
    const e = await expectTlsError(options({ cacert: `${tls.dir}/does-not-exist.crt` }), /cannot read --cacert file .*does-not-exist\.crt: ENOENT/);
    expect(e.message).toContain('--cacert');
  });

  it('https to a plain-HTTP port is a TLS error, not a hang', async () => {
    const plain = await startEtcd();
    try {
      const { err, ms } = await openFailure({ endpoints: [plain.endpoint.replace('http:', 'https:')], cacert: tls.caCert, dialTimeoutMs: DIAL_MS, commandTimeoutMs: COMMAND_MS }, opened);
      expect(err).toBeInstanceOf(LiveTlsError);
      expect((err as LiveTlsError).reason).toMatch(/may not speak TLS: use http:\/\//);
      expect(ms).toBeLessThan(COMMAND_MS + SLACK_MS);
    } finally {
      await plain.stop();
    }
  });
});
