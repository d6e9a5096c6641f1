/**
 * Run an async function over a list with at most `concurrency` calls in flight, results in input
 * order. Re-encryption keeps several etcd transactions (and KMS calls) in the air at once: each
 * waits on etcd's fsync, so one at a time would leave both cores idle.
 * @module
 */

/** @internal */
export async function mapConcurrently<T, R>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return out;
}

/** At most `perSecond` starts per second (none: no limit). @internal */
export class RateLimit {
  readonly #interval: number;
  #next = 0;

  constructor(perSecond: number | undefined) {
    this.#interval = perSecond === undefined ? 0 : 1000 / perSecond;
  }

  /** Resolves when the next start is allowed. */
  async take(): Promise<void> {
    if (this.#interval === 0) return;
    const now = performance.now();
    const at = Math.max(now, this.#next);
    this.#next = at + this.#interval;
    if (at > now) await new Promise((r) => setTimeout(r, at - now));
  }
}
