/** configWarnings: findings beyond upstream's rules, never carrying key material. */
import { describe, expect, it } from 'vitest';
import { configWarnings, parseEncryptionConfiguration, type ConfigWarning } from '@atrest/config';

const K32 = Buffer.alloc(32, 7).toString('base64');
const K32B = Buffer.alloc(32, 9).toString('base64');
const K16 = Buffer.alloc(16, 3).toString('base64');
const K24 = Buffer.alloc(24, 4).toString('base64');

function warn(rules: string): ConfigWarning[] {
  return configWarnings(
    parseEncryptionConfiguration(`apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n${rules}`),
  );
}
const kinds = (ws: ConfigWarning[]): string[] => ws.map((w) => w.kind);

describe('configWarnings', () => {
  it('says nothing about a plain aesgcm config with a 32-byte key and identity last', () => {
    expect(warn(`  - resources: [secrets]\n    providers:\n      - aesgcm: {keys: [{name: k1, secret: ${K32}}]}\n      - identity: {}\n`)).toEqual([]);
  });

  it('identity alone is not flagged; identity before other providers is', () => {
    expect(warn(`  - resources: [secrets]\n    providers: [{identity: {}}]\n`)).toEqual([]);
    const ws = warn(`  - resources: [secrets]\n    providers:\n      - identity: {}\n      - aesgcm: {keys: [{name: k1, secret: ${K32}}]}\n`);
    expect(ws).toEqual([expect.objectContaining({ field: 'resources[0].providers[0].identity', kind: 'identity-first' })]);
    expect(ws[0]?.text).toContain('unencrypted');
  });

  it('flags aescbc and suggests aesgcm or kms v2', () => {
    const ws = warn(`  - resources: [secrets]\n    providers:\n      - aesgcm: {keys: [{name: k1, secret: ${K32}}]}\n      - aescbc: {keys: [{name: old, secret: ${K32B}}]}\n`);
    expect(ws).toEqual([expect.objectContaining({ field: 'resources[0].providers[1].aescbc', kind: 'aescbc' })]);
    expect(ws[0]?.text).toMatch(/aesgcm/);
    expect(ws[0]?.text).toMatch(/kms v2/);
  });

  it('flags kms v1, written or defaulted, and not kms v2', () => {
    const ws = warn(
      `  - resources: [secrets]\n    providers:\n      - kms: {apiVersion: v2, name: a, endpoint: unix:///a.sock}\n      - kms: {apiVersion: v1, name: b, endpoint: unix:///b.sock}\n      - kms: {name: c, endpoint: unix:///c.sock}\n`,
    );
    expect(ws.map((w) => [w.field, w.kind])).toEqual([
      ['resources[0].providers[1].kms.apiVersion', 'kms-v1'],
      ['resources[0].providers[2].kms.apiVersion', 'kms-v1'],
    ]);
    expect(ws[0]?.text).toContain('1.29');
  });

  it('flags AES keys shorter than 32 bytes, not secretbox', () => {
    const ws = warn(
      `  - resources: [secrets]\n    providers:\n      - aesgcm: {keys: [{name: a, secret: ${K16}}, {name: b, secret: ${K24}}, {name: c, secret: ${K32}}]}\n      - secretbox: {keys: [{name: s, secret: ${K32B}}]}\n`,
    );
    expect(ws.map((w) => [w.field, w.kind])).toEqual([
      ['resources[0].providers[0].aesgcm.keys[0].secret', 'short-aes-key'],
      ['resources[0].providers[0].aesgcm.keys[1].secret', 'short-aes-key'],
    ]);
    expect(ws[0]?.text).toContain('16 bytes');
    expect(ws[0]?.text).toContain('32');
  });

  it('flags one key material under two names anywhere in the file, never printing it', () => {
    const ws = warn(
      `  - resources: [secrets]\n    providers:\n      - aesgcm: {keys: [{name: k1, secret: ${K32}}]}\n` +
        `  - resources: [configmaps]\n    providers:\n      - secretbox: {keys: [{name: k1, secret: ${K32}}, {name: other, secret: ${K32}}]}\n      - aescbc: {keys: [{name: k2, secret: ${K32B}}]}\n`,
    );
    const dups = ws.filter((w) => w.kind === 'duplicate-key');
    // The same name reused with the same material (k1 in both rules) is not a finding.
    expect(dups).toEqual([expect.objectContaining({ field: 'resources[1].providers[0].secretbox.keys[1].secret' })]);
    expect(dups[0]?.text).toContain('"other"');
    expect(dups[0]?.text).toContain('"k1" at resources[0].providers[0].aesgcm.keys[0]');
    const all = JSON.stringify(ws);
    for (const secret of [K32, K32B, Buffer.alloc(32, 7).toString('hex')]) expect(all).not.toContain(secret);
  });

  it('skips keys that do not decode (validation reports those)', () => {
    expect(warn(`  - resources: [secrets]\n    providers:\n      - aesgcm: {keys: [{name: a, secret: "!!"}, {name: b, secret: "!!"}]}\n`)).toEqual([]);
  });

  it('flags a resource in an exact rule that a wildcard rule also covers', () => {
    const ws = warn(
      `  - resources: [secrets, deployments.apps, widgets.example.com]\n    providers: [{aesgcm: {keys: [{name: k1, secret: ${K32}}]}}]\n` +
        `  - resources: ["*."]\n    providers: [{identity: {}}]\n` +
        `  - resources: ["*.apps"]\n    providers: [{identity: {}}]\n` +
        `  - resources: ["*.*"]\n    providers: [{identity: {}}]\n`,
    );
    expect(ws.filter((w) => w.kind === 'wildcard-and-exact').map((w) => [w.field, w.text.slice(0, w.text.indexOf(';'))])).toEqual([
      ['resources[0].resources[0]', '"secrets" is also covered by "*." at resources[1].resources[0]'],
      ['resources[0].resources[0]', '"secrets" is also covered by "*.*" at resources[3].resources[0]'],
      ['resources[0].resources[1]', '"deployments.apps" is also covered by "*.apps" at resources[2].resources[0]'],
      ['resources[0].resources[1]', '"deployments.apps" is also covered by "*.*" at resources[3].resources[0]'],
      ['resources[0].resources[2]', '"widgets.example.com" is also covered by "*.*" at resources[3].resources[0]'],
    ]);
  });

  it('does not flag wildcards of other groups', () => {
    const ws = warn(
      `  - resources: [secrets]\n    providers: [{aesgcm: {keys: [{name: k1, secret: ${K32}}]}}]\n  - resources: ["*.apps"]\n    providers: [{identity: {}}]\n`,
    );
    expect(ws).toEqual([]);
  });

  it('reports in file order, then duplicate keys, then wildcard overlaps', () => {
    const ws = warn(
      `  - resources: [secrets]\n    providers:\n      - identity: {}\n      - aescbc: {keys: [{name: a, secret: ${K32}}, {name: b, secret: ${K32}}]}\n` +
        `  - resources: ["*.*"]\n    providers:\n      - kms: {apiVersion: v1, name: p, endpoint: unix:///p.sock}\n`,
    );
    expect(kinds(ws)).toEqual(['identity-first', 'aescbc', 'kms-v1', 'duplicate-key', 'wildcard-and-exact']);
  });
});
