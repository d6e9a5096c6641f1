import { describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import { AtrestError } from '@atrest/core';
import { parseKekFile } from '@atrest/kms-grpc';

const k1 = Buffer.alloc(32, 1).toString('base64');
const k2 = Buffer.alloc(32, 2).toString('base64');

describe('parseKekFile', () => {
  it('reads keys in order, first active, with stable distinct key IDs', () => {
    const keks = parseKekFile(`# comment\n\nnew: ${k2}\nold: ${k1}\n`, 'kek.txt');
    expect(keks.map((k) => k.name)).toEqual(['new', 'old']);
    expect(keks[0]?.keyID).toMatch(/^new:[0-9a-f]{16}$/);
    expect(keks[0]?.keyID).not.toBe(keks[1]?.keyID);
    expect(parseKekFile(`x: ${k2}\n`, 'f')[0]?.keyID.slice(2)).toBe(keks[0]?.keyID.slice(4));
  });
  it('never shows key material', () => {
    const [k] = parseKekFile(`a: ${k1}\n`, 'f');
    expect(JSON.stringify(k)).not.toContain(k1);
    expect(inspect(k, { depth: 5 })).not.toContain(k1);
  });
  it.each([
    [`a ${k1}\n`, 'is not "NAME: BASE64KEY"', 1],
    [`a: ${Buffer.alloc(16).toString('base64')}\n`, 'must be 32 bytes, got 16', 1],
    [`a: ${k1}\na: ${k2}\n`, 'is repeated', 2],
    ['# nothing\n', 'holds no keys', undefined],
  ])('refuses %#', (text, why, line) => {
    try {
      parseKekFile(text, 'kek.txt');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AtrestError);
      expect((e as AtrestError).message).toContain(why);
      expect((e as AtrestError).context['line']).toBe(line);
      expect((e as AtrestError).describe()).not.toContain(k1);
    }
  });
});
