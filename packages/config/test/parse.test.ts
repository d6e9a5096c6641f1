/**
 * Strict parsing: every refusal is ERR_CONFIG_PARSE naming the field path and source; defaults
 * are applied; secrets never leak through errors, JSON, inspect or toString.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { AtrestError, fromUtf8 } from '@atrest/core';
import { parseEncryptionConfiguration, validateEncryptionConfiguration } from '@atrest/config';

const HEAD = 'apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\n';
const SECRET = 'c2VjcmV0IGlzIHNlY3JldCBzZWNyZXQgc2VjcmV0ISE='; // 32 bytes
const withProviders = (providers: string): string =>
  `${HEAD}resources:\n  - resources:\n      - secrets\n    providers:\n${providers}`;
const AESGCM = `      - aesgcm:\n          keys:\n            - name: key1\n              secret: ${SECRET}\n`;

function parseFailure(text: string | Uint8Array, source = 'enc.yaml'): AtrestError {
  try {
    parseEncryptionConfiguration(text, { source });
  } catch (err) {
    expect(err).toBeInstanceOf(AtrestError);
    const e = err as AtrestError;
    expect(e.code).toBe('ERR_CONFIG_PARSE');
    expect(e.context.source).toBe(source);
    return e;
  }
  throw new Error('expected a parse error');
}

describe('strict parsing', () => {
  it('accepts a minimal file and its JSON equivalent alike', () => {
    const yaml = parseEncryptionConfiguration(withProviders(AESGCM));
    const json = parseEncryptionConfiguration(
      JSON.stringify({
        apiVersion: 'apiserver.config.k8s.io/v1',
        kind: 'EncryptionConfiguration',
        resources: [{ resources: ['secrets'], providers: [{ aesgcm: { keys: [{ name: 'key1', secret: SECRET } ] } }] }],
      }),
    );
    expect(JSON.stringify(json)).toBe(JSON.stringify(yaml));
    expect(yaml.resources[0]?.providers[0]?.aesgcm?.keys[0]?.name).toBe('key1');
    expect(fromUtf8(yaml.resources[0]?.providers[0]?.aesgcm?.keys[0]?.secret.expose() ?? new Uint8Array())).toBe(SECRET);
  });

  it('refuses an unknown field, naming its path', () => {
    const e = parseFailure(withProviders(AESGCM.replace('name: key1', 'name: key1\n              colour: red')));
    expect(e.context.field).toBe('resources[0].providers[0].aesgcm.keys[0].colour');
    expect(e.message).toContain('unknown field');
    expect(parseFailure(`${HEAD}resources: []\nextra: 1\n`).context.field).toBe('extra');
    expect(parseFailure(withProviders('      - identity: { x: 1 }\n')).context.field).toBe('resources[0].providers[0].identity.x');
  });

  it('refuses field names in another case (Go field matching is case-sensitive here)', () => {
    expect(parseFailure(withProviders('      - Identity: {}\n')).context.field).toBe('resources[0].providers[0].Identity');
  });

  it('refuses a wrong kind', () => {
    const e = parseFailure('apiVersion: apiserver.config.k8s.io/v1\nkind: Secret\nresources: []\n');
    expect(e.context.field).toBe('kind');
  });

  it('refuses a missing kind', () => {
    expect(parseFailure('apiVersion: apiserver.config.k8s.io/v1\nresources: []\n').context.field).toBe('kind');
  });

  it('refuses a wrong or missing apiVersion', () => {
    expect(parseFailure('apiVersion: apiserver.config.k8s.io/v1beta1\nkind: EncryptionConfiguration\n').context.field).toBe(
      'apiVersion',
    );
    expect(parseFailure('kind: EncryptionConfiguration\n').context.field).toBe('apiVersion');
  });

  it('refuses values of the wrong type, without echoing them', () => {
    const secretAsNumber = parseFailure(withProviders(AESGCM.replace(`secret: ${SECRET}`, 'secret: 123456789')));
    expect(secretAsNumber.context.field).toBe('resources[0].providers[0].aesgcm.keys[0].secret');
    expect(secretAsNumber.message).not.toContain('123456789');
    expect(parseFailure(withProviders(AESGCM.replace('name: key1', 'name: yes'))).context.field).toBe(
      'resources[0].providers[0].aesgcm.keys[0].name',
    );
    expect(parseFailure(`${HEAD}resources: secrets\n`).context.field).toBe('resources');
    expect(parseFailure(withProviders('      - kms: { name: k, endpoint: unix:///k, cachesize: big }\n')).context.field).toBe(
      'resources[0].providers[0].kms.cachesize',
    );
    expect(parseFailure(withProviders('      - kms: { name: k, endpoint: unix:///k, cachesize: 1.5 }\n')).context.field).toBe(
      'resources[0].providers[0].kms.cachesize',
    );
    expect(parseFailure(withProviders('      - kms: { name: k, endpoint: unix:///k, cachesize: 4294967296 }\n')).context.field).toBe(
      'resources[0].providers[0].kms.cachesize',
    );
    expect(parseFailure(withProviders('      - kms: { name: k, endpoint: unix:///k, timeout: 3 }\n')).context.field).toBe(
      'resources[0].providers[0].kms.timeout',
    );
    expect(parseFailure(withProviders('      - identity: []\n')).context.field).toBe('resources[0].providers[0].identity');
  });

  it('reports a bad duration with Go\'s text and the field path', () => {
    const e = parseFailure(withProviders('      - kms: { name: k, endpoint: unix:///k, timeout: 3 days }\n'));
    expect(e.context.field).toBe('resources[0].providers[0].kms.timeout');
    expect(e.message).toBe('resources[0].providers[0].kms.timeout: time: unknown unit " days" in duration "3 days"');
  });

  it('refuses duplicate keys, naming the duplicated field', () => {
    const e = parseFailure(`${HEAD}kind: EncryptionConfiguration\nresources: []\n`);
    expect(e.context.field).toBe('kind');
    expect(e.message).toContain('duplicate');
    const dupJson = '{"apiVersion":"apiserver.config.k8s.io/v1","kind":"EncryptionConfiguration","resources":[],"resources":[]}';
    expect(parseFailure(dupJson).context.field).toBe('resources');
  });

  it('refuses YAML syntax errors with a line and no source text', () => {
    const text = withProviders(AESGCM).replace('- name: key1', '- name: key1\n           bad: [unclosed');
    const e = parseFailure(text);
    expect(e.context.line).toBeTypeOf('number');
    expect(e.message).not.toContain(SECRET);
    expect(e.message).not.toContain('unclosed');
  });

  it('refuses binary garbage', () => {
    const garbage = new Uint8Array(256).map((_, i) => (i * 151 + 7) & 0xff);
    parseFailure(garbage);
    parseFailure(String.fromCharCode(...garbage.subarray(0, 64)));
    parseFailure('\u0000\u0001\u0002{[');
  });

  it('refuses empty and comment-only files', () => {
    expect(parseFailure('').message).toBe('encryption provider configuration file "enc.yaml" is empty');
    expect(parseFailure('# nothing here\n\n').context.field).toBeUndefined();
  });

  it('refuses several documents, unknown tags, and non-mapping documents', () => {
    parseFailure(`${HEAD}resources: []\n---\n${HEAD}`);
    parseFailure(withProviders(AESGCM.replace(`secret: ${SECRET}`, `secret: !!binary ${SECRET}`)));
    expect(parseFailure('- a\n- b\n').context.field).toBeUndefined();
  });

  it('treats null as not set, as Go does', () => {
    const cfg = parseEncryptionConfiguration(withProviders('      - identity:\n'));
    expect(cfg.resources[0]?.providers[0]).toEqual({});
    expect(validateEncryptionConfiguration(cfg)[0]?.detail).toMatch(/^provider does not contain/);
  });

  it('bounds alias expansion', () => {
    const lines = [`${HEAD}resources:`, '  - resources: &r [a, b, c, d, e, f, g, h, i, j]', '    providers: [{ identity: {} }]'];
    for (let i = 0; i < 150; i++) lines.push('  - resources: *r', '    providers: [{ identity: {} }]');
    parseFailure(`${lines.join('\n')}\n`);
  });
});

describe('defaults', () => {
  it('kms v1: apiVersion v1, timeout 3s, cachesize 1000', () => {
    const kms = parseEncryptionConfiguration(withProviders('      - kms: { name: k, endpoint: unix:///k.sock }\n')).resources[0]
      ?.providers[0]?.kms;
    expect(kms?.apiVersion).toBe('v1');
    expect(kms?.cachesize).toBe(1000);
    expect(String(kms?.timeout)).toBe('3s');
    expect(kms?.timeout.nanoseconds).toBe(3_000_000_000n);
  });

  it('kms v2: timeout 3s, no cachesize', () => {
    const kms = parseEncryptionConfiguration(
      withProviders('      - kms: { apiVersion: v2, name: k, endpoint: unix:///k.sock, timeout: 1m30s }\n'),
    ).resources[0]?.providers[0]?.kms;
    expect(kms?.cachesize).toBeUndefined();
    expect(kms?.timeout.milliseconds).toBe(90_000);
    const defaulted = parseEncryptionConfiguration(withProviders('      - kms: { apiVersion: v2, name: k, endpoint: unix:///k }\n'))
      .resources[0]?.providers[0]?.kms;
    expect(String(defaulted?.timeout)).toBe('3s');
  });

  it('explicit values are kept', () => {
    const kms = parseEncryptionConfiguration(
      withProviders("      - kms: { apiVersion: '', name: k, endpoint: unix:///k, cachesize: -1, timeout: 500ms }\n"),
    ).resources[0]?.providers[0]?.kms;
    expect(kms?.apiVersion).toBe('v1');
    expect(kms?.cachesize).toBe(-1);
    expect(String(kms?.timeout)).toBe('500ms');
  });

  it('the parsed configuration is frozen', () => {
    const cfg = parseEncryptionConfiguration(withProviders(AESGCM));
    expect(Object.isFrozen(cfg)).toBe(true);
    expect(Object.isFrozen(cfg.resources[0]?.providers)).toBe(true);
  });
});

describe('secrets stay secret', () => {
  const cfg = parseEncryptionConfiguration(withProviders(AESGCM));

  it('JSON, inspect and toString show no secret', () => {
    expect(JSON.stringify(cfg)).not.toContain(SECRET);
    expect(inspect(cfg, { depth: Infinity })).not.toContain(SECRET);
    expect(String(cfg.resources[0]?.providers[0]?.aesgcm?.keys[0]?.secret)).not.toContain(SECRET);
    expect(JSON.stringify(cfg)).toContain('redacted');
  });

  it('validation findings do not contain the secret', () => {
    const shortSecret = 'c2hvcnQ=';
    const bad = parseEncryptionConfiguration(withProviders(AESGCM.replace(SECRET, shortSecret)));
    const issues = validateEncryptionConfiguration(bad);
    expect(issues).toHaveLength(1);
    expect(JSON.stringify(issues)).not.toContain(shortSecret);
  });

  it('parse errors do not contain the secret', () => {
    const text = withProviders(AESGCM.replace('name: key1', 'name: key1\n              extra: 1'));
    const e = parseFailure(text);
    expect(`${e.message} ${JSON.stringify(e.context)} ${e.describe()}`).not.toContain(SECRET);
  });
});
