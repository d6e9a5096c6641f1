/**
 * The TypeScript side of a comparison: `run.js` in a child process with `--json`, so each side
 * runs alone, in a fresh process, exactly as a user runs the benchmark.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRun, CaseResult } from './go-runner.js';

/** What `run.js --json` writes. */
export interface TsBenchDocument {
  /** `process.version`. */
  readonly node: string;
  readonly options: { readonly timeMs: number; readonly rounds: number };
  readonly results: readonly CaseResult[];
}

/** What to run on the TypeScript side. */
export type TsBenchRun = BenchRun;

/** `benchmarks/dist/run.js` (compiled; `pnpm run build` first). */
export const RUN_JS = fileURLToPath(new URL('../dist/run.js', import.meta.url));

/**
 * Run the TypeScript benchmark once; its progress lines go to this process's stderr.
 * @param run - filter, round length, rounds
 * @returns the parsed `--json` document
 * @throws Error when run.js fails (a failed cross-validation included)
 */
export function runTsBench(run: TsBenchRun): TsBenchDocument {
  const dir = mkdtempSync(join(tmpdir(), 'atrest-compare-'));
  try {
    const out = join(dir, 'ts.json');
    const args = [RUN_JS, '--filter', run.filter, '--time-ms', String(run.timeMs), '--rounds', String(run.rounds), '--json', out];
    const [cmd, ...pre] = [...(run.wrapper ?? []), process.execPath];
    const r = spawnSync(cmd as string, [...pre, ...args], { stdio: ['ignore', process.stderr, 'inherit'] });
    if (r.status !== 0) throw new Error(`run.js failed (status ${r.status}${r.error ? `, ${r.error.message}` : ''})`);
    return JSON.parse(readFileSync(out, 'utf8')) as TsBenchDocument;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
