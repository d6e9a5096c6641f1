/**
 * atrest/Go ratios: for every cell `provider/size/op` measured by the Go anchor (`.../go`), each
 * TypeScript backend measured on the same cell (`.../node`, `.../noble`, any other name) gets
 * `atrest ops/s / Go ops/s`. 1 means as fast as Go; 0.1 means ten times slower.
 * @module
 */

/** A named ops/s figure (`provider/size/op/backend`). */
export interface NamedRate {
  readonly name: string;
  readonly opsPerSec: number;
  /** Ops per CPU-second of the whole process, when measured. */
  readonly opsPerCpuSec?: number;
}

/** One backend on one cell. */
export interface BackendRatio {
  readonly backend: string;
  readonly opsPerSec: number;
  /** `opsPerSec / go`; over several paired runs, the median of each run's own ratio. */
  readonly ratio: number;
  /** Over several paired runs: the lowest and highest run's ratio. */
  readonly ratioMin?: number;
  readonly ratioMax?: number;
  /** The same ratio in ops per CPU-second (both processes' user + system time), when both sides measured it. */
  readonly cpuRatio?: number;
}

/** One cell: the Go figure and every TypeScript backend's ratio to it. */
export interface RatioRow {
  /** `provider/size/op`. */
  readonly cell: string;
  /** Go ops/s. */
  readonly go: number;
  /** In first-seen backend order. */
  readonly backends: readonly BackendRatio[];
}

function split(name: string): [cell: string, backend: string] {
  const i = name.lastIndexOf('/');
  return [name.slice(0, i), name.slice(i + 1)];
}

/**
 * Pair every Go cell with the TypeScript results on that cell.
 * @param results - Go and TypeScript results, mixed
 * @returns rows in the Go results' order; cells without a Go figure are left out
 */
export function goRatios(results: readonly NamedRate[]): RatioRow[] {
  const go = new Map<string, NamedRate>();
  const ts = new Map<string, Map<string, NamedRate>>();
  for (const r of results) {
    const [cell, backend] = split(r.name);
    if (backend === 'go') go.set(cell, r);
    else {
      if (!ts.has(cell)) ts.set(cell, new Map());
      ts.get(cell)?.set(backend, r);
    }
  }
  return [...go].map(([cell, g]) => ({
    cell,
    go: g.opsPerSec,
    backends: [...(ts.get(cell) ?? new Map<string, NamedRate>())].map(([backend, r]) => ({
      backend,
      opsPerSec: r.opsPerSec,
      ratio: r.opsPerSec / g.opsPerSec,
      ...(r.opsPerCpuSec && g.opsPerCpuSec ? { cpuRatio: r.opsPerCpuSec / g.opsPerCpuSec } : {}),
    })),
  }));
}

/** Every backend named in `rows`, in first-seen order. */
export function ratioBackends(rows: readonly RatioRow[]): string[] {
  return [...new Set(rows.flatMap((r) => r.backends.map((b) => b.backend)))];
}

/** The median of a non-empty list (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError('median of nothing');
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/**
 * Ratios over several paired runs: each run's results are paired on their own (Go and every
 * backend of that run), so a slow moment on the machine lands on both sides of one ratio; the
 * row then carries the median of the runs' ratios, with the lowest and highest. The ops/s shown
 * are each side's median over the runs (for reading, not for the ratio).
 * @param runs - each run's Go and TypeScript results
 * @returns rows in the first run's Go order
 */
export function pairedRatios(runs: readonly (readonly NamedRate[])[]): RatioRow[] {
  const perRun = runs.map((r) => goRatios(r));
  const first = perRun[0] ?? [];
  return first.map((row) => {
    const same = perRun.map((rows) => rows.find((r) => r.cell === row.cell)).filter((r): r is RatioRow => r !== undefined);
    return {
      cell: row.cell,
      go: median(same.map((r) => r.go)),
      backends: row.backends.map((b) => {
        const mine = same.map((r) => r.backends.find((x) => x.backend === b.backend)).filter((x): x is BackendRatio => x !== undefined);
        const ratios = mine.map((x) => x.ratio);
        const cpu = mine.map((x) => x.cpuRatio).filter((x): x is number => x !== undefined);
        return {
          backend: b.backend,
          opsPerSec: median(mine.map((x) => x.opsPerSec)),
          ratio: median(ratios),
          ratioMin: Math.min(...ratios),
          ratioMax: Math.max(...ratios),
          ...(cpu.length === mine.length && cpu.length > 0 ? { cpuRatio: median(cpu) } : {}),
        };
      }),
    };
  });
}
