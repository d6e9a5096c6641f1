import {
  AtrestAggregateError,
  AtrestError,
  type ChainEntry,
  ErrorCode,
  isPromise,
  type MaybePromise,
  PrefixChain,
  type ReadResult,
  type Transformer,
  utf8,
} from '@atrest/core';
import { describe, expect, it } from 'vitest';
// The provider test kit's file, by path: @atrest/core cannot depend on @atrest/test-support (which
// depends on it) without a cycle.

// core cannot take @atrest/test-support (which depends on core), so its three small helpers live here.
const CTX = utf8('/registry/secrets/default/db');
const noMatch = () => new AtrestError(ErrorCode.NoMatchingPrefix, 'no matching prefix found');
/** The AtrestError `fn` throws (the assertion fails when it throws anything else or nothing). */
function errorOf(fn: () => unknown): AtrestError {
  const thrown = (() => { try { fn(); } catch (err) { return err; } return undefined; })();
  expect(thrown).toBeInstanceOf(AtrestError);
  return thrown as AtrestError;
}

const text = (b: Uint8Array): string => Buffer.from(b).toString();
const fail = (message: string, code: ErrorCode = ErrorCode.Authentication) => new AtrestError(code, message);

interface Recorder {
  readonly calls: string[];
}

/** A transformer that records what it was given and answers as told. */
function fake(
  rec: Recorder,
  label: string,
  behaviour: { fail?: AtrestError | Error; stale?: boolean; source?: string; async?: boolean } = {},
): Transformer {
  const answer = <T>(value: () => T): MaybePromise<T> => {
    if (!behaviour.async) return value();
    return Promise.resolve().then(value);
  };
  return {
    read(data: Uint8Array): MaybePromise<ReadResult> {
      rec.calls.push(`${label}:read:${text(data)}`);
      return answer(() => {
        if (behaviour.fail) throw behaviour.fail;
        const r: ReadResult = { plaintext: utf8(`${label}(${text(data)})`), stale: behaviour.stale ?? false };
        return behaviour.source === undefined ? r : { ...r, source: behaviour.source };
      });
    },
    write(plaintext: Uint8Array): MaybePromise<Uint8Array> {
      rec.calls.push(`${label}:write:${text(plaintext)}`);
      return answer(() => utf8(`${label}[${text(plaintext)}]`));
    },
  };
}

const entry = (prefix: string, transformer: Transformer, name?: string): ChainEntry =>
  name === undefined ? { prefix: utf8(prefix), transformer } : { prefix: utf8(prefix), transformer, name };

describe('PrefixChain read', () => {
  it('tries only entries whose prefix matches and passes the rest of the value', () => {
    const rec: Recorder = { calls: [] };
    const chain = new PrefixChain([entry('a:', fake(rec, 'A'), 'A'), entry('b:', fake(rec, 'B'), 'B')], noMatch);
    const r = chain.read(utf8('b:payload'), CTX) as ReadResult;
    expect(text(r.plaintext)).toBe('B(payload)');
    expect(rec.calls).toEqual(['B:read:payload']);
  });

  it('first success wins; a success after entry 0 is stale and the failures before it are dropped', () => {
    const rec: Recorder = { calls: [] };
    const chain = new PrefixChain(
      [entry('k:', fake(rec, 'A', { fail: fail('bad A') }), 'A'), entry('k:', fake(rec, 'B'), 'B'), entry('k:', fake(rec, 'C'), 'C')],
      noMatch,
    );
    const r = chain.read(utf8('k:v'), CTX) as ReadResult;
    expect(r).toMatchObject({ stale: true, source: 'B' });
    expect(text(r.plaintext)).toBe('B(v)');
    expect(rec.calls).toEqual(['A:read:v', 'B:read:v']);
  });

  it('is not stale at entry 0 unless the entry says so', () => {
    const rec: Recorder = { calls: [] };
    expect(new PrefixChain([entry('', fake(rec, 'A'), 'A')], noMatch).read(utf8('x'), CTX)).toMatchObject({ stale: false, source: 'A' });
    expect(new PrefixChain([entry('', fake(rec, 'A', { stale: true }), 'A')], noMatch).read(utf8('x'), CTX)).toMatchObject({
      stale: true,
    });
  });

  it("prefers the transformer's own source over the entry name", () => {
    const rec: Recorder = { calls: [] };
    const chain = new PrefixChain([entry('p:', fake(rec, 'A', { source: 'inner:key' }), 'outer')], noMatch);
    expect(chain.read(utf8('p:x'), CTX)).toMatchObject({ source: 'inner:key', stale: false });
    const unnamed = new PrefixChain([entry('', fake(rec, 'A'))], noMatch).read(utf8('x'), CTX) as ReadResult;
    expect(unnamed.source).toBeUndefined();
  });

  it('skips the errors of empty-prefix entries silently', () => {
    const rec: Recorder = { calls: [] };
    const idFail = fail('identity transformer tried to read encrypted data', ErrorCode.IdentityEncrypted);
    const chain = new PrefixChain([entry('k:', fake(rec, 'A', { fail: fail('bad A') })), entry('', fake(rec, 'I', { fail: idFail }))], noMatch);
    const e = errorOf(() => chain.read(utf8('k:x'), CTX));
    expect(e.message).toBe('bad A');
    expect(e).not.toBeInstanceOf(AtrestAggregateError);
    const onlyIdentity = new PrefixChain([entry('k:', fake(rec, 'A')), entry('', fake(rec, 'I', { fail: idFail }))], noMatch);
    expect(errorOf(() => onlyIdentity.read(utf8('other'), CTX)).code).toBe(ErrorCode.NoMatchingPrefix);
  });

  it('an empty-prefix entry can still succeed after others failed (stale)', () => {
    const rec: Recorder = { calls: [] };
    const chain = new PrefixChain([entry('k:', fake(rec, 'A', { fail: fail('bad A') })), entry('', fake(rec, 'I'), 'identity')], noMatch);
    expect(chain.read(utf8('k:x'), CTX)).toMatchObject({ stale: true, source: 'identity' });
  });

  it('reduces the errors of all matching entries in chain order', () => {
    const rec: Recorder = { calls: [] };
    const chain = new PrefixChain(
      [
        entry('k:', fake(rec, 'A', { fail: fail('first') })),
        entry('z:', fake(rec, 'Z', { fail: fail('never') })),
        entry('k:', fake(rec, 'B', { fail: fail('second', ErrorCode.BlockSize) })),
        entry('k:', fake(rec, 'C', { fail: fail('first') })),
      ],
      noMatch,
    );
    const e = errorOf(() => chain.read(utf8('k:x'), CTX));
    expect(e).toBeInstanceOf(AtrestAggregateError);
    expect(e.message).toBe('[first, second]');
    expect((e as AtrestAggregateError).errors.map((x) => x.message)).toEqual(['first', 'second', 'first']);
  });

  it('throws a single failure as itself', () => {
    const rec: Recorder = { calls: [] };
    const only = fail('only');
    expect(errorOf(() => new PrefixChain([entry('k:', fake(rec, 'A', { fail: only }))], noMatch).read(utf8('k:'), CTX))).toBe(only);
  });

  it('turns foreign throwables into ERR_INTERNAL without their text', () => {
    const rec: Recorder = { calls: [] };
    const chain = new PrefixChain([entry('k:', fake(rec, 'A', { fail: new TypeError('secret-ish detail') }))], noMatch);
    const e = errorOf(() => chain.read(utf8('k:x'), CTX));
    expect(e.code).toBe(ErrorCode.Internal);
    expect(e.message).not.toContain('secret-ish');
  });

  it("throws the chain's no-match error when no prefix matches", () => {
    const rec: Recorder = { calls: [] };
    const chain = new PrefixChain([entry('a:', fake(rec, 'A')), entry('b:', fake(rec, 'B'))], noMatch);
    const e = errorOf(() => chain.read(utf8('c:x'), CTX));
    expect(e.code).toBe(ErrorCode.NoMatchingPrefix);
    expect(e.message).toBe('no matching prefix found');
    expect(rec.calls).toEqual([]);
    // A value shorter than a prefix does not match it.
    expect(errorOf(() => chain.read(utf8('a'), CTX)).code).toBe(ErrorCode.NoMatchingPrefix);
  });

  it('an inner chain none of whose prefixes match makes its no-match error only when the whole read fails', () => {
    // Two providers of one kind (`k8s:enc:aesgcm:v1:` twice), keys k1 and k2: a value under k2.
    const rec: Recorder = { calls: [] };
    let made = 0;
    const innerNoMatch = (which: string) => () => {
      made++;
      return new AtrestError(ErrorCode.NoMatchingKey, `no key in ${which}`);
    };
    const inner = (label: string, name: string, behaviour: Parameters<typeof fake>[2] = {}) =>
      new PrefixChain([entry(`${name}:`, fake(rec, label, behaviour), `p:${name}`)], innerNoMatch(name));
    const chain = new PrefixChain(
      [entry('p:', inner('A', 'k1'), 'p'), entry('p:', inner('B', 'k2'), 'p'), entry('', fake(rec, 'I', { fail: fail('identity') }), 'identity')],
      noMatch,
    );
    expect(chain.read(utf8('p:k2:v'), CTX)).toMatchObject({ stale: true, source: 'p:k2' });
    const out = new Uint8Array(16);
    expect(text((chain.readInto(utf8('p:k2:v'), CTX, out) as ReadResult).plaintext)).toBe('B(v)');
    expect(made).toBe(0);
    expect(rec.calls).toEqual(['B:read:v', 'B:read:v']);
    // Under neither key: both inner errors, in chain order, as when each inner chain threw its own.
    const e = errorOf(() => chain.read(utf8('p:k3:v'), CTX));
    expect(e).toBeInstanceOf(AtrestAggregateError);
    expect((e as AtrestAggregateError).errors.map((x) => [x.code, x.message])).toEqual([
      [ErrorCode.NoMatchingKey, 'no key in k1'],
      [ErrorCode.NoMatchingKey, 'no key in k2'],
    ]);
    expect(made).toBe(2);
    // A failure of the inner chain that matched sits between them in order.
    const failing = new PrefixChain([entry('p:', inner('A', 'k1'), 'p'), entry('p:', inner('B', 'k2', { fail: fail('bad tag') }), 'p'), entry('p:', inner('C', 'k3'), 'p')], noMatch);
    const f = errorOf(() => failing.read(utf8('p:k2:v'), CTX)) as AtrestAggregateError;
    expect(f.errors.map((x) => x.message)).toEqual(['no key in k1', 'bad tag', 'no key in k3']);
  });

  it('refuses an empty entry list', () => {
    expect(() => new PrefixChain([], noMatch)).toThrow(TypeError);
  });
});

describe('PrefixChain write', () => {
  it('uses entry 0 and prepends its prefix', () => {
    const rec: Recorder = { calls: [] };
    const chain = new PrefixChain([entry('k8s:enc:x:v1:a:', fake(rec, 'A')), entry('b:', fake(rec, 'B'))], noMatch);
    expect(text(chain.write(utf8('pt'), CTX) as Uint8Array)).toBe('k8s:enc:x:v1:a:A[pt]');
    expect(rec.calls).toEqual(['A:write:pt']);
  });

  it('adds nothing for an empty prefix', () => {
    const rec: Recorder = { calls: [] };
    expect(text(new PrefixChain([entry('', fake(rec, 'I'))], noMatch).write(utf8('pt'), CTX) as Uint8Array)).toBe('I[pt]');
  });
});

describe('PrefixChain with asynchronous entries', () => {
  it('stays synchronous while it touches only synchronous entries', () => {
    const rec: Recorder = { calls: [] };
    const chain = new PrefixChain([entry('s:', fake(rec, 'S'), 'S'), entry('a:', fake(rec, 'A', { async: true }), 'A')], noMatch);
    const r = chain.read(utf8('s:x'), CTX);
    expect(isPromise(r)).toBe(false);
    expect(isPromise(chain.write(utf8('y'), CTX))).toBe(false);
  });

  it('returns a promise once it reaches an asynchronous entry', async () => {
    const rec: Recorder = { calls: [] };
    const chain = new PrefixChain([entry('s:', fake(rec, 'S'), 'S'), entry('a:', fake(rec, 'A', { async: true }), 'A')], noMatch);
    const r = chain.read(utf8('a:x'), CTX);
    expect(isPromise(r)).toBe(true);
    const v = await r;
    expect(text(v.plaintext)).toBe('A(x)');
    expect(v).toMatchObject({ stale: true, source: 'A' });
  });

  it('continues past a rejecting entry and reduces errors in chain order', async () => {
    const rec: Recorder = { calls: [] };
    const chain = new PrefixChain(
      [
        entry('k:', fake(rec, 'A', { async: true, fail: fail('async fail') })),
        entry('k:', fake(rec, 'B', { fail: fail('sync fail') })),
        entry('k:', fake(rec, 'C', { async: true }), 'C'),
      ],
      noMatch,
    );
    await expect(chain.read(utf8('k:x'), CTX)).resolves.toMatchObject({ stale: true, source: 'C' });
    const failing = new PrefixChain(
      [entry('k:', fake(rec, 'A', { async: true, fail: fail('async fail') })), entry('k:', fake(rec, 'B', { fail: fail('sync fail') }))],
      noMatch,
    );
    await expect(failing.read(utf8('k:x'), CTX)).rejects.toMatchObject({ message: '[async fail, sync fail]' });
    const idOnly = new PrefixChain([entry('', fake(rec, 'I', { async: true, fail: fail('id') }))], noMatch);
    await expect(idOnly.read(utf8('x'), CTX)).rejects.toMatchObject({ code: ErrorCode.NoMatchingPrefix });
  });

  it('writes through an asynchronous entry 0 with its prefix', async () => {
    const rec: Recorder = { calls: [] };
    const chain = new PrefixChain([entry('p:', fake(rec, 'A', { async: true }))], noMatch);
    const out = chain.write(utf8('v'), CTX);
    expect(isPromise(out)).toBe(true);
    expect(text(await out)).toBe('p:A[v]');
  });

  it('is at entry 0 not stale even when asynchronous', async () => {
    const rec: Recorder = { calls: [] };
    const chain = new PrefixChain([entry('a:', fake(rec, 'A', { async: true }), 'A')], noMatch);
    await expect(chain.read(utf8('a:x'), CTX)).resolves.toMatchObject({ stale: false, source: 'A' });
  });
});
