/**
 * The timing harness: warm up, then several rounds of a fixed wall-clock budget each, and the
 * median ops/s across rounds. Operations may return promises (KMS); those are awaited, sync
 * results are not wrapped, so local providers are measured as users call them.
 * @module
 */
import { isPromise, type MaybePromise } from '@atrest/core';

/** Timing settings. */
export interface HarnessOptions {
  /** Milliseconds per round. */
  readonly timeMs: number;
  /** Rounds; the median is reported. */
  readonly rounds: number;
}

/** One measurement. */
export interface Measurement {
  readonly opsPerSec: number;
  /** Every round's ops/s, for spread. */
  readonly rounds: readonly number[];
}

async function runFor(op: () => MaybePromise<unknown>, ms: number): Promise<number> {
  const end = process.hrtime.bigint() + BigInt(Math.round(ms * 1e6));
  const start = process.hrtime.bigint();
  let n = 0;
  let now = start;
  while (now < end) {
    // Batches of 16 between clock reads keep the clock's cost out of small operations.
    for (let i = 0; i < 16; i++) {
      const r = op();
      if (isPromise(r)) await r;
    }
    n += 16;
    now = process.hrtime.bigint();
  }
  return (n * 1e9) / Number(now - start);
}

/**
 * Measure an operation.
 * @param op - the work of one iteration
 * @param options - round length and count
 */
export async function measure(op: () => MaybePromise<unknown>, options: HarnessOptions): Promise<Measurement> {
  await runFor(op, Math.min(200, options.timeMs)); // warm-up: JIT, caches, KMS seed
  const rounds: number[] = [];
  for (let r = 0; r < options.rounds; r++) rounds.push(await runFor(op, options.timeMs));
  const sorted = [...rounds].sort((a, b) => a - b);
  return { opsPerSec: sorted[Math.floor(sorted.length / 2)] as number, rounds };
}
