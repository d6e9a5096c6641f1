/**
 * Every name index.d.cts declares is a named export at runtime, for an ESM `import { … }` under
 * plain Node (whose CommonJS export detection is what npm users get), and for `require`.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const declared = [...readFileSync(new URL('../index.d.cts', import.meta.url), 'utf8').matchAll(/^export declare const (\w+)/gm)].map(
  (m) => m[1]!,
);

describe('@atrest/native exports', () => {
  it('declares the five names', () => {
    expect(declared.sort()).toEqual(['addon', 'addonError', 'sodium', 'sodiumError', 'sodiumVersion']);
  });

  it('each declared name imports by name from ESM and is present on require()', () => {
    const script = [
      `import { ${declared.join(', ')} } from '@atrest/native';`,
      `import { createRequire } from 'node:module';`,
      `const cjs = createRequire(import.meta.url)('@atrest/native');`,
      `const esm = { ${declared.join(', ')} };`,
      `for (const k of ${JSON.stringify(declared)}) { if (!(k in cjs)) throw new Error('require lacks ' + k); if (esm[k] !== cjs[k]) throw new Error('differs: ' + k); }`,
      `console.log(JSON.stringify(Object.keys(cjs).sort()));`,
    ].join('\n');
    // Run from inside the package so '@atrest/native' resolves to itself (self-reference via exports).
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([...declared].sort());
  });
});
