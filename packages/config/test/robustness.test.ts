/**
 * Bad input never crashes: whatever the bytes, parsing and loading either succeed or throw an
 * AtrestError with a stable code.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AtrestError } from '@atrest/core';
import { loadEncryptionConfiguration, parseEncryptionConfiguration } from '@atrest/config';

const VALID = `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets, '*.apps']
    providers:
      - aesgcm: { keys: [{ name: k1, secret: AAAAAAAAAAAAAAAAAAAAAA== }] }
      - kms: { apiVersion: v2, name: p, endpoint: 'unix:///k.sock', timeout: 2s }
      - identity: {}
`;

const CODES = new Set(['ERR_CONFIG_PARSE', 'ERR_CONFIG_INVALID', 'ERR_CONFIG_BUILD', 'ERR_INVALID_KEY']);

function outcome(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AtrestError);
    expect(CODES.has((err as AtrestError).code)).toBe(true);
  }
}

describe('robustness', () => {
  it('arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => outcome(() => parseEncryptionConfiguration(b))), {
      numRuns: 300,
    });
  });

  it('arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => outcome(() => loadEncryptionConfiguration(s))), { numRuns: 300 });
  });

  it('a valid file with one character replaced, inserted or deleted', () => {
    const edit = fc.record({
      at: fc.nat({ max: VALID.length - 1 }),
      kind: fc.constantFrom('replace', 'insert', 'delete'),
      ch: fc.constantFrom(' ', ':', '-', '[', '{', '}', "'", '"', '\n', '\t', '#', '&', '*', '!', 'x', '0', '%', '|', '>'),
    });
    fc.assert(
      fc.property(edit, ({ at, kind, ch }) => {
        const text =
          kind === 'delete'
            ? VALID.slice(0, at) + VALID.slice(at + 1)
            : VALID.slice(0, at) + ch + VALID.slice(kind === 'replace' ? at + 1 : at);
        outcome(() => loadEncryptionConfiguration(text));
      }),
      { numRuns: 500 },
    );
  });
});

describe('robustness, positive control', () => {
  it('the harness fails on a loader that lets a TypeError escape (a planted bug)', () => {
    const planted = (s: string): unknown => {
      if (s.includes(':')) throw new TypeError('planted: cannot read properties of undefined');
      return loadEncryptionConfiguration(s);
    };
    expect(() => fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => outcome(() => planted(s))), { numRuns: 300 })).toThrow(/Property failed/);
  });
});
