/**
 * The Go anchor from TypeScript: build `benchmarks/go` (GOPATH mode, `build.sh`) and run it.
 * The program and its rules are described in `benchmarks/go/src/atrestbench/doc.go`; its case
 * names are the TypeScript ones with `go` as the backend (`aesgcm/1KiB/encrypt/go`).
 * @module
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `benchmarks/go/`: GOPATH root and build script of the Go anchor. */
export const GO_ANCHOR_DIR = fileURLToPath(new URL('../go/', import.meta.url));
/** Where `build.sh` puts the binary (git-ignored). */
export const GO_ANCHOR_BINARY = join(GO_ANCHOR_DIR, 'bin', 'atrest-bench-go');

const INSTALL_HINT = 'install Go and golang.org/x/crypto, e.g. `apt-get install golang-go golang-golang-x-crypto-dev`';

/** One timed case, as both harnesses report it. */
export interface CaseResult {
  /** `provider/size/op/backend`. */
  readonly name: string;
  /** Median ops/s over the rounds. */
  readonly opsPerSec: number;
  /** Every round's ops/s. */
  readonly rounds: readonly number[];
  /** Median ops per CPU-second (the whole process's user + system time). */
  readonly opsPerCpuSec?: number;
}

/** The Go program's JSON document. */
export interface GoAnchorDocument {
  /** `runtime.Version()`, e.g. `go1.19.8`. */
  readonly go: string;
  readonly options: { readonly timeMs: number; readonly rounds: number; readonly filter: string; readonly gomaxprocs: number };
  readonly results: readonly CaseResult[];
}

/** What to run, on either side: a regular expression over case names, round length and count. */
export interface BenchRun {
  /** Over case names: RE2 on the Go side, a JavaScript regular expression on the TypeScript side. */
  readonly filter: string;
  readonly timeMs: number;
  readonly rounds: number;
  /** Prefix the command with these (e.g. `['taskset', '-c', '0']`). */
  readonly wrapper?: readonly string[];
}

/** What to run on the Go side. */
export type GoAnchorRun = BenchRun;

/**
 * Build the Go anchor (fast when nothing changed: Go's build cache lives in `benchmarks/go/bin`).
 * @returns the binary's path
 * @throws Error with Go's output and an install hint when the build fails
 */
export function buildGoAnchor(): string {
  const r = spawnSync('sh', [join(GO_ANCHOR_DIR, 'build.sh')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building the Go anchor failed (${INSTALL_HINT}):\n${r.stderr || r.error?.message}`);
  return GO_ANCHOR_BINARY;
}

/**
 * Run the Go anchor once; its progress lines go to this process's stderr.
 * @param run - filter, round length, rounds
 * @param binary - default {@link GO_ANCHOR_BINARY}
 * @returns the parsed JSON document
 * @throws Error with the program's exit status when it fails (a failed cross-validation included)
 */
export function runGoAnchor(run: GoAnchorRun, binary = GO_ANCHOR_BINARY): GoAnchorDocument {
  const args = ['--filter', run.filter, '--time-ms', String(run.timeMs), '--rounds', String(run.rounds)];
  const [cmd, ...pre] = [...(run.wrapper ?? []), binary];
  const r = spawnSync(cmd as string, [...pre, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`the Go anchor failed (status ${r.status}${r.error ? `, ${r.error.message}` : ''})`);
  return JSON.parse(r.stdout) as GoAnchorDocument;
}
