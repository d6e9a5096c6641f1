/**
 * atrest against the Go anchor (`benchmarks/go`), in the same run: build the Go program,
 * cross-check both ways (atrest reads Go's values, Go reads atrest's, every provider and
 * backend), then time each provider group on both sides, one process at a time, alternating
 * which side goes first from run to run. Prints ops/s per cell for Go and for every TypeScript
 * backend, and the ratio atrest/Go; the ratios are the figures that count.
 *
 *   node benchmarks/dist/compare.js [--filter REGEX] [--time-ms 300] [--rounds 5] [--runs 1]
 *                                   [--cpu N] [--json out.json] [--write-docs]
 *
 * `--filter` selects cells (`provider/size/op`, e.g. `aesgcm/1KiB`); every backend of a selected
 * cell runs. `--runs N` (default 5) repeats the whole alternation N times; each run's ratios are
 * taken within that run (Go and TypeScript measured back to back), and the table shows the median
 * of the runs' ratios with the lowest and highest. `--cpu N` (default 1 when `taskset` exists;
 * `--cpu none` to run unpinned) pins both programs to CPU N, so Node's GC and compiler threads share
 * the one core Go uses (GOMAXPROCS=1). Each run records the 1-minute load average before it
 * starts; a run that starts on a busy machine is flagged in the output. `--write-docs` writes the
 * `bench:go` section of docs/benchmarks.md and docs/benchmarks-ratios.svg.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PROVIDERS, SIZES, sizeLabel } from './fixtures.js';
import { crossCheckGo } from './go-crosscheck.js';
import { buildGoAnchor, type CaseResult, runGoAnchor } from './go-runner.js';
import { ratioChartSvg } from './ratio-chart.js';
import { pairedRatios } from './ratios.js';
import { ratioTable, writeSection } from './report.js';
import { runTsBench } from './ts-runner.js';

/** Every cell both sides measure, `provider/size/op`, in run.ts order. */
export function allCells(): string[] {
  const cells = PROVIDERS.flatMap((p) => SIZES.flatMap((s) => ['encrypt', 'decrypt'].map((op) => `${p}/${sizeLabel(s)}/${op}`)));
  return [...cells, 'chain5/1KiB/decrypt'];
}

/** The 1-minute load average above which a run is flagged as started on a busy machine. */
export const BUSY_LOAD = 1.5;

/** Whether `taskset` can pin a process here. */
function haveTaskset(): boolean {
  return spawnSync('taskset', ['-c', '0', 'true']).status === 0;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      filter: { type: 'string', default: '.' },
      'time-ms': { type: 'string', default: '300' },
      rounds: { type: 'string', default: '5' },
      runs: { type: 'string', default: '5' },
      cpu: { type: 'string' },
      json: { type: 'string' },
      'write-docs': { type: 'boolean', default: false },
    },
  });
  const filter = new RegExp(values.filter as string);
  const timing = { timeMs: Number(values['time-ms']), rounds: Number(values.rounds) };
  const runs = Math.max(1, Number(values.runs));
  const cpu = values.cpu ?? (haveTaskset() ? '1' : 'none');
  const wrapper = cpu === 'none' ? [] : ['taskset', '-c', cpu];
  const cells = allCells().filter((c) => filter.test(c));
  if (cells.length === 0) throw new Error(`--filter ${values.filter} selects no cell (cells are provider/size/op)`);

  const binary = buildGoAnchor();
  const checks = await crossCheckGo([1024, 64 * 1024]);
  process.stderr.write(`cross-check: ${checks.length} checks passed (atrest reads Go's values and Go reads atrest's)\n`);

  // One provider group at a time on both sides keeps each pair of figures close in time.
  const groups = [...new Set(cells.map((c) => c.split('/')[0] as string))];
  const perRun: CaseResult[][] = [];
  const loads: number[] = [];
  let goVersion = '';
  let nodeVersion = '';
  for (let run = 0; run < runs; run++) {
    const load = loadavg()[0] as number;
    loads.push(load);
    if (load > BUSY_LOAD) process.stderr.write(`run ${run + 1}: the machine is busy (1-minute load ${load.toFixed(2)}): its ratios are flagged\n`);
    const results: CaseResult[] = [];
    for (const group of groups) {
      const mine = cells.filter((c) => c.startsWith(`${group}/`)).join('|');
      const goSide = (): void => {
        const doc = runGoAnchor({ filter: `^(?:${mine})/go$`, ...timing, wrapper }, binary);
        goVersion = doc.go;
        results.push(...doc.results);
      };
      const tsSide = (): void => {
        const doc = runTsBench({ filter: `^(?:${mine})/[^/]+$`, ...timing, wrapper });
        nodeVersion = doc.node;
        results.push(...doc.results);
      };
      for (const side of run % 2 === 0 ? [goSide, tsSide] : [tsSide, goSide]) side();
    }
    perRun.push(results);
  }
  const rows = pairedRatios(perRun);
  const table = ratioTable(rows);
  const busy = loads.filter((l) => l > BUSY_LOAD).length;
  process.stdout.write(`\n${table}\n`);

  const date = new Date().toISOString().slice(0, 10);
  const meta =
    `Measured ${date}: ${goVersion} (GOMAXPROCS=1) and Node ${nodeVersion}, ${timing.rounds} rounds of ${timing.timeMs} ms per case, ` +
    `ratio = median of ${runs} alternating runs' own ratios (lowest–highest run in brackets)${wrapper.length > 0 ? `, both sides pinned to CPU ${cpu} with taskset` : ', unpinned'}; ` +
    `1-minute load before each run: ${loads.map((l) => l.toFixed(2)).join(', ')}${busy > 0 ? ` (${busy} run(s) started above ${BUSY_LOAD}: take those figures as noisy)` : ''}.`;
  if (values.json) {
    const doc = { go: goVersion, node: nodeVersion, options: { filter: values.filter, ...timing, runs, cpu }, loads, runs: perRun, ratios: rows };
    writeFileSync(values.json, `${JSON.stringify(doc, null, 2)}\n`);
  }
  if (values['write-docs']) {
    const svg = fileURLToPath(new URL('../../docs/benchmarks-ratios.svg', import.meta.url));
    writeFileSync(svg, ratioChartSvg(rows, `atrest / Go ops/s per cell (${goVersion}, Node ${nodeVersion}, ${date})`));
    const docs = fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url));
    writeSection(docs, 'go', `${meta}\n\n${table}\n\n![atrest/Go ratio per cell and backend](benchmarks-ratios.svg)`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
