/**
 * The conformance runner: starts an implementation under test as a subprocess, speaks the
 * conformance protocol with it (`docs/conformance-protocol.md`) and checks its answers against the
 * upstream vectors, with the same expectations the in-process run uses (`check*Case`).
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseEncryptionConfiguration } from '@atrest/config';
import { utf8 } from '@atrest/core';
import { fromBase64, toBase64 } from './_b64.js';
import { observeError } from './_errors.js';
import { detectVectorKind } from './detect.js';
import { formatResult } from './format.js';
import {
  decodeResponse,
  encodeLine,
  PROTOCOL_VERSION,
  type HelloResult,
  type ProtocolOp,
  type ProtocolRequest,
  type ProtocolResponse,
} from './protocol.js';
import { checkResolutionCase, type ResolutionOutcome } from './run-resolution.js';
import { checkValidationCase, type ValidationOutcome } from './run-validation.js';
import { checkValuesCase, transformerForCase, type ValuesObservation } from './run-values.js';
import type { CaseResult, ObservedError, ResolutionCase, ValidationCase, ValuesCase } from './types.js';

const ENC_PREFIX = new TextEncoder().encode('k8s:enc:');
/** Whether a stored value is under an encrypting provider (not identity). */
function startsWithEnc(stored: Uint8Array): boolean {
  return stored.length >= ENC_PREFIX.length && ENC_PREFIX.every((b, i) => stored[i] === b);
}

/** The suites the runner knows. */
export type ConformanceSuite = 'vectors' | 'properties' | 'all';

/** Options of {@link runConformance}. */
export interface ConformanceOptions {
  /** The implementation's executable. */
  readonly command: string;
  /** Its arguments. */
  readonly args?: readonly string[];
  /** Which suite to run: `vectors` (default), `properties` or `all` (both). */
  readonly suite?: ConformanceSuite;
  /** The properties suite's fast-check seed (default: random; the report holds it). */
  readonly seed?: number;
  /** Runs per property (default 100). */
  readonly runs?: number;
  /** Replay path of a property failure (with its `seed`). */
  readonly path?: string;
  /** Only these properties (names or `properties:` ids). */
  readonly properties?: readonly string[];
  /** Case ids expected to fail: their failures do not count against the run. */
  readonly knownFailures?: Iterable<string>;
  /** Vector files to run (default: the three files of `test-vectors/upstream/`). */
  readonly files?: readonly string[];
  /** Milliseconds to wait for each answer, the handshake included (default 10000). */
  readonly timeoutMs?: number;
  /** Working directory of the implementation. */
  readonly cwd?: string;
}

/** One case's outcome in a conformance run. */
export interface ConformanceCaseResult extends CaseResult {
  /** Listed in the known failures. */
  readonly known: boolean;
}

/** The outcome of a conformance run; `JSON.stringify` gives the JSON report. */
export interface ConformanceReport {
  readonly protocol: number;
  readonly suite: ConformanceSuite;
  /** The properties suite's seed (when it ran). */
  readonly seed?: number;
  /** The handshake answer (absent when the handshake failed). */
  readonly implementation?: HelloResult;
  /** Why the run could not go on (handshake failed, the implementation died or went silent). */
  readonly fatal?: string;
  readonly passed: number;
  readonly failed: number;
  /** Failures not in the known-failures list: the run fails when there is any (or `fatal`). */
  readonly unexpectedFailures: readonly string[];
  /** Known failures that passed. */
  readonly nowPassing: readonly string[];
  /** Cases needing a provider the implementation does not declare. */
  readonly skipped: readonly string[];
  readonly results: readonly ConformanceCaseResult[];
}

/** What the runner got for one request. */
type Answer = { ok: Record<string, unknown> } | { error: { kind: string; text: string } } | { failure: string };

// Found from the package's own directory (not from this file's URL, which is a chunk's when the CLI is bundled).
const DEFAULT_VECTOR_DIR = join(dirname(createRequire(import.meta.url).resolve('@atrest/conformance/package.json')), '../../test-vectors/upstream/');
const DEFAULT_FILES = ['values.json', 'config-validation.json', 'resolution.json'].map((f) => join(DEFAULT_VECTOR_DIR, f));
const STDERR_TAIL = 2000;

/** The subprocess and its one outstanding request. */
class Session {
  private readonly child: ChildProcess;
  private pending: ((a: Answer) => void) | undefined;
  private nextId = 0;
  private stderrTail = '';
  /** Set once the implementation can no longer be talked to. */
  dead: string | undefined;
  private readonly exited: Promise<void>;

  constructor(
    options: ConformanceOptions,
    private readonly timeoutMs: number,
  ) {
    this.child = spawn(options.command, [...(options.args ?? [])], {
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    this.child.stdin?.on('error', () => {});
    this.child.stderr?.on('data', (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString('utf8')).slice(-STDERR_TAIL);
    });
    createInterface({ input: this.child.stdout!, crlfDelay: Infinity }).on('line', (line) => this.onLine(line));
    this.exited = new Promise((resolve) => {
      this.child.on('error', (err) => {
        this.die(`the implementation could not be started: ${err.message}`);
        resolve();
      });
      this.child.on('exit', (code, signal) => {
        this.die(`the implementation exited (${signal ?? `code ${code}`})${this.stderrHint()}`);
        resolve();
      });
    });
  }

  private stderrHint(): string {
    const tail = this.stderrTail.trim().split('\n').slice(-3).join(' | ');
    return tail === '' ? '' : `; its stderr ends: ${tail}`;
  }

  private die(reason: string): void {
    this.dead ??= reason;
    this.settle({ failure: this.dead });
  }

  private settle(a: Answer): void {
    const p = this.pending;
    this.pending = undefined;
    p?.(a);
  }

  private onLine(line: string): void {
    if (line.trim() === '') return;
    if (this.pending === undefined) {
      this.dead ??= `the implementation wrote a line nobody asked for: ${JSON.stringify(line.slice(0, 80))}`;
      return;
    }
    const d = decodeResponse(line);
    if ('violation' in d) return this.settle({ failure: `protocol violation: ${d.violation}` });
    const r: ProtocolResponse = d.response;
    if (r.id !== this.nextId - 1) return this.settle({ failure: `protocol violation: answer id ${r.id}, expected ${this.nextId - 1}` });
    if ('error' in r) return this.settle({ error: r.error });
    if (typeof r.ok !== 'object' || r.ok === null) return this.settle({ failure: 'protocol violation: "ok" must be an object' });
    this.settle({ ok: r.ok as Record<string, unknown> });
  }

  /** Send one request and wait for its answer, the exit of the implementation, or the timeout. */
  request(op: ProtocolOp, body: object): Promise<Answer> {
    if (this.dead !== undefined) return Promise.resolve({ failure: this.dead });
    const id = this.nextId++;
    return new Promise<Answer>((resolve) => {
      const timer = setTimeout(() => {
        this.die(`no answer within ${this.timeoutMs} ms (request ${id}, ${op}); the implementation was stopped`);
        this.child.kill('SIGKILL');
      }, this.timeoutMs);
      this.pending = (a) => {
        clearTimeout(timer);
        resolve(a);
      };
      this.child.stdin?.write(encodeLine({ id, [op]: body } as unknown as ProtocolRequest));
    });
  }

  /** End the input, give the implementation the timeout to exit, then kill it. */
  async close(): Promise<void> {
    this.child.stdin?.end();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        resolve();
      }, this.timeoutMs);
    });
    await Promise.race([this.exited, late]);
    clearTimeout(timer);
  }
}

/** The answer as an error observation when it is not `ok`. */
function asError(a: Answer): ObservedError | undefined {
  if ('failure' in a) return { error: a.failure, code: 'PROTOCOL' };
  if ('error' in a) {
    // Only config and transform errors carry an upstream text; other kinds never match one.
    const { kind, text } = a.error;
    return kind === 'config' || kind === 'transform' ? { error: text, code: kind } : { error: `(${kind}) ${text}`, code: kind };
  }
  return undefined;
}

const shapeError = (what: string): ObservedError => ({ error: `protocol violation: ${what}`, code: 'PROTOCOL' });

function asDecrypt(a: Answer): ValuesObservation {
  const e = asError(a);
  if (e !== undefined) return e;
  const ok = (a as { ok: Record<string, unknown> }).ok;
  if (typeof ok.plaintext !== 'string' || typeof ok.stale !== 'boolean') return shapeError('decrypt needs {"plaintext", "stale"}');
  return { plaintext: ok.plaintext, stale: ok.stale };
}

function asValidation(a: Answer): ValidationOutcome | ObservedError {
  const e = asError(a);
  if (e !== undefined) return e;
  const errors = (a as { ok: Record<string, unknown> }).ok.errors;
  if (!Array.isArray(errors)) return shapeError('validate needs {"errors": [...]}');
  return { valid: errors.length === 0, errors };
}

function asResolution(a: Answer): ResolutionOutcome {
  const e = asError(a);
  if (e !== undefined) return e;
  const chain = (a as { ok: Record<string, unknown> }).ok.chain;
  if (!Array.isArray(chain) || !chain.every((n) => typeof n === 'string')) return shapeError('resolve needs {"chain": [string...]}');
  return { chain };
}

/**
 * The protocol providers a configuration needs (`identity`, `aescbc`, `aesgcm`, `secretbox`,
 * `kmsv1`, `kmsv2`; a kms provider of any apiVersion but `v2` counts as `kmsv1`). Configurations
 * atrest cannot parse are read as text.
 *
 * @param config - EncryptionConfiguration YAML
 * @returns provider names, sorted
 * @example
 * ```ts
 * import { requiredProviders } from '@atrest/conformance';
 * requiredProviders('resources:\n- resources: [secrets]\n  providers:\n  - identity: {}\n'); // ['identity']
 * ```
 */
export function requiredProviders(config: string): string[] {
  const found = new Set<string>();
  try {
    for (const rule of parseEncryptionConfiguration(config).resources) {
      for (const p of rule.providers) {
        for (const kind of ['identity', 'aescbc', 'aesgcm', 'secretbox'] as const) if (p[kind] !== undefined) found.add(kind);
        if (p.kms !== undefined) found.add(p.kms.apiVersion === 'v2' ? 'kmsv2' : 'kmsv1');
      }
    }
  } catch {
    for (const m of config.matchAll(/^[\s-]*(identity|aescbc|aesgcm|secretbox|kms)\s*:/gm)) {
      const kind = m[1] as string;
      found.add(kind === 'kms' ? (/apiVersion:\s*['"]?v2/.test(config) ? 'kmsv2' : 'kmsv1') : kind);
    }
  }
  return [...found].sort();
}

/** A case ready to run: its stable id, what it needs, and how to run and check it. */
interface PlannedCase {
  readonly id: string;
  readonly config: string;
  readonly run: (s: Session) => Promise<CaseResult>;
}

function planFile(file: string): PlannedCase[] {
  const json = JSON.parse(readFileSync(file, 'utf8')) as { cases: unknown[] };
  const kind = detectVectorKind(json);
  const name = basename(file);
  const named = (r: CaseResult, id: string): CaseResult => ({ ...r, id });
  if (kind === 'config-validation') {
    return (json.cases as ValidationCase[]).map((c) => ({
      id: `${name}:${c.id}`,
      config: c.config,
      run: async (s) => named(checkValidationCase(c, asValidation(await s.request('validate', { config: c.config }))), `${name}:${c.id}`),
    }));
  }
  if (kind === 'resolution') {
    return (json.cases as ResolutionCase[]).map((c) => ({
      id: `${name}:${c.id}`,
      config: c.config,
      run: async (s) =>
        named(checkResolutionCase(c, asResolution(await s.request('resolve', { config: c.config, resource: c.resource }))), `${name}:${c.id}`),
    }));
  }
  const cases = json.cases as ValuesCase[];
  const site = (c: ValuesCase) => ({ config: c.config, resource: c.resource, key: c.key, ...(c.kms === undefined ? {} : { kms: c.kms }) });
  const decrypts: PlannedCase[] = cases.map((c) => ({
    id: `${name}:${c.id}`,
    config: c.config,
    run: async (s) => named(checkValuesCase(c, asDecrypt(await s.request('decrypt', { ...site(c), stored: c.stored }))), `${name}:${c.id}`),
  }));
  // Encrypt: every case upstream could read, written by the implementation with the case's
  // configuration and read back by atrest in process: the same plaintext, not stale.
  const encrypts: PlannedCase[] = cases.flatMap((c) => {
    const expect = c.expect;
    if (!('plaintext' in expect)) return [];
    const id = `${name}:encrypt:${c.id}`;
    const roundTrip: ValuesCase = { ...c, expect: { plaintext: expect.plaintext, stale: false } };
    return [
      {
        id,
        config: c.config,
        run: async (s: Session) => {
          const a = await s.request('encrypt', { ...site(c), plaintext: expect.plaintext });
          const e = asError(a);
          let actual: ValuesObservation;
          if (e !== undefined) actual = e;
          else if (typeof (a as { ok: Record<string, unknown> }).ok.stored !== 'string') actual = shapeError('encrypt needs {"stored"}');
          else {
            try {
              const stored = fromBase64((a as { ok: { stored: string } }).ok.stored);
              const r = await transformerForCase(c).read(stored, utf8(c.key));
              actual = { plaintext: toBase64(r.plaintext), stale: r.stale };
              // Encryption is randomized: the same plaintext written twice under an encrypting
              // provider must give other bytes (a fixed nonce or IV would not).
              if (startsWithEnc(stored)) {
                const again = await s.request('encrypt', { ...site(c), plaintext: expect.plaintext });
                const second = (again as { ok?: { stored?: unknown } }).ok?.stored;
                if (second === (a as { ok: { stored: string } }).ok.stored) {
                  actual = { error: 'the same plaintext encrypted twice gave identical bytes: nonces or IVs are not random', code: 'ERR_NOT_RANDOM' };
                }
              }
            } catch (err) {
              const o = observeError(err);
              actual = { ...o, error: `atrest could not read what was written: ${o.error}` };
            }
          }
          return named(checkValuesCase(roundTrip, actual), id);
        },
      },
    ];
  });
  return [...decrypts, ...encrypts];
}

/**
 * Run a conformance suite against an implementation speaking the protocol on stdin/stdout.
 * Never hangs: every answer has `timeoutMs`; an implementation that exits or goes silent fails the
 * remaining cases with the reason, and the report says so in `fatal`.
 *
 * @param options - the command, suite, known failures, timeout
 * @returns the report (see {@link formatConformanceReport} and {@link conformanceExitCode})
 * @example
 * ```ts
 * import { runConformance, formatConformanceReport } from '@atrest/conformance';
 * const report = await runConformance({ command: 'node', args: ['packages/cli/bin/atrest.js', 'conformance', 'serve'], suite: 'vectors', knownFailures: [] });
 * console.log(formatConformanceReport(report));
 * ```
 */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const suite = options.suite ?? 'vectors';
  const known = new Set(options.knownFailures ?? []);
  const planned = suite === 'properties' ? [] : (options.files ?? DEFAULT_FILES).flatMap(planFile);
  const session = new Session(options, options.timeoutMs ?? 10_000);
  const results: ConformanceCaseResult[] = [];
  const skipped: string[] = [];
  let implementation: HelloResult | undefined;
  let fatal: string | undefined;
  let seed: number | undefined;
  try {
    const hello = await session.request('hello', { protocol: PROTOCOL_VERSION });
    if (!('ok' in hello)) {
      fatal = `handshake failed: ${'failure' in hello ? hello.failure : `${hello.error.kind}: ${hello.error.text}`}`;
    } else if (hello.ok.protocol !== PROTOCOL_VERSION || typeof hello.ok.name !== 'string' || !Array.isArray(hello.ok.providers)) {
      fatal = `handshake failed: expected {"protocol": ${PROTOCOL_VERSION}, "name", "providers"}, got ${JSON.stringify(hello.ok).slice(0, 200)}`;
    } else {
      implementation = hello.ok as unknown as HelloResult;
      const declared = new Set(implementation.providers);
      for (const c of planned) {
        if (!requiredProviders(c.config).every((p) => declared.has(p))) {
          skipped.push(c.id);
          continue;
        }
        const r = await c.run(session);
        results.push({ ...r, known: known.has(r.id) });
      }
      if (suite !== 'vectors') {
        // Loaded on demand: fast-check stays out of adapters that only import the protocol.
        const { planProperties } = await import('./properties.js');
        const props = planProperties(implementation.providers, {
          ...(options.seed === undefined ? {} : { seed: options.seed }),
          ...(options.runs === undefined ? {} : { runs: options.runs }),
          ...(options.path === undefined ? {} : { path: options.path }),
          ...(options.properties === undefined ? {} : { only: options.properties }),
        });
        seed = props.seed;
        skipped.push(...props.skipped);
        for (const p of props.planned) {
          if (session.dead !== undefined) {
            results.push({ id: p.id, ok: false, expected: 'the property holds', actual: { error: session.dead, code: 'PROTOCOL' }, known: known.has(p.id) });
            continue;
          }
          const r = await p.run((op, body) => session.request(op, body));
          results.push({ ...r, known: known.has(r.id) });
        }
      }
      fatal = session.dead;
    }
  } finally {
    await session.close();
  }
  const failures = results.filter((r) => !r.ok);
  return {
    protocol: PROTOCOL_VERSION,
    suite,
    ...(seed === undefined ? {} : { seed }),
    ...(implementation === undefined ? {} : { implementation }),
    ...(fatal === undefined ? {} : { fatal }),
    passed: results.length - failures.length,
    failed: failures.length,
    unexpectedFailures: failures.filter((r) => !r.known).map((r) => r.id),
    nowPassing: results.filter((r) => r.ok && r.known).map((r) => r.id),
    skipped,
    results,
  };
}

/**
 * Render a report for people: each unexpected failure with expected vs actual, known failures that
 * now pass, and `N passed, M failed`.
 *
 * @param report - a run's report
 * @returns the text, newline-terminated
 * @example
 * ```ts
 * import { runConformance, formatConformanceReport } from '@atrest/conformance';
 * declare const report: Awaited<ReturnType<typeof runConformance>>;
 * process.stdout.write(formatConformanceReport(report));
 * ```
 */
export function formatConformanceReport(report: ConformanceReport): string {
  const out: string[] = [];
  if (report.implementation !== undefined) {
    out.push(`implementation: ${report.implementation.name} (providers: ${report.implementation.providers.join(', ')})`);
  }
  for (const r of report.results) {
    if (r.ok || r.known) continue;
    out.push(formatResult(r));
  }
  for (const id of report.nowPassing) out.push(`now passes (known failure): ${id}`);
  if (report.fatal !== undefined) out.push(`fatal: ${report.fatal}`);
  if (report.seed !== undefined) out.push(`properties seed: ${report.seed} (replay the whole suite with --seed ${report.seed})`);
  const knownFailed = report.failed - report.unexpectedFailures.length;
  out.push(
    `${report.passed} passed, ${report.failed} failed` +
      (knownFailed > 0 ? ` (${knownFailed} known)` : '') +
      (report.skipped.length > 0 ? `, ${report.skipped.length} skipped (providers not declared)` : ''),
  );
  return `${out.join('\n')}\n`;
}

/**
 * The exit status of a run: 0 when nothing outside the known failures failed and the run was not
 * cut short, 1 otherwise.
 *
 * @param report - a run's report
 * @example
 * ```ts
 * import { conformanceExitCode, runConformance } from '@atrest/conformance';
 * declare const report: Awaited<ReturnType<typeof runConformance>>;
 * process.exitCode = conformanceExitCode(report);
 * ```
 */
export function conformanceExitCode(report: ConformanceReport): 0 | 1 {
  return report.fatal === undefined && report.unexpectedFailures.length === 0 ? 0 : 1;
}
