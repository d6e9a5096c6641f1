/**
 * atrest in a real browser: `@atrest/config`, `@atrest/core` and the providers bundled by esbuild
 * for the browser (no `external`, no shims: the `browser` condition of core's `#platform` leaves
 * out every `node:` module and `process` read), run in Debian's headless Chromium. The page
 * encrypts values that Node then decrypts, and decrypts a value Node wrote.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { loadEncryptionConfiguration } from '@atrest/config';
import { fromUtf8, readSync, utf8, writeSync } from '@atrest/core';
import { IDENTITY, secretsConfig, testKey } from '@atrest/test-support';

const CONFIG = `${secretsConfig(`      - aesgcm: { keys: [{ name: key1, secret: ${testKey(1)} }] }\n${IDENTITY}`)}  - resources: [configmaps]
    providers:
      - secretbox: { keys: [{ name: box, secret: ${testKey(2)} }] }
`;

/** The Chromium binary, if installed. */
function chromium(): string | undefined {
  return ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((c) => existsSync(c));
}

/** Run Chromium headless on `page` and return the DOM after load; killed after 60 s. */
function dumpDom(binary: string, page: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', `--user-data-dir=${join(page, '..', 'profile')}`, '--dump-dom', `file://${page}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      reject(new Error(`chromium did not finish in 60 s: ${err.slice(-500)}`));
    }, 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`chromium exited ${code}: ${err.slice(-500)}`));
    });
  });
}

const binary = chromium();
if (binary === undefined && process.env['CI']) throw new Error('CI runs the browser test: install Debian\'s chromium (apt-get install chromium)');

describe.skipIf(binary === undefined)('in a real browser', () => {
  it('bundles for the browser without node: modules, and encrypts and decrypts in Chromium, byte-compatible with Node', async () => {
    const result = await build({
      entryPoints: [join(import.meta.dirname, '_browser-page.ts')],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((i) => i.startsWith('node:') || i.includes('(disabled)'))).toEqual([]);
    expect(inputs.some((i) => i.includes('platform-browser'))).toBe(true);
    expect(inputs.filter((i) => /platform-node|output-node|backends\/(node|native|_random-pool)\./.test(i))).toEqual([]);
    // atrest's own modules in the bundle import only each other, @noble/* and yaml (its browser build).
    const atrest = Object.entries(result.metafile.inputs).filter(([i]) => i.startsWith('packages/'));
    expect(atrest.length).toBeGreaterThan(10);
    const foreign = atrest.flatMap(([i, { imports }]) => imports.filter((m) => !/^(packages\/|node_modules\/\.pnpm\/(@noble\+|yaml@[^/]+\/node_modules\/yaml\/browser\/))/.test(m.path)).map((m) => `${i} -> ${m.path}`));
    expect(foreign).toEqual([]);
    const bundle = result.outputFiles[0]?.text ?? '';
    // No `process` read anywhere in the bundle (noble's `.process(...)` methods are not the global).
    expect(bundle.match(/(?<![.\w$])process\s*[.[]|typeof process/g) ?? []).toEqual([]);

    const config = loadEncryptionConfiguration(CONFIG);
    const secretKey = utf8('/registry/secrets/default/browser');
    const fromNode = writeSync(config.transformerForResource('secrets'), utf8('{"kind":"Secret","written":"in Node"}'), secretKey);
    const dir = mkdtempSync(join(tmpdir(), 'atrest-browser-'));
    try {
      const page = join(dir, 'page.html');
      const inline = (v: string): string => JSON.stringify(v).replace(/</g, '\\u003c');
      writeFileSync(page, `<!doctype html><html><body><pre id="out">not run</pre><script>const CONFIG = ${inline(CONFIG)}; const FROM_NODE = ${inline(Buffer.from(fromNode).toString('base64'))};</script><script>${bundle.replace(/<\/script/g, '<\\/script')}</script></body></html>`);
      const dom = await dumpDom(binary as string, page);
      const json = /<pre id="out">([\s\S]*?)<\/pre>/.exec(dom)?.[1]?.replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
      const got = JSON.parse(json ?? '{}') as { backend: string; secret: string; boxedSecret: string; configMap: string; fromNode: string; stale: boolean; error?: string };
      expect(got.error).toBeUndefined();
      expect(got.backend).toBe('noble');
      expect(got.fromNode).toBe('{"kind":"Secret","written":"in Node"}');
      expect(got.stale).toBe(false);
      const secret = Buffer.from(got.secret, 'base64');
      expect(secret.subarray(0, 23).toString()).toBe('k8s:enc:aesgcm:v1:key1:');
      expect(fromUtf8(readSync(config.transformerForResource('secrets'), secret, secretKey).plaintext)).toBe('{"kind":"Secret","written":"in a browser"}');
      const boxed = Buffer.from(got.boxedSecret, 'base64');
      expect(boxed.subarray(0, 25).toString()).toBe('k8s:enc:secretbox:v1:box:');
      expect(fromUtf8(readSync(config.transformerForResource('configmaps'), boxed, secretKey).plaintext)).toBe('{"kind":"Secret","written":"in a browser"}');
      const cm = Buffer.from(got.configMap, 'base64');
      expect(cm.subarray(0, 25).toString()).toBe('k8s:enc:secretbox:v1:box:');
      expect(fromUtf8(readSync(config.transformerForResource('configmaps'), cm, utf8('/registry/configmaps/default/browser')).plaintext)).toBe('{"kind":"ConfigMap","written":"in a browser"}');
      console.log(`browser bundle: ${(bundle.length / 1024).toFixed(0)} KiB (not minified)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
