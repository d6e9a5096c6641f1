/**
 * Results as a table (stdout), JSON, and the markdown section of docs/benchmarks.md.
 * @module
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { ratioBackends, type RatioRow } from './ratios.js';

/** One benchmark result. */
export interface Result {
  /** `provider/size/op/backend`. */
  readonly name: string;
  readonly opsPerSec: number;
}

const fmt = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : n.toFixed(0));

/** Rows `provider size op | node | noble | node/noble` for results named provider/size/op/backend. */
export function markdownTable(results: readonly Result[]): string {
  const cells = new Map<string, Map<string, number>>();
  for (const r of results) {
    const parts = r.name.split('/');
    const backend = parts.pop() as string;
    const key = parts.join(' ');
    if (!cells.has(key)) cells.set(key, new Map());
    cells.get(key)?.set(backend, r.opsPerSec);
  }
  const backends = [...new Set(results.map((r) => r.name.split('/').pop() as string))];
  const head = `| case | ${backends.map((b) => `${b} ops/s`).join(' | ')} |${backends.includes('node') && backends.includes('noble') ? ' node / noble |' : ''}`;
  const sep = `|---|${backends.map(() => '---:').join('|')}|${backends.includes('node') && backends.includes('noble') ? '---:|' : ''}`;
  const rows = [...cells].map(([k, m]) => {
    const ratio = m.has('node') && m.has('noble') ? ` ${((m.get('node') as number) / (m.get('noble') as number)).toFixed(1)}x |` : '';
    return `| ${k} | ${backends.map((b) => (m.has(b) ? fmt(m.get(b) as number) : '')).join(' | ')} |${ratio}`;
  });
  return [head, sep, ...rows].join('\n');
}

/** Replace the text between `<!-- bench:NAME -->` markers in a file. */
export function writeSection(file: string, name: string, body: string): void {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const text = readFileSync(file, 'utf8');
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`${file} has no ${start} ... ${end} markers`);
  writeFileSync(file, `${text.slice(0, i + start.length)}\n${body}\n${text.slice(j)}`);
}

const ratioFmt = (r: number): string => (r >= 10 ? r.toFixed(0) : r >= 0.1 ? r.toFixed(2) : r.toFixed(3));

/** Rows `case | go ops/s | <backend> ops/s | <backend> / go | ...` for {@link goRatios} rows. */
export function ratioTable(rows: readonly RatioRow[]): string {
  const backends = ratioBackends(rows);
  const cpu = rows.some((r) => r.backends.some((b) => b.cpuRatio !== undefined));
  const head = `| case | go ops/s | ${backends.map((b) => `${b} ops/s | ${b} / go${cpu ? ` | ${b} / go (CPU)` : ''}`).join(' | ')} |`;
  const sep = `|---|---:|${backends.map(() => `---:|---:${cpu ? '|---:' : ''}`).join('|')}|`;
  const body = rows.map((row) => {
    const cells = backends.map((b) => {
      const x = row.backends.find((e) => e.backend === b);
      const spread = x?.ratioMin !== undefined && x.ratioMax !== undefined && x.ratioMin !== x.ratioMax ? ` (${ratioFmt(x.ratioMin)}–${ratioFmt(x.ratioMax)})` : '';
      const cpuCell = cpu ? ` | ${x?.cpuRatio === undefined ? '' : ratioFmt(x.cpuRatio)}` : '';
      return x === undefined ? ` | ${cpu ? ' | ' : ''}` : `${fmt(x.opsPerSec)} | ${ratioFmt(x.ratio)}${spread}${cpuCell}`;
    });
    return `| ${row.cell.replaceAll('/', ' ')} | ${fmt(row.go)} | ${cells.join(' | ')} |`;
  });
  return [head, sep, ...body].join('\n');
}
