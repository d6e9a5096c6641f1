import { AtrestError, ErrorCode, PrefixChain, readSync, utf8, writeSync } from '@atrest/core';
import { identity, identityProvider } from '@atrest/identity';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const CTX = utf8('/registry/secrets/default/db');

describe('identity', () => {
  it('returns values unchanged, never stale, source identity', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (data) => {
        fc.pre(Buffer.from(data.subarray(0, 8)).toString('latin1') !== 'k8s:enc:');
        const r = readSync(identity(), data, CTX);
        expect(Buffer.from(r.plaintext).equals(Buffer.from(data))).toBe(true);
        expect(r).toMatchObject({ stale: false, source: 'identity' });
        expect(Buffer.from(writeSync(identity(), data, CTX)).equals(Buffer.from(data))).toBe(true);
      }),
    );
  });

  it('refuses data starting with k8s:enc: but not near misses', () => {
    for (const v of ['k8s:enc:', 'k8s:enc:aesgcm:v1:key1:xyz', 'k8s:enc:\u0000']) {
      let caught: unknown;
      try {
        identity().read(utf8(v), CTX);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(AtrestError);
      expect((caught as AtrestError).code).toBe(ErrorCode.IdentityEncrypted);
      expect((caught as AtrestError).message).toBe('identity transformer tried to read encrypted data');
    }
    for (const v of ['', 'k8s:enc', 'k8s:en:x', 'K8S:ENC:x', ' k8s:enc:']) {
      expect(Buffer.from(readSync(identity(), utf8(v), CTX).plaintext).toString()).toBe(v);
    }
  });

  it('as a chain entry: empty prefix, named identity, refusal skipped silently', () => {
    const entry = identityProvider();
    expect(entry.prefix.length).toBe(0);
    expect(entry.name).toBe('identity');
    const chain = new PrefixChain([entry], () => new AtrestError(ErrorCode.NoMatchingPrefix, 'no matching prefix found'));
    expect(readSync(chain, utf8('plain'), CTX)).toMatchObject({ stale: false, source: 'identity' });
    let caught: unknown;
    try {
      void chain.read(utf8('k8s:enc:aesgcm:v1:k:xxx'), CTX);
    } catch (err) {
      caught = err;
    }
    expect((caught as AtrestError).code).toBe(ErrorCode.NoMatchingPrefix);
    expect(Buffer.from(writeSync(chain, utf8('w'), CTX)).toString()).toBe('w');
  });
});
