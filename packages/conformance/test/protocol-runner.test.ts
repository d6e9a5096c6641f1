/**
 * The conformance runner against implementations speaking the protocol as subprocesses: atrest's
 * own adapter (`atrest conformance serve`) passes everything; broken adapters are caught and
 * named; a crashed or silent implementation fails within the timeout; stale known failures are
 * reported as passing now; `atrest conformance run` exits 0, 1 or 2.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  answerLine,
  conformanceExitCode,
  decodeRequest,
  decodeResponse,
  formatConformanceReport,
  runConformance,
  type ValuesCase,
} from '@atrest/conformance';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const atrest = join(repo, 'packages', 'cli', 'bin', 'atrest.js');
const broken = fileURLToPath(new URL('./fixtures/broken-adapter.mjs', import.meta.url));
const upstream = join(repo, 'test-vectors', 'upstream');
const resolutionOnly = [join(upstream, 'resolution.json')];
const values = JSON.parse(readFileSync(join(upstream, 'values.json'), 'utf8')) as { cases: ValuesCase[] };
const serve = { command: process.execPath, args: [atrest, 'conformance', 'serve'] };
const brokenAdapter = (...args: string[]) => ({ command: process.execPath, args: [broken, ...args] });

describe('protocol codec', () => {
  it('decodes requests and refuses malformed ones with bad-request', async () => {
    expect(decodeRequest('{"id":2,"resolve":{"config":"","resource":"secrets"}}')).toMatchObject({ op: 'resolve' });
    expect(decodeRequest('nope')).toMatchObject({ error: { id: null, error: { kind: 'bad-request' } } });
    expect(decodeRequest('{"id":1,"decrypt":{"config":""}}')).toMatchObject({ error: { id: 1, error: { kind: 'bad-request' } } });
    expect(JSON.parse(await answerLine('{"id":0,"hello":{"protocol":1}}'))).toMatchObject({ id: 0, ok: { protocol: 1, name: 'atrest' } });
    expect(JSON.parse(await answerLine('{"id":0,"hello":{"protocol":9}}'))).toMatchObject({ id: 0, error: { kind: 'unsupported' } });
  });

  it('reports malformed answers as violations', () => {
    expect(decodeResponse('garbage')).toHaveProperty('violation');
    expect(decodeResponse('{"id":1,"ok":{},"error":{"kind":"config","text":""}}')).toHaveProperty('violation');
    expect(decodeResponse('{"id":1,"error":{"kind":"weird","text":""}}')).toHaveProperty('violation');
    expect(decodeResponse('{"id":1,"error":{"kind":"transform","text":"x"}}')).toHaveProperty('response');
  });
});

describe('runConformance', () => {
  it('atrest conformance serve passes every case with no known failures', async () => {
    const report = await runConformance({ ...serve, suite: 'vectors', knownFailures: [] });
    expect(report.fatal).toBeUndefined();
    expect(report.implementation?.name).toBe('atrest');
    expect(report.unexpectedFailures).toEqual([]);
    expect(report.skipped).toEqual([]);
    const withPlaintext = values.cases.filter((c) => 'plaintext' in c.expect).length;
    expect(report.passed).toBe(322 + withPlaintext + 85 + 41);
    expect(report.results.some((r) => r.id === 'values.json:encrypt:p-aesgcm-256-len0')).toBe(true);
    expect(conformanceExitCode(report)).toBe(0);
    expect(formatConformanceReport(report)).toMatch(/\n\d+ passed, 0 failed\n$/);
  }, 60_000);

  it('catches an adapter that reports stale reads as fresh, naming each case', async () => {
    const report = await runConformance({ ...brokenAdapter('flip-stale'), files: [join(upstream, 'values.json')] });
    const stale = values.cases.filter((c) => 'stale' in c.expect && c.expect.stale).map((c) => `values.json:${c.id}`);
    expect(stale.length).toBeGreaterThan(0);
    expect(report.unexpectedFailures).toEqual(stale);
    expect(conformanceExitCode(report)).toBe(1);
    const text = formatConformanceReport(report);
    expect(text).toContain(`FAIL ${stale[0]}\n  expected: plaintext`);
    expect(text).toContain(`${report.passed} passed, ${stale.length} failed`);
  }, 60_000);

  it('catches an adapter that drops the etcd key from aesgcm\u2019s additional data', async () => {
    const report = await runConformance({ ...brokenAdapter('drop-aad'), files: [join(upstream, 'values.json')] });
    const aesgcm = report.unexpectedFailures.filter((id) => {
      const c = values.cases.find((x) => id.endsWith(`:${x.id}`));
      return c !== undefined && c.config.includes('aesgcm');
    });
    expect(aesgcm.length).toBeGreaterThan(0);
    expect(report.unexpectedFailures).toEqual(aesgcm);
    expect(conformanceExitCode(report)).toBe(1);
  }, 60_000);

  it('catches an adapter with a fixed nonce: the same plaintext encrypted twice gives the same bytes', async () => {
    const report = await runConformance({ ...brokenAdapter('fixed-nonce'), files: [join(upstream, 'values.json')] });
    expect(report.unexpectedFailures.length).toBeGreaterThan(0);
    expect(report.unexpectedFailures.every((id) => id.includes(':encrypt:'))).toBe(true);
    expect(formatConformanceReport(report)).toContain('the same plaintext encrypted twice gave identical bytes: nonces or IVs are not random');
  }, 60_000);

  it('catches an adapter that answers garbage, and goes on with the next case', async () => {
    const victim = values.cases[3] as ValuesCase;
    const report = await runConformance({ ...brokenAdapter('garbage', victim.stored), files: [join(upstream, 'values.json')] });
    expect(report.unexpectedFailures).toEqual([`values.json:${victim.id}`]);
    expect(report.fatal).toBeUndefined();
    expect(formatConformanceReport(report)).toContain(`FAIL values.json:${victim.id}\n  expected: plaintext`);
    expect(formatConformanceReport(report)).toContain('protocol violation: the line is not JSON: \\"garbage\\"');
  }, 60_000);

  it('fails every remaining case, with the reason, when the implementation exits mid-run', async () => {
    const report = await runConformance({ ...brokenAdapter('exit-after', '5'), files: resolutionOnly, timeoutMs: 5000 });
    expect(report.passed).toBe(3); // requests 2..4 (request 1 is the handshake)
    expect(report.failed).toBe(41 - 3);
    expect(report.fatal).toMatch(/the implementation exited \(code 3\); its stderr ends: broken adapter: giving up/);
    expect(formatConformanceReport(report)).toContain('fatal: the implementation exited (code 3)');
    expect(conformanceExitCode(report)).toBe(1);
  });

  it('fails within the timeout when the implementation stops answering', async () => {
    // The timeout also bounds the answers that do come (the child's start-up included), so it is
    // generous enough for a loaded CI machine; what is checked is that the run ends soon after it.
    const start = Date.now();
    const report = await runConformance({ ...brokenAdapter('silent-after', '3'), files: resolutionOnly, timeoutMs: 3000 });
    expect(Date.now() - start).toBeLessThan(20_000);
    expect(report.passed).toBe(1);
    expect(report.fatal).toMatch(/no answer within 3000 ms \(request 2, resolve\)/);
    expect(report.unexpectedFailures).toHaveLength(40);
  });

  it('fails the handshake of a silent implementation and of a command that does not exist', async () => {
    const silent = await runConformance({ ...brokenAdapter('silent-after', '1'), files: resolutionOnly, timeoutMs: 300 });
    expect(silent.fatal).toMatch(/^handshake failed: no answer within 300 ms/);
    expect(conformanceExitCode(silent)).toBe(1);
    const missing = await runConformance({ command: join(repo, 'no-such-implementation'), files: resolutionOnly, timeoutMs: 2000 });
    expect(missing.fatal).toMatch(/^handshake failed: the implementation could not be started/);
  });

  it('names known failures that now pass, and does not fail the run for them', async () => {
    const report = await runConformance({ ...serve, files: resolutionOnly, knownFailures: ['resolution.json:r-big-secrets'] });
    expect(report.nowPassing).toEqual(['resolution.json:r-big-secrets']);
    expect(formatConformanceReport(report)).toContain('now passes (known failure): resolution.json:r-big-secrets');
    expect(conformanceExitCode(report)).toBe(0);
  });
});

describe('atrest conformance run', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, [atrest, 'conformance', ...args], { encoding: 'utf8', cwd: repo, maxBuffer: 256 * 1024 * 1024 });

  it('exits 0 against atrest, 1 against a broken adapter unless its failures are known, 2 on usage errors', () => {
    const ok = cli('run', '--', process.execPath, atrest, 'conformance', 'serve');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/passed, 0 failed\n$/);

    const bad = cli('run', '-o', 'json', '--', process.execPath, broken, 'flip-stale');
    expect(bad.status).toBe(1);
    const report = JSON.parse(bad.stdout) as { unexpectedFailures: string[] };
    expect(report.unexpectedFailures.length).toBeGreaterThan(0);

    const dir = mkdtempSync(join(tmpdir(), 'atrest-conf-'));
    const known = join(dir, 'known.txt');
    writeFileSync(known, `# stale flag broken on purpose\n${report.unexpectedFailures.join('\n')}\n`);
    const tolerated = cli('run', '--known-failures', known, '--', process.execPath, broken, 'flip-stale');
    expect(tolerated.status).toBe(0);
    expect(tolerated.stdout).toContain(`${report.unexpectedFailures.length} failed (${report.unexpectedFailures.length} known)`);

    expect(cli('run').status).toBe(2);
    expect(cli('run', '--suite', 'nope', '--', 'x').status).toBe(2);
    expect(cli('run', '-o', 'yaml', '--', 'x').status).toBe(2);
    expect(cli('frob').status).toBe(2);
  }, 120_000);
});
