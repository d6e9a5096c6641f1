/**
 * Every entry point of `@atrest/core` (`.`, `./go`, `./wire`, `./internal`) bundles for the browser
 * with esbuild and no shims: the `browser` branch of `#platform` and `#output-platform` leaves out
 * every `node:` module and `process` read. This needs no browser; running the providers and
 * `@atrest/config` in real headless Chromium is docs/test/browser.test.ts (the docs package may
 * depend on every package, core may not).
 */
import { join } from 'node:path';
import { build } from 'esbuild';
import { expect, it } from 'vitest';

it('every core entry point bundles for the browser without node: modules or process reads', async () => {
  // One bundle of the four entry points, as an app importing all of them would get.
  const entry = ['', '/go', '/wire', '/internal'].map((sub, i) => `export * as e${i} from '@atrest/core${sub}';`).join('\n');
  const stdin = { contents: entry, resolveDir: join(import.meta.dirname, '..'), loader: 'js' as const };
  const result = await build({ stdin, bundle: true, platform: 'browser', format: 'iife', write: false, metafile: true, logLevel: 'silent' });
  const inputs = Object.keys(result.metafile.inputs);
  expect(inputs.filter((i) => i.startsWith('node:') || i.includes('(disabled)'))).toEqual([]);
  expect(inputs.some((i) => i.endsWith('dist/platform-browser.js'))).toBe(true);
  expect(inputs.some((i) => i.endsWith('dist/output-browser.js'))).toBe(true);
  expect(inputs.filter((i) => /platform-node|output-node|backends\/(node|native|_random-pool)\./.test(i))).toEqual([]);
  // `process` as a global (noble's hashes have `.process(` methods, which are fine).
  expect(result.outputFiles[0]?.text ?? '').not.toMatch(/(?<![.\w$])process(?![\w$(])/);
});
