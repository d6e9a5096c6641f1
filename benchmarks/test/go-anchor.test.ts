/**
 * The Go anchor (`benchmarks/go`): it builds, runs a tiny filter with a tiny time budget and
 * reports the JSON shape compare.ts reads, with exactly the TypeScript case names; and atrest
 * and the Go chains read each other's values for every provider on every backend. Behaviour
 * only: no figure is asserted.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CROSS_CHECK_NAMES, crossCheckGo, goCrossCheck } from '../src/go-crosscheck.js';
import { buildGoAnchor, runGoAnchor } from '../src/go-runner.js';
import { nodeBackend } from '@atrest/core';
import { ETCD_KEY, plaintext, transformerFor } from '../src/fixtures.js';
import { goRatios } from '../src/ratios.js';

let binary = '';
beforeAll(() => {
  binary = buildGoAnchor();
}, 180_000);

describe('Go anchor', () => {
  it('runs a filtered matrix and reports go version, options and results named like the TypeScript cases', () => {
    const doc = runGoAnchor({ filter: '^(aesgcm|kmsv1)/1KiB/|^chain5/', timeMs: 5, rounds: 2 }, binary);
    expect(doc.go).toMatch(/^go\d/);
    expect(doc.options).toMatchObject({ timeMs: 5, rounds: 2, gomaxprocs: 1 });
    expect(doc.results.map((r) => r.name)).toEqual([
      'aesgcm/1KiB/encrypt/go',
      'aesgcm/1KiB/decrypt/go',
      'kmsv1/1KiB/encrypt/go',
      'kmsv1/1KiB/decrypt/go',
      'chain5/1KiB/decrypt/go',
    ]);
    for (const r of doc.results) {
      expect(r.rounds).toHaveLength(2);
      expect(r.opsPerSec).toBeGreaterThan(0);
      expect(r.rounds).toContain(r.opsPerSec); // the median of the rounds
    }
  });

  it('pairs each Go cell with every TypeScript backend on it', () => {
    const rows = goRatios([
      { name: 'aesgcm/1KiB/encrypt/go', opsPerSec: 100 },
      { name: 'aesgcm/1KiB/encrypt/node', opsPerSec: 50 },
      { name: 'aesgcm/1KiB/encrypt/native', opsPerSec: 200 },
      { name: 'config-load/5-providers/load/node', opsPerSec: 1 },
    ]);
    expect(rows).toEqual([
      { cell: 'aesgcm/1KiB/encrypt', go: 100, backends: [{ backend: 'node', opsPerSec: 50, ratio: 0.5 }, { backend: 'native', opsPerSec: 200, ratio: 2 }] },
    ]);
  });

  it('reads atrest values and atrest reads its values, for every provider and chain5, on every backend', async () => {
    const log = await crossCheckGo([1024, 64 * 1024], undefined, binary);
    expect(log.length).toBeGreaterThanOrEqual(2 * 2 * CROSS_CHECK_NAMES.length);
  }, 60_000);

  it('reports a damaged atrest value as unreadable (the cross-check can fail)', async () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const yaml = `apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources: [secrets]\n    providers:\n      - aesgcm:\n          keys:\n            - name: key1\n              secret: ${key}\n`;
    const stored = Buffer.from(await transformerFor(yaml, nodeBackend).write(plaintext(1024), ETCD_KEY));
    stored[stored.length - 1] ^= 1; // flip a tag bit
    const answer = goCrossCheck({ keys: { aesgcm: key }, size: 1024, values: { aesgcm: stored.toString('base64') } }, binary);
    expect(answer.reads['aesgcm']).toMatchObject({ ok: false, error: 'cipher: message authentication failed' });
  });
});
