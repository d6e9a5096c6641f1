/**
 * Validation and resolution against the upstream vectors, straight through @atrest/config, plus
 * behaviour the vectors do not cover (reload = true, group-resource parsing, build errors).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  formatGroupResource,
  parseEncryptionConfiguration,
  parseGroupResource,
  resolveChain,
  validateEncryptionConfiguration,
  type FieldIssue,
} from '@atrest/config';
import { atrestErrorOf } from '@atrest/test-support/provider-kit';

const vectors = <T>(name: string): { cases: T[] } =>
  JSON.parse(readFileSync(fileURLToPath(new URL(`../../../test-vectors/upstream/${name}`, import.meta.url)), 'utf8')) as {
    cases: T[];
  };

interface ValidationCase {
  id: string;
  config: string;
  valid: boolean;
  errors: FieldIssue[];
}
interface ResolutionCase {
  id: string;
  config: string;
  resource: string;
  chain?: string[];
  error?: string;
}

describe('config-validation.json', () => {
  it.each(vectors<ValidationCase>('config-validation.json').cases)('$id', (c) => {
    const issues = validateEncryptionConfiguration(parseEncryptionConfiguration(c.config), { reload: false });
    expect(issues).toEqual(c.errors);
    expect(issues.length === 0).toBe(c.valid);
  });
});

describe('resolution.json', () => {
  it.each(vectors<ResolutionCase>('resolution.json').cases)('$id', (c) => {
    const cfg = parseEncryptionConfiguration(c.config);
    if (c.error === undefined) {
      expect(resolveChain(cfg, c.resource)).toEqual(c.chain);
      return;
    }
    const err = atrestErrorOf(() => resolveChain(cfg, c.resource));
    expect(err.code).toBe('ERR_CONFIG_BUILD');
    expect(err.message).toBe(c.error);
  });
});

const HEAD = 'apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\n';

describe('reload = true', () => {
  it('kms v1 names must be unique too', () => {
    const cfg = parseEncryptionConfiguration(`${HEAD}resources:
  - resources: [secrets]
    providers:
      - kms: { name: dup, endpoint: unix:///a.sock }
      - kms: { name: dup, endpoint: unix:///b.sock }
`);
    expect(validateEncryptionConfiguration(cfg, { reload: false })).toEqual([]);
    expect(validateEncryptionConfiguration(cfg, { reload: true })).toEqual([
      { field: 'resources[0].providers[1].kms.name', type: 'Invalid', detail: 'duplicate KMS provider name dup, names must be unique' },
    ]);
  });
});

describe('group-resources', () => {
  it.each([
    ['secrets', '', 'secrets'],
    ['secrets.', '', 'secrets'],
    ['deployments.apps', 'apps', 'deployments'],
    ['widgets.stable.example.com', 'stable.example.com', 'widgets'],
    ['*.', '', '*'],
    ['*.*', '*', '*'],
  ])('%s splits at the first dot', (text, group, resource) => {
    expect(parseGroupResource(text)).toEqual({ group, resource });
  });

  it('formats core wildcards as *.', () => {
    expect(formatGroupResource({ group: '', resource: '*' })).toBe('*.');
    expect(formatGroupResource({ group: 'apps', resource: '*' })).toBe('*.apps');
    expect(formatGroupResource({ group: '', resource: 'secrets' })).toBe('secrets');
  });
});

describe('resolution of configurations upstream cannot build', () => {
  it('an empty provider element is a build error', () => {
    const cfg = parseEncryptionConfiguration(`${HEAD}resources:\n  - resources: [secrets]\n    providers: [{}]\n`);
    const err = atrestErrorOf(() => resolveChain(cfg, 'secrets'));
    expect(err.code).toBe('ERR_CONFIG_BUILD');
    expect(err.message).toBe(
      'provider does not contain any of the expected providers: KMS, AESGCM, AESCBC, Secretbox, Identity',
    );
  });

  it('masking inside one rule is also refused', () => {
    const cfg = parseEncryptionConfiguration(`${HEAD}resources:\n  - resources: ['*.apps', deployments.apps]\n    providers: [{ identity: {} }]\n`);
    expect(() => resolveChain(cfg, 'secrets')).toThrow('resource "deployments.apps" is masked by earlier rule "*.apps"');
  });
});
