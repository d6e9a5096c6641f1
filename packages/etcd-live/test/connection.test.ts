/**
 * etcdctl-style flags and ETCDCTL_* variables to connection options: precedence, endpoint lists,
 * credentials, durations, and typed errors that name the flag at fault.
 * @module
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { AtrestError, ErrorCode } from '@atrest/core';
import {
  connectionOptionsFrom,
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_DIAL_TIMEOUT_MS,
  LiveEtcdError,
  LiveOptionsError,
  parseDuration,
  type EtcdFlags,
} from '../src/index.js';

const optionsError = (f: () => unknown): LiveOptionsError => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(LiveOptionsError);
    expect(e).toBeInstanceOf(LiveEtcdError);
    expect(e).toBeInstanceOf(AtrestError);
    return e as LiveOptionsError;
  }
  throw new Error('expected a LiveOptionsError');
};

describe('parseDuration', () => {
  it.each([
    ['2s', 2000],
    ['500ms', 500],
    ['1.5s', 1500],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['1m0.5s', 60_500],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text, '--dial-timeout')).toBe(ms);
  });

  it.each(['', '2', 's', '-2s', '0s', '0.1ms', '2 s', '2S', '2sec', '1s2', 'abc', '2d'])('"%s" is a typed error naming the flag', (text) => {
    const e = optionsError(() => parseDuration(text, '--command-timeout'));
    expect(e.flag).toBe('--command-timeout');
    expect(e.code).toBe(ErrorCode.InvalidArgument);
    expect(e.context['flag']).toBe('--command-timeout');
    expect(e.message).toMatch(/^--command-timeout: ".*" is not a positive duration such as 2s or 500ms$/);
  });
});

describe('connectionOptionsFrom', () => {
  it('defaults to etcdctl’s endpoint and timeouts and ignores an empty environment', () => {
    const { options, passwordMissing } = connectionOptionsFrom({}, {});
    expect(options).toEqual({ endpoints: ['http://127.0.0.1:2379'], dialTimeoutMs: DEFAULT_DIAL_TIMEOUT_MS, commandTimeoutMs: DEFAULT_COMMAND_TIMEOUT_MS });
    expect(passwordMissing).toBe(false);
    expect(DEFAULT_DIAL_TIMEOUT_MS).toBe(2000);
    expect(DEFAULT_COMMAND_TIMEOUT_MS).toBe(5000);
  });

  it('reads ETCDCTL_ENDPOINTS, CACERT, CERT, KEY and USER from the environment', () => {
    const { options, passwordMissing } = connectionOptionsFrom(
      {},
      {
        ETCDCTL_ENDPOINTS: 'https://127.0.0.1:2379,https://127.0.0.2:2379',
        ETCDCTL_CACERT: '/env/ca.crt',
        ETCDCTL_CERT: '/env/client.crt',
        ETCDCTL_KEY: '/env/client.key',
        ETCDCTL_USER: 'alice:s3cret',
      },
    );
    expect(options).toEqual({
      endpoints: ['https://127.0.0.1:2379', 'https://127.0.0.2:2379'],
      cacert: '/env/ca.crt',
      cert: '/env/client.crt',
      key: '/env/client.key',
      user: 'alice',
      password: 's3cret',
      dialTimeoutMs: 2000,
      commandTimeoutMs: 5000,
    });
    expect(passwordMissing).toBe(false);
  });

  it('lets every flag win over its variable', () => {
    const env = {
      ETCDCTL_ENDPOINTS: 'https://10.0.0.1:2379',
      ETCDCTL_CACERT: '/env/ca.crt',
      ETCDCTL_CERT: '/env/client.crt',
      ETCDCTL_KEY: '/env/client.key',
      ETCDCTL_USER: 'envuser:envpass',
    };
    const flags: EtcdFlags = {
      endpoints: 'https://127.0.0.1:2379',
      cacert: '/flag/ca.crt',
      cert: '/flag/client.crt',
      key: '/flag/client.key',
      user: 'bob:pw',
      dialTimeout: '3s',
      commandTimeout: '1m',
    };
    expect(connectionOptionsFrom(flags, env).options).toEqual({
      endpoints: ['https://127.0.0.1:2379'],
      cacert: '/flag/ca.crt',
      cert: '/flag/client.crt',
      key: '/flag/client.key',
      user: 'bob',
      password: 'pw',
      dialTimeoutMs: 3000,
      commandTimeoutMs: 60_000,
    });
    // one flag at a time: the others still come from the environment
    const o = connectionOptionsFrom({ cacert: '/flag/ca.crt' }, env).options;
    expect(o.cacert).toBe('/flag/ca.crt');
    expect(o.cert).toBe('/env/client.crt');
    expect(o.endpoints).toEqual(['https://10.0.0.1:2379']);
  });

  it('splits comma-separated endpoints, trims spaces and a trailing slash', () => {
    expect(connectionOptionsFrom({ endpoints: ' http://127.0.0.1:2379/ , http://localhost:22379,,http://[::1]:32379' }, {}).options.endpoints).toEqual([
      'http://127.0.0.1:2379',
      'http://localhost:22379',
      'http://[::1]:32379',
    ]);
  });

  it('accepts https with TLS files and ignores stray TLS variables on plain http', () => {
    const secure = connectionOptionsFrom({ endpoints: 'https://127.0.0.1:2379', cacert: 'ca.crt' }, {}).options;
    expect(secure.cacert).toBe('ca.crt');
    const plain = connectionOptionsFrom({ endpoints: 'http://127.0.0.1:2379' }, { ETCDCTL_CACERT: '/env/ca.crt', ETCDCTL_CERT: '/c', ETCDCTL_KEY: '/k' }).options;
    expect(plain).toEqual({ endpoints: ['http://127.0.0.1:2379'], dialTimeoutMs: 2000, commandTimeoutMs: 5000 });
    // a TLS flag typed with an http:// endpoint is a mistake
    const e = optionsError(() => connectionOptionsFrom({ endpoints: 'http://127.0.0.1:2379', cacert: 'ca.crt' }, {}));
    expect(e.flag).toBe('--cacert');
    expect(e.message).toMatch(/https:\/\//);
  });

  it('--user name alone asks for a password; name:password does not; an empty name is an error', () => {
    const alone = connectionOptionsFrom({ user: 'alice' }, {});
    expect(alone.passwordMissing).toBe(true);
    expect(alone.options.user).toBe('alice');
    expect(alone.options.password).toBeUndefined();
    const both = connectionOptionsFrom({ user: 'alice:pa:ss' }, {});
    expect(both.passwordMissing).toBe(false);
    expect(both.options.password).toBe('pa:ss');
    // an explicitly empty password is a password
    const empty = connectionOptionsFrom({ user: 'alice:' }, {});
    expect(empty.passwordMissing).toBe(false);
    expect(empty.options.password).toBe('');
    const e = optionsError(() => connectionOptionsFrom({ user: ':topsecret' }, {}));
    expect(e.flag).toBe('--user');
    const fromEnv = optionsError(() => connectionOptionsFrom({}, { ETCDCTL_USER: ':topsecret' }));
    expect(fromEnv.flag).toBe('ETCDCTL_USER');
    for (const err of [e, fromEnv]) {
      expect(err.message).not.toContain('topsecret');
      expect(inspect(err)).not.toContain('topsecret');
    }
  });

  it('--insecure-skip-tls-verify is kept for https and refused for http', () => {
    expect(connectionOptionsFrom({ endpoints: 'https://127.0.0.1:2379', insecureSkipTlsVerify: true }, {}).options.insecureSkipTlsVerify).toBe(true);
    expect(connectionOptionsFrom({ endpoints: 'https://127.0.0.1:2379' }, {}).options.insecureSkipTlsVerify).toBeUndefined();
    expect(optionsError(() => connectionOptionsFrom({ endpoints: 'http://127.0.0.1:2379', insecureSkipTlsVerify: true }, {})).flag).toBe('--insecure-skip-tls-verify');
  });

  it.each([
    ['', /no endpoint given/],
    [' , ', /no endpoint given/],
    ['127.0.0.1:2379', /must start with http:\/\/ or https:\/\/|is not a URL/],
    ['ftp://127.0.0.1:2379', /must start with http:\/\/ or https:\/\//],
    ['http://127.0.0.1', /has no port/],
    ['http://127.0.0.1:2379/v3', /scheme:\/\/host:port only/],
    ['http://127.0.0.1:2379?x=1', /scheme:\/\/host:port only/],
    ['not a url', /is not a URL/],
    ['http://127.0.0.1:2379,https://127.0.0.1:2380', /mixes http:\/\/ and https:\/\//],
  ])('endpoint "%s" is a typed error naming --endpoints', (text, re) => {
    const e = optionsError(() => connectionOptionsFrom({ endpoints: text }, { ETCDCTL_ENDPOINTS: 'http://127.0.0.1:2379' }));
    expect(e.flag).toBe('--endpoints');
    expect(e.message).toMatch(/^--endpoints: /);
    expect(e.message).toMatch(re);
  });

  it('a bad ETCDCTL_ENDPOINTS names the variable', () => {
    const e = optionsError(() => connectionOptionsFrom({}, { ETCDCTL_ENDPOINTS: 'ftp://x:1' }));
    expect(e.flag).toBe('ETCDCTL_ENDPOINTS');
    expect(e.message).toMatch(/^ETCDCTL_ENDPOINTS: /);
  });

  it('an endpoint with user:password@ is refused without repeating the password', () => {
    const e = optionsError(() => connectionOptionsFrom({ endpoints: 'https://root:hunter2@127.0.0.1:2379' }, {}));
    expect(e.message).toMatch(/use --user/);
    expect(e.message).not.toContain('hunter2');
    expect(e.describe()).not.toContain('hunter2');
  });

  it('--cert and --key go together', () => {
    const e = optionsError(() => connectionOptionsFrom({ endpoints: 'https://127.0.0.1:2379', cert: 'c.crt' }, {}));
    expect(e.flag).toBe('--cert');
    expect(optionsError(() => connectionOptionsFrom({ endpoints: 'https://127.0.0.1:2379', key: 'c.key' }, {})).flag).toBe('--key');
    expect(optionsError(() => connectionOptionsFrom({ endpoints: 'https://127.0.0.1:2379', cacert: ' ' }, {})).flag).toBe('--cacert');
  });

  it('bad --dial-timeout and --command-timeout name their flag', () => {
    expect(optionsError(() => connectionOptionsFrom({ dialTimeout: '2' }, {})).flag).toBe('--dial-timeout');
    expect(optionsError(() => connectionOptionsFrom({ commandTimeout: 'soon' }, {})).flag).toBe('--command-timeout');
  });
});
