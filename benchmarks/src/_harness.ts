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
  /** Median over the rounds, by the wall clock. */
  readonly opsPerSec: number;
  /** Every round's ops/s, for spread. */
  readonly rounds: readonly number[];
  /** Median over the rounds of ops per CPU-second (user + system of the whole process: GC and compiler threads included). */
  readonly opsPerCpuSec: number;
}

async function runFor(op: () => MaybePromise<unknown>, ms: number): Promise<{ wall: number; cpu: number }> {
  const cpu0 = process.cpuUsage();
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
  const c = process.cpuUsage(cpu0);
  const cpuSeconds = (c.user + c.system) / 1e6;
  return { wall: (n * 1e9) / Number(now - start), cpu: cpuSeconds > 0 ? n / cpuSeconds : 0 };
}

/**
 * Measure an operation.
 * @param op - the work of one iteration
 * @param options - round length and count
 */
export async function measure(op: () => MaybePromise<unknown>, options: HarnessOptions): Promise<Measurement> {
  await runFor(op, Math.min(200, options.timeMs)); // warm-up: JIT, caches, KMS seed
  const rounds: number[] = [];
  const perCpu: number[] = [];
  for (let r = 0; r < options.rounds; r++) {
    const { wall, cpu } = await runFor(op, options.timeMs);
    rounds.push(wall);
    perCpu.push(cpu);
  }
  const mid = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  return { opsPerSec: mid(rounds), rounds, opsPerCpuSec: mid(perCpu) };
}
