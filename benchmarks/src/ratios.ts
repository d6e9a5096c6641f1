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
}

/** One backend on one cell. */
export interface BackendRatio {
  readonly backend: string;
  readonly opsPerSec: number;
  /** `opsPerSec / go`. */
  readonly ratio: number;
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
  const go = new Map<string, number>();
  const ts = new Map<string, Map<string, number>>();
  for (const r of results) {
    const [cell, backend] = split(r.name);
    if (backend === 'go') go.set(cell, r.opsPerSec);
    else {
      if (!ts.has(cell)) ts.set(cell, new Map());
      ts.get(cell)?.set(backend, r.opsPerSec);
    }
  }
  return [...go].map(([cell, g]) => ({
    cell,
    go: g,
    backends: [...(ts.get(cell) ?? new Map<string, number>())].map(([backend, ops]) => ({ backend, opsPerSec: ops, ratio: ops / g })),
  }));
}

/** Every backend named in `rows`, in first-seen order. */
export function ratioBackends(rows: readonly RatioRow[]): string[] {
  return [...new Set(rows.flatMap((r) => r.backends.map((b) => b.backend)))];
}
