/**
 * The vectors under test-vectors/ are copies of ../shared/test-vectors/. When the shared originals
 * are beside the checkout (as in CI), the copies must be byte-identical: a vector is never edited.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const shared = join(root, '..', '..', 'shared', 'test-vectors');
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

describe.runIf(existsSync(shared))('vendored vectors match ../shared', () => {
  for (const dir of ['upstream', 'etcd']) {
    it(`test-vectors/${dir} equals shared/test-vectors/${dir}`, () => {
      const names = readdirSync(join(shared, dir)).sort();
      expect(readdirSync(join(root, dir)).sort()).toEqual(names);
      for (const n of names) expect(sha(join(root, dir, n)), n).toBe(sha(join(shared, dir, n)));
    });
  }
});

describe('vendored vectors are present', () => {
  it('has the three upstream files and the etcd sample', () => {
    for (const f of ['upstream/values.json', 'upstream/config-validation.json', 'upstream/resolution.json', 'etcd/sample.db']) {
      expect(existsSync(join(root, f)), f).toBe(true);
    }
  });
});
