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
