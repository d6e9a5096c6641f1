import { inspect } from 'node:util';
import { SecretBytes } from '@atrest/core';
import { describe, expect, it } from 'vitest';

describe('SecretBytes', () => {
  const raw = new Uint8Array(Buffer.from('c2VjcmV0LWtleS1ieXRlcy0wMTIzNDU2Nzg5YWJjZGVm', 'base64'));
  const hex = Buffer.from(raw).toString('hex');
  const b64 = Buffer.from(raw).toString('base64');
  const k = new SecretBytes(raw);

  it('does not print its bytes through String, templates, JSON or util.inspect', () => {
    const renderings = [
      String(k),
      `${k}`,
      JSON.stringify(k),
      JSON.stringify({ nested: { k } }),
      inspect(k),
      inspect({ k }, { depth: 5, showHidden: true }),
      Object.keys(k).join(','),
    ];
    for (const s of renderings) {
      expect(s).not.toContain(hex);
      expect(s).not.toContain(b64);
      expect(s).not.toContain(Array.from(raw).join(','));
    }
    expect(String(k)).toBe(`SecretBytes(${raw.length} bytes, redacted)`);
  });

  it('copies on construction, exposes on request, and wipes', () => {
    const mine = raw.slice();
    const s = new SecretBytes(mine);
    mine.fill(0);
    expect(Buffer.from(s.expose()).toString('hex')).toBe(hex);
    expect(s.length).toBe(raw.length);
    s.wipe();
    expect(s.expose().every((b) => b === 0)).toBe(true);
  });
});
