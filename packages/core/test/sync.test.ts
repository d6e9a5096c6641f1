import { AtrestError, ErrorCode, readSync, type Transformer, utf8, writeSync } from '@atrest/core';
import { afterEach, describe, expect, it } from 'vitest';

const CTX = utf8('/registry/secrets/default/db');

const asyncRejecting: Transformer = {
  read: () => Promise.reject(new AtrestError(ErrorCode.KmsPlugin, 'plugin down')),
  write: () => Promise.reject(new AtrestError(ErrorCode.KmsPlugin, 'plugin down')),
};
const asyncOk: Transformer = {
  read: (d) => Promise.resolve({ plaintext: d, stale: false }),
  write: (p) => Promise.resolve(p),
};
const syncOk: Transformer = { read: (d) => ({ plaintext: d, stale: false }), write: (p) => p };

describe('readSync / writeSync', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on('unhandledRejection', onUnhandled);
  afterEach(() => {
    expect(unhandled).toEqual([]);
  });

  it('pass synchronous results through', () => {
    expect(readSync(syncOk, utf8('x'), CTX).stale).toBe(false);
    expect(Buffer.from(writeSync(syncOk, utf8('y'), CTX)).toString()).toBe('y');
  });

  it('refuse asynchronous providers with ERR_ASYNC_PROVIDER', () => {
    for (const t of [asyncOk, asyncRejecting]) {
      expect(() => readSync(t, utf8('x'), CTX)).toThrow(expect.objectContaining({ code: ErrorCode.AsyncProvider }));
      expect(() => writeSync(t, utf8('x'), CTX)).toThrow(expect.objectContaining({ code: ErrorCode.AsyncProvider }));
    }
  });

  it('leave no unhandled rejection behind when refusing', async () => {
    expect(() => readSync(asyncRejecting, utf8('x'), CTX)).toThrow(AtrestError);
    await new Promise((resolve) => setTimeout(resolve, 20));
    process.off('unhandledRejection', onUnhandled);
  });
});
