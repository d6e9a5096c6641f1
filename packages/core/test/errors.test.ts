import { describe, expect, it } from 'vitest';
import { AtrestError, ErrorCode, reduceErrors, AtrestAggregateError } from '@atrest/core';

const e = (m: string) => new AtrestError(ErrorCode.Authentication, m);

describe('reduceErrors (upstream utilerrors.Reduce(NewAggregate))', () => {
  it('returns undefined for none and the error itself for one', () => {
    expect(reduceErrors([])).toBeUndefined();
    const one = e('a');
    expect(reduceErrors([one])).toBe(one);
  });
  it('keeps duplicate messages once; one remaining message is bare', () => {
    expect(reduceErrors([e('a'), e('a')])?.message).toBe('a');
  });
  it('joins distinct messages in order inside brackets and flattens nested aggregates', () => {
    const inner = new AtrestAggregateError([e('b'), e('c')]);
    expect(reduceErrors([e('a'), inner, e('b')])?.message).toBe('[a, b, c]');
  });
  it('describe() appends context without secrets', () => {
    const err = new AtrestError(ErrorCode.TooShort, 'x', { provider: 'aesgcm', key: 'k1', length: 3 });
    expect(err.describe()).toBe('x (provider=aesgcm, key=k1, length=3)');
  });
});

describe('toAtrestError', () => {
  it('keeps nothing of a foreign error but its type name: no text, no cause', async () => {
    const { toAtrestError } = await import('@atrest/core');
    const { inspect } = await import('node:util');
    const secret = 'c2VjcmV0LWtleS1ieXRlcw==';
    const e = toAtrestError(new RangeError(`bad key ${secret}`));
    expect(e.code).toBe(ErrorCode.Internal);
    expect(e.message).toBe('internal error (RangeError)');
    expect(e.context).toEqual({ kind: 'RangeError' });
    expect(e.cause).toBeUndefined();
    expect(inspect(e, { depth: 10 })).not.toContain(secret);
    expect(JSON.stringify(e)).not.toContain(secret);
  });
});
