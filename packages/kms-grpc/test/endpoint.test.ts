import { describe, expect, it } from 'vitest';
import { AtrestError } from '@atrest/core';
import { parseKmsEndpoint } from '@atrest/kms-grpc';

describe('parseKmsEndpoint', () => {
  it('accepts unix sockets and abstract sockets', () => {
    expect(parseKmsEndpoint('unix:///var/run/kms.sock')).toMatchObject({ address: '/var/run/kms.sock', abstract: false, target: 'unix:/var/run/kms.sock' });
    expect(parseKmsEndpoint('unix:///@kms-plugin')).toMatchObject({ address: '@kms-plugin', abstract: true, target: 'unix:\0kms-plugin' });
  });
  it.each([
    ['', 'empty string'],
    ['tcp://127.0.0.1:80', 'unsupported scheme "tcp"'],
    ['unix://host/var/run/kms.sock', 'no host part'],
    ['unix://', 'no socket path'],
    ['unix:///', 'no socket path'],
    ['/var/run/kms.sock', 'expected unix:///path'],
    ['unix:///@', 'empty abstract socket name'],
  ])('refuses %j', (endpoint, why) => {
    try {
      parseKmsEndpoint(endpoint);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AtrestError);
      expect((e as AtrestError).code).toBe('ERR_INVALID_ARGUMENT');
      expect((e as AtrestError).message).toContain(why);
    }
  });
});
