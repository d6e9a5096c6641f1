/**
 * The chain's positional fast paths (`readAt`, `writeAfter`): a chain passes offsets and headers
 * down instead of creating views and concatenating prefixes per level, and the results must be
 * exactly those of the plain `read`/`write`.
 */
import { aescbcProvider } from '@atrest/aescbc';
import { aesgcmProvider } from '@atrest/aesgcm';
import { AtrestError, availableBackends, type ChainEntry, ErrorCode, PrefixChain, type ReadResult, readSync, type Transformer, utf8, writeSync } from '@atrest/core';
import { identityProvider } from '@atrest/identity';
import { secretboxProvider } from '@atrest/secretbox';
import { describe, expect, it } from 'vitest';

const CTX = utf8('/registry/secrets/default/db');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const noMatch = () => new AtrestError(ErrorCode.NoMatchingPrefix, 'no matching prefix found');

describe.each(availableBackends())('positional chain paths on the $name backend', (backend) => {
  const key = (name: string) => ({ name, secret: backend.randomBytes(32) });
  const builders: Record<string, () => ChainEntry> = {
    aesgcm: () => aesgcmProvider([key('k1'), key('k2')], { backend }),
    aescbc: () => aescbcProvider([key('k1'), key('k2')], { backend }),
    secretbox: () => secretboxProvider([key('k1'), key('k2')], { backend }),
  };

  it.each(Object.keys(builders))('%s: readAt(offset) equals read(subarray), writeAfter(header) equals header || write', (name) => {
    const chain = new PrefixChain([builders[name]!(), identityProvider()], noMatch);
    const pt = utf8('a secret of some length');
    const stored = writeSync(chain, pt, CTX);
    expect(text(stored)).toMatch(new RegExp(`^k8s:enc:${name}:v1:k1:`));
    for (const lead of [0, 1, 3, 8, 23]) {
      const padded = new Uint8Array(lead + stored.length).fill(0x5a);
      padded.set(stored, lead);
      const r = chain.readAt(padded, lead, CTX) as ReadResult;
      expect(hex(r.plaintext)).toBe(hex(pt));
      expect(r.stale).toBe(false);
    }
    const header = utf8('HEADER:');
    for (let i = 0; i < 3; i++) {
      // Alternate headers: the remembered combination must follow the header passed.
      const h = i % 2 === 0 ? header : utf8('X');
      const out = chain.writeAfter(h, pt, CTX) as Uint8Array;
      expect(hex(out.subarray(0, h.length))).toBe(hex(h));
      expect(hex(readSync(chain, out.subarray(h.length), CTX).plaintext)).toBe(hex(pt));
    }
    expect(text(header)).toBe('HEADER:'); // never modified
    // One buffer reused with other contents gets its own header, not the one remembered.
    const reused = utf8('AAAA:');
    void chain.writeAfter(reused, pt, CTX);
    reused.set(utf8('BBBB:'));
    expect(text((chain.writeAfter(reused, pt, CTX) as Uint8Array).subarray(0, 5))).toBe('BBBB:');
  });

  it('a value under a later key is stale through readAt too', () => {
    const entry = builders['aesgcm']!();
    const chain = new PrefixChain([entry], noMatch);
    const inner = entry.transformer as PrefixChain;
    const second = inner.entries[1]!;
    const payload = writeSync(second.transformer, utf8('x'), CTX);
    const stored = new Uint8Array([...utf8('k8s:enc:aesgcm:v1:k2:'), ...payload]);
    const padded = new Uint8Array([9, 9, ...stored]);
    expect((chain.readAt(padded, 2, CTX) as ReadResult).stale).toBe(true);
    expect(readSync(chain, stored, CTX).stale).toBe(true);
  });
});

function text(b: Uint8Array): string {
  return Buffer.from(b).toString('latin1');
}

describe('positional calls reach transformers that offer them, and only those', () => {
  const seen: string[] = [];
  const positional: Transformer = {
    read: () => {
      throw new Error('read must not be called when readAt exists');
    },
    readAt(data, offset) {
      seen.push(`readAt:${offset}:${data.length}`);
      return { plaintext: data.subarray(offset), stale: false };
    },
    write: () => {
      throw new Error('write must not be called when writeAfter exists');
    },
    writeAfter(header, plaintext) {
      seen.push(`writeAfter:${text(header)}`);
      return new Uint8Array([...header, ...plaintext]);
    },
  };
  const plain: Transformer = {
    read(data) {
      seen.push(`read:${data.length}`);
      return { plaintext: data, stale: false };
    },
    write(plaintext) {
      seen.push('write');
      return plaintext;
    },
  };

  it.each([
    ['passes offsets and the combined header down nested chains', positional, ['writeAfter:p:k:', 'readAt:4:9']],
    ['falls back to read(subarray) and prefix concatenation for plain transformers', plain, ['write', 'read:5']],
  ])('%s', (_, inner, calls) => {
    seen.length = 0;
    const outer = new PrefixChain([{ prefix: utf8('p:'), transformer: new PrefixChain([{ prefix: utf8('k:'), transformer: inner }], noMatch) }], noMatch);
    expect(text(writeSync(outer, utf8('v'), CTX))).toBe('p:k:v');
    expect(text(readSync(outer, utf8('p:k:value'), CTX).plaintext)).toBe('value');
    expect(seen).toEqual(calls);
  });
});
