/**
 * Vector-kind detection and its refusals.
 */
import { describe, expect, it } from 'vitest';
import { detectVectorKind, formatResult } from '@atrest/conformance';
import { atrestErrorOf } from '@atrest/test-support/provider-kit';

const base = { id: 'x', description: 'd', config: 'c' };

describe('detectVectorKind', () => {
  it('recognises each kind by case shape', () => {
    expect(detectVectorKind({ cases: [{ ...base, resource: 'secrets', key: '/k', stored: '', expect: { error: 'e' } }] })).toBe(
      'values',
    );
    expect(detectVectorKind({ cases: [{ ...base, valid: true, errors: [] }] })).toBe('config-validation');
    expect(detectVectorKind({ cases: [{ ...base, resource: 'secrets', chain: ['identity'] }] })).toBe('resolution');
    expect(detectVectorKind({ cases: [{ ...base, resource: 'secrets', error: 'masked' }] })).toBe('resolution');
  });

  it.each([
    ['null', null],
    ['an array', []],
    ['no cases', { cases: [] }],
    ['unknown case shape', { cases: [{ ...base }] }],
    ['mixed kinds', { cases: [{ ...base, valid: true, errors: [] }, { ...base, resource: 's', chain: [] }] }],
  ])('refuses %s with ERR_INVALID_DATA', (_label, json) => {
    expect(atrestErrorOf(() => detectVectorKind(json)).code).toBe('ERR_INVALID_DATA');
  });
});

describe('formatResult', () => {
  it('shows expected and actual for failures', () => {
    const text = formatResult({ id: 'r1', ok: false, expected: { chain: ['aesgcm:k'] }, actual: { error: 'boom', code: 'ERR_X' } });
    expect(text).toBe('FAIL r1\n  expected: chain [aesgcm:k]\n  actual:   error "boom" (ERR_X)');
    expect(formatResult({ id: 'r2', ok: true, expected: {}, actual: {} })).toBe('ok   r2');
  });

  it('lists validation findings', () => {
    const text = formatResult({
      id: 'v1',
      ok: false,
      expected: { valid: false, errors: [{ field: 'resources', type: 'Required', detail: 'at least one resources is required' }] },
      actual: { valid: true, errors: [] },
    });
    expect(text).toContain('resources (Required): at least one resources is required');
    expect(text).toContain('actual:   valid');
  });
});
