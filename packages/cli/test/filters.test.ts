/**
 * Filters as kubectl users type them, and answers when they match nothing (issue 11's rank 3-4).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from './_run.js';

const repo = join(import.meta.dirname, '..', '..', '..');
const snapshot = join(repo, 'test-vectors', 'etcd', 'sample.db');
const config = join(repo, 'docs', 'samples', 'snapshot-audit-config.yaml');
const mock = ['--kms-mock', 'sample-kms=base64:kek-1'];

const resources = async (argv: string[]): Promise<string[]> => {
  const r = await run(['audit', snapshot, '--config', config, '-o', 'json', ...mock, ...argv]);
  expect(r.code).toBe(0);
  return Object.keys(JSON.parse(r.stdout.toString()).totals.latest.byResource);
};

describe('--resource takes what kubectl takes', () => {
  it.each([
    ['deployments', 'deployments.apps'],
    ['deploy', 'deployments.apps'],
    ['Deployment', 'deployments.apps'],
    ['secret', 'secrets'],
    ['cm', 'configmaps'],
    ['widgets.example.com', 'widgets.example.com'],
  ])('audit --resource %s audits %s', async (typed, groupResource) => {
    expect(await resources(['--resource', typed])).toEqual([groupResource]);
  });

  it('an unknown resource is a usage error naming it, exit 2', async () => {
    const r = await run(['audit', snapshot, '--config', config, '--resource', 'sekrets']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--resource: "sekrets" is not a resource kubectl knows');
  });

  it('a resource with no keys in the source says so on stderr', async () => {
    const r = await run(['audit', snapshot, '--config', config, '--resource', 'svc', ...mock]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('atrest audit: nothing matched --resource services: no key of it is in the snapshot\n');
  });
});

describe('dump filters and output', () => {
  it('-n and --resource as kubectl: only the namespace asked for', async () => {
    const r = await run(['dump', snapshot, '--config', config, '--resource', 'cm', '-n', 'billing', '-o', 'jsonl', ...mock]);
    expect(r.code).toBe(0);
    const keys = new Set(r.stdout.toString().trim().split('\n').map((l) => (JSON.parse(l) as { key: string }).key));
    expect([...keys].sort()).toEqual(['/registry/configmaps/billing/limits', '/registry/configmaps/billing/rates']);
  });

  it('-o json is one JSON array; -o yaml documents', async () => {
    const json = await run(['dump', snapshot, '--config', config, '--resource', 'cm', '-n', 'billing', '-o', 'json', ...mock]);
    const list = JSON.parse(json.stdout.toString()) as { key: string }[];
    expect(Array.isArray(list)).toBe(true);
    expect(list.length).toBeGreaterThanOrEqual(2);
    const yaml = await run(['dump', snapshot, '--config', config, '--resource', 'cm', '-n', 'billing', ...mock]);
    expect(yaml.stdout.toString().split('\n').filter((l) => l === '---')).toHaveLength(list.length);
  });

  it('-n with -A is a usage error', async () => {
    expect((await run(['dump', snapshot, '--config', config, '-n', 'a', '-A'])).code).toBe(2);
  });

  it('a filter that matches nothing says so; an empty JSON array is still JSON', async () => {
    const r = await run(['dump', snapshot, '--config', config, '-n', 'nosuch', '-o', 'json', ...mock]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.toString())).toEqual([]);
    expect(r.stderr).toBe('atrest dump: nothing matched -n nosuch\n');
  });

  it('a revision the snapshot does not hold is an error, exit 1', async () => {
    const r = await run(['dump', snapshot, '--config', config, '--revision', '99999', ...mock]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--revision 99999 is not in');
  });
});

describe('audit -o yaml', () => {
  it('is the JSON report as YAML', async () => {
    const r = await run(['audit', snapshot, '--config', config, '-o', 'yaml', ...mock]);
    expect(r.code).toBe(0);
    const text = r.stdout.toString();
    expect(text.startsWith('---\n"schema": "atrest.audit/v1"\n"source":\n')).toBe(true);
  });
});

describe('a file that is not a snapshot', () => {
  it('says what atrest expected, exit 1', async () => {
    const r = await run(['audit', join(repo, 'README.md'), '--config', config]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('README.md is not an etcd database: expected the file `etcdctl snapshot save` writes');
  });
});

describe('progress of a long audit', () => {
  it('shows the share done, the rate and the time left', async () => {
    const { snapshotProgress } = await import('../src/commands/audit.js');
    const line = snapshotProgress(50_000, 100 * 2 ** 20, 200 * 2 ** 20, performance.now() - 10_000);
    expect(line).toMatch(/^\ratrest audit: ~50%, 50,000 revisions, 100 MiB of values, 5,000\/s, ~10 s left {3}$/);
  });
});

describe('--limit', () => {
  it('caps each findings list of the table and says how many more there are', async () => {
    const r = await run(['audit', snapshot, '--config', config, '--history', '--limit', '2', ...mock]);
    const out = r.stdout.toString();
    const total = /Findings: (\d+) on latest values, (\d+) on old revisions/.exec(out);
    expect(out).toContain(`  … and ${Number(total?.[1]) - 2} more; use -o json for all`);
    expect(out).toContain(`  … and ${Number(total?.[2]) - 2} more; use -o json for all`);
    const all = await run(['audit', snapshot, '--config', config, '--history', '--limit', '0', ...mock]);
    expect(all.stdout.toString()).not.toContain('more; use -o json for all');
    expect((await run(['audit', snapshot, '--config', config, '--limit', 'x'])).code).toBe(2);
  });
});

describe('an unreachable KMS plugin', () => {
  it('is named with its endpoint in the first lines, with --kms-mock for offline use', async () => {
    const r = await run(['audit', snapshot, '--config', config]);
    const first = r.stdout.toString().split('\n').slice(0, 3).join('\n');
    expect(first).toContain('kms:v2:sample-kms could not be decrypted with the configured key or its KMS plugin at unix:///var/run/kmsplugin/sample-kms.sock did not answer (offline, use --kms-mock sample-kms=base64)');
  });
});

describe('-o yaml on every report command', () => {
  it('inspect prints its JSON as YAML', async () => {
    const r = await run(['inspect', snapshot, '--etcd-key', '/registry/secrets/shop/jwt-signing', '-o', 'yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toMatch(/^---\n"key": "\/registry\/secrets\/shop\/jwt-signing"\n"revision": \d+\n/);
    expect((await run(['inspect', snapshot, '--etcd-key', '/registry/secrets/shop/jwt-signing', '-o', 'xml'])).code).toBe(2);
  });
});
