/**
 * The live source against a real etcd with user/password auth on: root and a read-only user read,
 * a wrong password is a LiveAuthError, a user without read on /registry is a LivePermissionError,
 * and no password ever shows in an error.
 * @module
 */
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@atrest/core';
import { haveEtcd, startEtcd, type EtcdServer } from '@atrest/test-support';
import { LiveAuthError, LiveCompactedError, type LiveEtcdError, LivePermissionError, openLiveEtcd, type EtcdConnectionOptions, type LiveEtcd, type LiveRevision } from '../src/index.js';
import type { KeyValue } from '@atrest/etcd-snapshot';
import { openFailure } from './_open-failure.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const ROOT_PASSWORD = 'r00t-Pa55word-xyzzy';
const READER_PASSWORD = 'reader-Pa55word-plugh';
const OTHER_PASSWORD = 'other-Pa55word-frotz';
const COMMAND_MS = 3000;

const noSecrets = (e: LiveEtcdError): void => {
  for (const text of [e.message, e.describe(), inspect(e, { depth: 8 }), JSON.stringify(e.context)]) {
    for (const p of [ROOT_PASSWORD, READER_PASSWORD, OTHER_PASSWORD, 'wrong-Pa55word']) expect(text).not.toContain(p);
  }
};

describe.skipIf(!haveEtcd())('etcd-live with user/password auth', () => {
  let etcd: EtcdServer;
  const opened: LiveEtcd[] = [];
  const options = (user: string, password: string): EtcdConnectionOptions => ({ endpoints: [etcd.endpoint], user, password, dialTimeoutMs: 2000, commandTimeoutMs: COMMAND_MS });
  const open = async (user: string, password: string): Promise<LiveEtcd> => {
    const live = await openLiveEtcd(options(user, password));
    opened.push(live);
    return live;
  };

  beforeAll(async () => {
    etcd = await startEtcd({ auth: { rootPassword: ROOT_PASSWORD } });
    for (let i = 0; i < 4; i++) etcd.put(`/registry/secrets/auth/s${i}`, enc.encode(`v${i}`));
    etcd.put('/other/x', enc.encode('x'));
    // reader: read on the /registry/ prefix only
    etcd.ctl(['role', 'add', 'registry-reader']);
    etcd.ctl(['role', 'grant-permission', '--prefix=true', 'registry-reader', 'read', '/registry/']);
    etcd.ctl(['user', 'add', `reader:${READER_PASSWORD}`]);
    etcd.ctl(['user', 'grant-role', 'reader', 'registry-reader']);
    // other: read on /other/ only, nothing under /registry/
    etcd.ctl(['role', 'add', 'other-reader']);
    etcd.ctl(['role', 'grant-permission', '--prefix=true', 'other-reader', 'read', '/other/']);
    etcd.ctl(['user', 'add', `other:${OTHER_PASSWORD}`]);
    etcd.ctl(['user', 'grant-role', 'other', 'other-reader']);
  }, 60_000);
  afterAll(async () => {
    for (const l of opened) l.close();
    await etcd?.stop();
  });

  it('root with the right password reads facts(), latest() and history()', async () => {
    const live = await open('root', ROOT_PASSWORD);
    const facts = await live.facts();
    expect(facts.members).toHaveLength(1);
    const seen: KeyValue[] = [];
    for await (const b of live.latest(enc.encode('/registry/secrets/auth/'), { pageSize: 3 })) seen.push(...b);
    expect(seen.map((kv) => dec.decode(kv.value))).toEqual(['v0', 'v1', 'v2', 'v3']);
    const hist: LiveRevision[] = [];
    for await (const b of live.history(enc.encode('/registry/secrets/auth/'))) hist.push(...b);
    expect(hist.map((r) => dec.decode(r.kv.value))).toEqual(['v0', 'v1', 'v2', 'v3']);
  });

  it('a user with read on /registry/ only reads facts(), latest() and get() under it; history() says it needs the whole keyspace', async () => {
    const live = await open('reader', READER_PASSWORD);
    // the compaction revision is looked up through a key the user may read
    const facts = await live.facts(enc.encode('/registry/'));
    await expect(live.facts()).rejects.toBeInstanceOf(LivePermissionError);
    expect(facts.revision).toBeGreaterThan(0);
    const seen: KeyValue[] = [];
    for await (const b of live.latest(enc.encode('/registry/'))) seen.push(...b);
    expect(seen.map((kv) => dec.decode(kv.key))).toEqual([0, 1, 2, 3].map((i) => `/registry/secrets/auth/s${i}`));
    const denied = await (async () => {
      for await (const b of live.history(enc.encode('/registry/'))) void b;
    })().catch((x: unknown) => x);
    expect(denied).toBeInstanceOf(LivePermissionError);
    expect((denied as Error).message).toMatch(/history needs read access to every key/);
    expect(dec.decode((await live.get(enc.encode('/registry/secrets/auth/s2')))?.value)).toBe('v2');
    // after a compaction, facts() still finds the compaction revision through the prefix
    const compactAt = etcd.put('/registry/secrets/auth/s0', enc.encode('v0b'));
    etcd.put('/registry/secrets/auth/s1', enc.encode('v1b'));
    etcd.ctl(['compaction', String(compactAt)]);
    expect((await live.facts(enc.encode('/registry/'))).compactRevision).toBe(compactAt);
    // and a compacted get() reports the compaction revision it found through that key
    const err = await live.get(enc.encode('/registry/secrets/auth/s0'), compactAt - 1).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(LiveCompactedError);
    expect((err as LiveCompactedError).compactRevision).toBe(compactAt);
  });

  it('a wrong password is a LiveAuthError naming the endpoint, without the password', async () => {
    const { err, ms } = await openFailure(options('root', 'wrong-Pa55word'), opened);
    expect(err).toBeInstanceOf(LiveAuthError);
    const e = err as LiveAuthError;
    expect(e.code).toBe(ErrorCode.EtcdAuth);
    expect(e.message).toContain(etcd.endpoint);
    expect(e.message).toMatch(/check --user/);
    noSecrets(e);
    expect(ms).toBeLessThan(COMMAND_MS + 3000);
    // an unknown user is the same error
    const unknown = await openLiveEtcd(options('nobody', 'wrong-Pa55word')).catch((x: unknown) => x);
    expect(unknown).toBeInstanceOf(LiveAuthError);
    noSecrets(unknown as LiveAuthError);
  });

  it('a user without read permission on /registry is a LivePermissionError naming the endpoint', async () => {
    const live = await open('other', OTHER_PASSWORD);
    const read = async (f: () => Promise<unknown>): Promise<LivePermissionError> => {
      const err = await f().then(() => new Error('read'), (e: unknown) => e);
      expect(err).toBeInstanceOf(LivePermissionError);
      const e = err as LivePermissionError;
      expect(e.code).toBe(ErrorCode.EtcdPermission);
      expect(e.message).toContain(etcd.endpoint);
      expect(e.message).toMatch(/grant the user a role/);
      noSecrets(e);
      return e;
    };
    await read(async () => {
      for await (const b of live.latest(enc.encode('/registry/'))) void b;
    });
    await read(() => live.get(enc.encode('/registry/secrets/auth/s0')));
    await read(async () => {
      for await (const b of live.history(enc.encode('/registry/'))) void b;
    });
    // what it may read still works
    expect(dec.decode((await live.get(enc.encode('/other/x')))?.value)).toBe('x');
  });
});
