/**
 * Loading configurations into working transformers.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { nobleBackend, readSync, utf8, writeSync, type ChainEntry } from '@atrest/core';
import { availableBackends } from '@atrest/core';
import { ConfigValidationError, loadEncryptionConfiguration, type KmsProviderConfig } from '@atrest/config';
import { atrestErrorOf as failure } from '@atrest/test-support/provider-kit';

const HEAD = 'apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\n';
const K32 = Buffer.alloc(32, 7).toString('base64');
const K16 = Buffer.alloc(16, 9).toString('base64');
const CTX = utf8('/registry/secrets/default/db');

const FULL = `${HEAD}resources:
  - resources: [secrets, configmaps]
    providers:
      - aesgcm: { keys: [{ name: g1, secret: ${K32} }, { name: g2, secret: ${K16} }] }
      - aescbc: { keys: [{ name: c1, secret: ${K32} }] }
      - secretbox: { keys: [{ name: s1, secret: ${K32} }] }
      - identity: {}
  - resources: ['*.apps']
    providers:
      - secretbox: { keys: [{ name: apps, secret: ${K32} }] }
`;

describe.each(availableBackends())('loadEncryptionConfiguration ($name backend)', (backend) => {
  const loaded = loadEncryptionConfiguration(FULL, { backend, source: 'enc.yaml' });

  it('writes with the first provider and reads it back, fresh', () => {
    const t = loaded.transformerForResource('secrets');
    const stored = writeSync(t, utf8('hello'), CTX);
    expect(Buffer.from(stored.subarray(0, 21)).toString()).toBe('k8s:enc:aesgcm:v1:g1:');
    const r = readSync(t, stored, CTX);
    expect(Buffer.from(r.plaintext).toString()).toBe('hello');
    expect(r.stale).toBe(false);
  });

  it('reads values written by later providers as stale', () => {
    const cbcOnly = loadEncryptionConfiguration(FULL.replace(/ *- aesgcm:.*\n/, ''), { backend });
    const stored = writeSync(cbcOnly.transformerForResource('secrets'), utf8('x'), CTX);
    const r = readSync(loaded.transformerForResource('secrets'), stored, CTX);
    expect(Buffer.from(r.plaintext).toString()).toBe('x');
    expect(r.stale).toBe(true);
  });

  it('reads plaintext through the configured identity, stale', () => {
    const r = readSync(loaded.transformerForResource('configmaps'), utf8('{"plain":true}'), CTX);
    expect(r.stale).toBe(true);
  });

  it('uses *.group rules and shares one chain per rule', () => {
    const d = loaded.transformerForResource('deployments.apps');
    expect(loaded.transformerForResource('statefulsets.apps')).toBe(d);
    expect(loaded.transformerForResource('secrets')).toBe(loaded.transformerForResource({ group: '', resource: 'secrets' }));
    const stored = writeSync(d, utf8('y'), CTX);
    expect(Buffer.from(stored.subarray(0, 26)).toString()).toBe('k8s:enc:secretbox:v1:apps:');
  });

  it('gives unmatched resources the bare identity transformer', () => {
    const t = loaded.transformerForResource('events');
    expect(readSync(t, utf8('plain'), CTX).stale).toBe(false);
    const e = failure(() => readSync(t, utf8('k8s:enc:aesgcm:v1:g1:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'), CTX));
    expect(e.message).toBe('identity transformer tried to read encrypted data');
  });

  it('reports no matching prefix for a chain without identity', () => {
    const t = loaded.transformerForResource('deployments.apps');
    const e = failure(() => readSync(t, utf8('plain'), CTX));
    expect(e.code).toBe('ERR_NO_MATCHING_PREFIX');
    expect(e.message).toBe('no matching prefix found');
  });

  it('lists configured resources with their chains', () => {
    expect(loaded.resources).toEqual([
      { groupResource: 'secrets', chain: ['aesgcm:g1', 'aesgcm:g2', 'aescbc:c1', 'secretbox:s1', 'identity'] },
      { groupResource: 'configmaps', chain: ['aesgcm:g1', 'aesgcm:g2', 'aescbc:c1', 'secretbox:s1', 'identity'] },
      { groupResource: '*.apps', chain: ['secretbox:apps'] },
    ]);
  });
});

describe('load errors', () => {
  it('validation failures are ERR_CONFIG_INVALID with every issue', () => {
    const text = `${HEAD}resources:\n  - resources: ['*']\n    providers:\n      - aesgcm: { keys: [{ name: k, secret: c2hvcnQ= }] }\n`;
    const e = failure(() => loadEncryptionConfiguration(text, { source: 'enc.yaml' }));
    expect(e).toBeInstanceOf(ConfigValidationError);
    expect(e.code).toBe('ERR_CONFIG_INVALID');
    const issues = (e as ConfigValidationError).issues;
    expect(issues.map((i) => i.field)).toEqual(['resources[0].resources[0]', 'resources[0].providers[0].aesgcm.keys[0].secret']);
    expect(e.message.startsWith('resources[0].resources[0]: Invalid value: ')).toBe(true);
    expect(e.context).toMatchObject({ source: 'enc.yaml', field: 'resources[0].resources[0]', issues: 2 });
    expect(`${e.message} ${JSON.stringify(e.context)} ${JSON.stringify(issues)}`).not.toContain('c2hvcnQ=');
  });

  it('masked rules are ERR_CONFIG_BUILD with upstream text', () => {
    const text = `${HEAD}resources:\n  - resources: ['*.']\n    providers: [{ identity: {} }]\n  - resources: [secrets]\n    providers: [{ identity: {} }]\n`;
    const e = failure(() => loadEncryptionConfiguration(text));
    expect(e.code).toBe('ERR_CONFIG_BUILD');
    expect(e.message).toBe('resource "secrets" is masked by earlier rule "*."');
    expect(e.context.field).toBe('resources[1].resources[0]');
  });

  it('parse failures are ERR_CONFIG_PARSE', () => {
    expect(failure(() => loadEncryptionConfiguration('kind: x')).code).toBe('ERR_CONFIG_PARSE');
  });
});

describe('kms providers', () => {
  const text = `${HEAD}resources:
  - resources: [secrets]
    providers:
      - kms: { apiVersion: v2, name: plugin, endpoint: unix:///run/kms.sock }
      - identity: {}
  - resources: [configmaps]
    providers:
      - aescbc: { keys: [{ name: c, secret: ${K32} }] }
`;

  it('without a factory: the kms chain is unavailable, others work', () => {
    const loaded = loadEncryptionConfiguration(text, { source: 'enc.yaml' });
    const e = failure(() => loaded.transformerForResource('secrets'));
    expect(e.code).toBe('ERR_PROVIDER_UNAVAILABLE');
    expect(e.context).toMatchObject({ plugin: 'plugin', field: 'resources[0].providers[0].kms', source: 'enc.yaml' });
    expect(e.message).toContain('"plugin"');
    const cm = loaded.transformerForResource('configmaps');
    expect(readSync(cm, writeSync(cm, utf8('z'), CTX), CTX).stale).toBe(false);
  });

  it('with a factory: it is called once per provider with spec and field', () => {
    const calls: [KmsProviderConfig, string][] = [];
    const prefix = utf8('k8s:enc:kms:v2:plugin:');
    const fake: ChainEntry = {
      prefix,
      name: 'kms:v2:plugin',
      transformer: {
        read: async (data) => ({ plaintext: data.slice().reverse(), stale: false }),
        write: async (pt) => pt.slice().reverse(),
      },
    };
    const loaded = loadEncryptionConfiguration(text, {
      kms: (spec, c) => {
        calls.push([spec, c.field]);
        return fake;
      },
      backend: nobleBackend,
    });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.[0].name).toBe('plugin');
    expect(calls[0]?.[1]).toBe('resources[0].providers[0].kms');
    return (async () => {
      const t = loaded.transformerForResource('secrets');
      const stored = await t.write(utf8('abc'), CTX);
      expect(Buffer.from(stored).toString()).toBe('k8s:enc:kms:v2:plugin:cba');
      const r = await t.read(stored, CTX);
      expect(Buffer.from(r.plaintext).toString()).toBe('abc');
    })();
  });
});

describe('the loaded configuration keeps secrets out of output', () => {
  it('inspect and JSON show no key', () => {
    const loaded = loadEncryptionConfiguration(FULL);
    expect(JSON.stringify(loaded.config)).not.toContain(K32);
    expect(inspect(loaded, { depth: Infinity })).not.toContain(K32);
    expect(inspect(loaded, { depth: Infinity })).not.toContain(K16);
  });
});
