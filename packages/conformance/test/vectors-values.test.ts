/**
 * values.json: every case must give upstream's plaintext and staleness (or exact error), on both
 * crypto backends; kms cases read through the Base64 mock plugins their `kms` field describes.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { availableBackends } from '@atrest/core';
import { parseEncryptionConfiguration, resolveChain } from '@atrest/config';
import { detectVectorKind, formatResult, runVectorFile, type ValuesCase, type ValuesResult } from '@atrest/conformance';

const json = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../../test-vectors/upstream/values.json', import.meta.url)), 'utf8'),
) as { cases: ValuesCase[] };
// A case needs kms when its resource's read chain holds a kms provider. Some cases have kms in
// their config but read a resource whose chain does not (`p-resolve-big-secrets`): those must pass.
const kmsIds = new Set(
  json.cases
    .filter((c) => resolveChain(parseEncryptionConfiguration(c.config), c.resource).some((n) => n.startsWith('kms:')))
    .map((c) => c.id),
);
const kmsInConfig = json.cases.filter((c) => c.kms !== undefined).length;

it('values.json is detected as a values file', () => {
  expect(detectVectorKind(json)).toBe('values');
});

describe.each(availableBackends())('values.json on the $name backend', (backend) => {
  let results: readonly ValuesResult[] = [];

  it('runs every case', async () => {
    const run = await runVectorFile(json, { backend });
    expect(run.kind).toBe('values');
    results = run.results as ValuesResult[];
    expect(results).toHaveLength(322);
  });

  it('passes every case whose chain holds no kms provider', () => {
    const local = results.filter((r) => !kmsIds.has(r.id));
    // 224 cases without kms in their config, plus 5 whose resource's chain avoids kms.
    expect(322 - kmsInConfig).toBe(224);
    expect(local).toHaveLength(229);
    expect(local.filter((r) => !r.ok).map((r) => formatResult(r))).toEqual([]);
  });

  it('passes every case whose chain holds kms (Base64 mock plugins from the case)', () => {
    const kms = results.filter((r) => kmsIds.has(r.id));
    expect(kms).toHaveLength(93);
    expect(kms.filter((r) => !r.ok).map((r) => formatResult(r))).toEqual([]);
  });
});

it('a kms factory hook is consulted with the case kms entries; without a plugin, kms cases fail as unavailable', async () => {
  const kmsCase = json.cases.find((c) => c.kms !== undefined) as ValuesCase;
  const seen: unknown[] = [];
  const run = await runVectorFile(
    { source: 'test', cases: [kmsCase] },
    {
      kms: (entries) => {
        seen.push(entries);
        return undefined;
      },
    },
  );
  expect(seen).toEqual([kmsCase.kms]);
  expect(run.results[0]?.actual).toMatchObject({ code: 'ERR_PROVIDER_UNAVAILABLE' });
});

it('formatResult never prints plaintext or configs', async () => {
  const c = json.cases.find((x) => 'plaintext' in x.expect && x.expect.plaintext.length > 40 && x.kms === undefined) as ValuesCase;
  const run = await runVectorFile({ source: 'test', cases: [{ ...c, key: '/registry/secrets/other/moved' }] });
  const r = run.results[0] as ValuesResult;
  const text = formatResult({ ...r, ok: false });
  const plaintext = (c.expect as { plaintext: string }).plaintext;
  expect(text).toContain(c.id);
  expect(text).not.toContain(plaintext);
  expect(text).not.toContain(Buffer.from(plaintext, 'base64').toString('utf8').slice(0, 16));
  expect(text).toMatch(/plaintext \d+ bytes \(sha256 [0-9a-f]{12}\.\.\.\)/);
});
