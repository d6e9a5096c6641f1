/**
 * Auditing a snapshot with history at scale (issue 12, "Scale"): N Secrets of ~2 KiB (JSON,
 * `scale-secrets.ts`), each written R times into a real etcd (every put its own revision, so the
 * snapshot holds N × R revisions, all encrypted under `SCALE_CONFIG`), then `atrest audit` run on
 * it as an operator runs it. The target is flat memory: peak RSS under 256 MiB at 1,000,000 keys.
 *
 *   node benchmarks/dist/history-scale.js generate --keys N [--revisions 3] --out FILE [--in-flight 64]
 *   node benchmarks/dist/history-scale.js run --snapshot FILE [--runs 3] [--json out.json] [--write-docs [--section NAME]]
 *
 * `generate` starts Debian's etcd 3.4 on 127.0.0.1 with `startEtcd` (`@atrest/test-support`; a
 * 64 GiB backend quota; etcd 3.4 has no switch to turn fsync off, so its WAL is synced as usual),
 * writes the N keys R times with `putSecrets` (the audit benchmark's writer, `EtcdPutter`, many
 * puts in flight), saves the snapshot with `etcdctl snapshot save` (no time limit: a 1M × 3
 * snapshot takes longer than `ctl`'s minute), stops etcd by its PID and removes its data dir.
 * Progress (puts, rate, ETA) goes to stderr; the measured rate, the file size and the projection
 * to 1,000,000 × R are printed and kept beside the snapshot in `FILE.gen.json`.
 *
 * `run` starts `node packages/cli/bin/atrest.js audit FILE --config CONFIG --history -o json` in a
 * fresh process per run, alternating the default (key state spilled to temporary files past
 * 250,000 keys) with `--keys-in-memory 1000000000` (all of it in memory), and checks that both
 * print the same report under `audit-vs-go.ts`'s wait4 wrapper (wall, user + system CPU, peak
 * RSS), with standard error on a pseudo-terminal, as in an operator's shell, so the CLI draws its
 * progress line: the time to first output is fork to the first byte on standard error (that
 * progress line; the report on stdout only comes at the end, so its time is the wall time). A
 * snapshot audit reads every revision in the file whether or not `--history` is given (the flag
 * lists old revisions in the table and counts them for `--fail-on`); values = the report's
 * `totals.snapshot.putRevisions`, and every one must be classified encrypted.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startEtcd } from '@atrest/test-support';
import { CLI, timed } from './audit-vs-go.js';
import { BUSY_LOAD } from './compare.js';
import { median } from './ratios.js';
import { writeSection } from './report.js';
import { putSecrets, SCALE_CONFIG } from './scale-secrets.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const TARGET_KEYS = 1_000_000;
const TARGET_RSS_MB = 256;

/** What `generate` measured; kept in `FILE.gen.json`. */
export interface Generated {
  readonly keys: number;
  readonly revisions: number;
  readonly puts: number;
  readonly inFlight: number;
  /** Writing alone (etcd start and snapshot save not counted). */
  readonly putSeconds: number;
  readonly putsPerSec: number;
  readonly snapshotSeconds: number;
  readonly totalSeconds: number;
  readonly bytes: number;
  /** Linear projection to {@link TARGET_KEYS} keys × the same revisions. */
  readonly projected: { readonly keys: number; readonly seconds: number; readonly bytes: number };
}

const mib = (b: number): string => (b / 2 ** 20).toFixed(0);
const duration = (s: number): string => (s >= 3600 ? `${(s / 3600).toFixed(1)} h` : s >= 60 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(0)} s`);

/** Write `keys` Secrets `revisions` times each into a fresh etcd and save its snapshot to `out`. */
export async function generateHistory(keys: number, revisions: number, out: string, inFlight: number): Promise<Generated> {
  const t0 = Date.now();
  const etcd = await startEtcd({ quotaBytes: 64 * 1024 ** 3 });
  let putSeconds: number;
  let snapshotSeconds: number;
  const puts = keys * revisions;
  try {
    const start = Date.now();
    for (let r = 0; r < revisions; r++) {
      await putSecrets(etcd.endpoint, keys, SCALE_CONFIG, 'generate', 2048, 'json', {
        inFlight,
        onProgress: (n) => {
          const done = r * keys + n;
          const seconds = (Date.now() - start) / 1000;
          const rate = done / seconds;
          process.stderr.write(
            `\rgenerate: ${done.toLocaleString('en')}/${puts.toLocaleString('en')} puts (revision ${r + 1}/${revisions}), ${Math.round(rate).toLocaleString('en')}/s, ETA ${duration((puts - done) / rate)}   `,
          );
        },
      });
    }
    putSeconds = (Date.now() - start) / 1000;
    process.stderr.write(`\ngenerate: ${puts.toLocaleString('en')} puts in ${duration(putSeconds)}; saving the snapshot\n`);
    const s0 = Date.now();
    // etcdctl directly, without `ctl`'s 60 s limit: a multi-GB snapshot takes longer.
    const r = spawnSync('etcdctl', ['--endpoints', etcd.endpoint, '--dial-timeout', '3s', 'snapshot', 'save', out], {
      env: { ...process.env, ETCDCTL_API: '3' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    if (r.status !== 0) throw new Error(`etcdctl snapshot save failed: ${r.stderr?.toString() ?? r.error}`);
    snapshotSeconds = (Date.now() - s0) / 1000;
  } finally {
    await etcd.stop();
  }
  const bytes = statSync(out).size;
  const putsPerSec = Math.round(puts / putSeconds);
  const scale = TARGET_KEYS / keys;
  return {
    keys,
    revisions,
    puts,
    inFlight,
    putSeconds: Number(putSeconds.toFixed(1)),
    putsPerSec,
    snapshotSeconds: Number(snapshotSeconds.toFixed(1)),
    totalSeconds: Number(((Date.now() - t0) / 1000).toFixed(1)),
    bytes,
    projected: { keys: TARGET_KEYS, seconds: Math.round((putSeconds + snapshotSeconds) * scale), bytes: Math.round(bytes * scale) },
  };
}

/** One audit's figures. */
export interface HistoryRun {
  readonly variant: Variant;
  readonly load: number;
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  readonly valuesPerSec: number;
  readonly maxRssMB: number;
  /** Fork to the first byte on standard error (the progress line). */
  readonly firstOutputSeconds: number | undefined;
}

interface AuditTotals {
  readonly totals: { keys: { present: number }; snapshot: { putRevisions: number; byStatus: { encrypted?: number } } };
}

/**
 * The two ways the audit can hold per-key state: the default (`--keys-in-memory` 250,000, then
 * temporary files: what the target asks for), and everything in memory (a count no snapshot
 * reaches), measured side by side.
 */
type Variant = 'spilled' | 'in memory';
const VARIANTS: readonly { readonly name: Variant; readonly flags: readonly string[] }[] = [
  { name: 'spilled', flags: [] },
  { name: 'in memory', flags: ['--keys-in-memory', '1000000000'] },
];

async function run(snapshot: string, runs: number, jsonOut: string | undefined, writeDocs: boolean, section: string): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'atrest-history-scale-'));
  try {
    const config = join(scratch, 'config.yaml');
    writeFileSync(config, SCALE_CONFIG);
    const rows: HistoryRun[] = [];
    let values = 0;
    let keys = 0;
    let firstReport: string | undefined;
    // Alternating, first one then the other first (ABBA), so drift in the machine's speed and the
    // state the previous run left (page cache, dirty pages) hit both alike.
    for (let i = 0; i < runs; i++) {
      for (const v of i % 2 === 0 ? VARIANTS : [...VARIANTS].reverse()) {
        const load = loadavg()[0] as number;
        if (load > BUSY_LOAD) process.stderr.write(`run ${i + 1} (${v.name}): the machine is busy (1-minute load ${load.toFixed(2)}): its figures are flagged\n`);
        const t = timed([process.execPath, CLI, 'audit', snapshot, '--config', config, '--history', '-o', 'json', ...v.flags], scratch, true, true);
        // Both ways give the same report, byte for byte.
        firstReport ??= t.stdout;
        if (t.stdout !== firstReport) throw new Error(`history-scale: the ${v.name} report differs from the first run's`);
        const report = JSON.parse(t.stdout) as AuditTotals;
        values = report.totals.snapshot.putRevisions;
        keys = report.totals.keys.present;
        if ((report.totals.snapshot.byStatus.encrypted ?? 0) !== values) throw new Error('history-scale: not every value classified as encrypted');
        const row: HistoryRun = {
          variant: v.name,
          load: Number(load.toFixed(2)),
          wallSeconds: Number(t.wallSeconds.toFixed(2)),
          cpuSeconds: Number(t.cpuSeconds.toFixed(2)),
          valuesPerSec: Math.round(values / t.wallSeconds),
          maxRssMB: t.maxRssMB,
          firstOutputSeconds: t.firstStderrSeconds === undefined ? undefined : Number(t.firstStderrSeconds.toFixed(3)),
        };
        rows.push(row);
        console.log(JSON.stringify({ run: i + 1, values, ...row }));
      }
    }
    const gen = existsSync(`${snapshot}.gen.json`) ? (JSON.parse(readFileSync(`${snapshot}.gen.json`, 'utf8')) as Generated) : undefined;
    const busy = rows.filter((r) => r.load > BUSY_LOAD).length;
    const summaries = VARIANTS.map(({ name, flags }) => {
      const mine = rows.filter((r) => r.variant === name);
      const med = (f: (r: HistoryRun) => number): number => Number(median(mine.map(f)).toFixed(3));
      const firsts = mine.map((r) => r.firstOutputSeconds).filter((x): x is number => x !== undefined);
      const maxRss = Math.max(...mine.map((r) => r.maxRssMB));
      return {
        variant: name,
        flags: flags.join(' '),
        wallSeconds: med((r) => r.wallSeconds),
        cpuSeconds: med((r) => r.cpuSeconds),
        valuesPerSec: Math.round(med((r) => r.valuesPerSec)),
        maxRssMB: maxRss,
        firstOutputSeconds: firsts.length > 0 ? Number(median(firsts).toFixed(3)) : undefined,
        underTarget: maxRss < TARGET_RSS_MB,
      };
    });
    // Within each pair (one run of each, back to back): spilled / in memory.
    const pairs = (f: (r: HistoryRun) => number): { median: number; min: number; max: number } => {
      const ratios: number[] = [];
      for (let i = 0; i + 1 < rows.length; i += 2) {
        const [a, b] = [rows[i], rows[i + 1]] as [HistoryRun, HistoryRun];
        const [spilled, inMemory] = a.variant === 'spilled' ? [a, b] : [b, a];
        ratios.push(f(spilled) / f(inMemory));
      }
      return { median: Number(median(ratios).toFixed(3)), min: Number(Math.min(...ratios).toFixed(3)), max: Number(Math.max(...ratios).toFixed(3)) };
    };
    const spilledOverInMemory = { wall: pairs((r) => r.wallSeconds), cpu: pairs((r) => r.cpuSeconds), peakRss: pairs((r) => r.maxRssMB) };
    const summary = {
      snapshot,
      snapshotMB: Math.round(statSync(snapshot).size / 2 ** 20),
      keys,
      values,
      runs,
      variants: summaries,
      spilledOverInMemory,
      busyRuns: busy,
      ...(gen === undefined ? {} : { generated: gen }),
    };
    console.log(JSON.stringify(summary));
    if (jsonOut !== undefined) writeFileSync(jsonOut, `${JSON.stringify({ node: process.version, ...summary, perRun: rows }, null, 2)}\n`);
    if (writeDocs) {
      const validation = keys < TARGET_KEYS;
      const genLine =
        gen === undefined
          ? 'Generation: no `.gen.json` beside the snapshot.'
          : `Generation (\`generate --keys ${gen.keys} --revisions ${gen.revisions} --in-flight ${gen.inFlight}\`): ${gen.puts} puts in ${gen.putSeconds} s, ${gen.putsPerSec} puts/s, snapshot save ${gen.snapshotSeconds} s, ${mib(gen.bytes)} MiB.${validation ? ` Projected linearly to ${gen.projected.keys} keys × ${gen.revisions}: ${duration(gen.projected.seconds)}, ${(gen.projected.bytes / 2 ** 30).toFixed(1)} GiB (not measured).` : ''}`;
      const spilled = summaries[0] as (typeof summaries)[number];
      const body = [
        validation
          ? `**Validation run at ${keys} keys, not the ${TARGET_KEYS}-key result** (the 1M-key run is: \`generate --keys ${TARGET_KEYS} --revisions 3\`, then \`run --write-docs\`).`
          : `${keys} keys.`,
        '',
        `Measured ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${values} revisions (${keys} keys, ${summary.snapshotMB} MiB snapshot), median of ${runs} runs of each, alternating (ABBA), one fresh process each; both gave the same report, byte for byte.`,
        '',
        '| command | key state | wall s | CPU s | values/s | peak RSS MiB (max of runs) | first output s |',
        '|---|---|---:|---:|---:|---:|---:|',
        ...summaries.map(
          (v) =>
            `| \`atrest audit --history -o json${v.flags === '' ? '' : ` ${v.flags}`}\` | ${v.variant === 'spilled' ? 'spilled past 250,000 keys (default)' : 'in memory'} | ${v.wallSeconds.toFixed(2)} | ${v.cpuSeconds.toFixed(2)} | ${v.valuesPerSec} | ${v.maxRssMB} | ${v.firstOutputSeconds?.toFixed(3) ?? 'none'} |`,
        ),
        '',
        `Peak RSS with the default ${spilled.underTarget ? 'under' : 'over'} the ${TARGET_RSS_MB} MiB target${validation ? ` at ${keys} keys (whether it stays flat to ${TARGET_KEYS} keys only the full run shows)` : ''}. First output: fork to the first byte of the progress line on standard error (a pseudo-terminal); the report on stdout comes at the end. ${genLine}`,
        `Spilled / in memory, within each pair of runs: wall ${spilledOverInMemory.wall.median} (${spilledOverInMemory.wall.min}–${spilledOverInMemory.wall.max}), CPU ${spilledOverInMemory.cpu.median} (${spilledOverInMemory.cpu.min}–${spilledOverInMemory.cpu.max}), peak RSS ${spilledOverInMemory.peakRss.median} (${spilledOverInMemory.peakRss.min}–${spilledOverInMemory.peakRss.max}).`,
        `Per run (key state: wall s / peak RSS MiB): ${rows.map((r) => `${r.variant}: ${r.wallSeconds} / ${r.maxRssMB}`).join('; ')}. 1-minute load before each run: ${rows.map((r) => r.load.toFixed(2)).join(', ')}${busy > 0 ? ` (${busy} run(s) started above ${BUSY_LOAD}: take those figures as noisy)` : ''}.`,
      ].join('\n');
      writeSection(join(REPO, 'docs/benchmarks.md'), section, body);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({
    args: rest,
    options: {
      keys: { type: 'string' },
      revisions: { type: 'string', default: '3' },
      'in-flight': { type: 'string', default: '64' },
      out: { type: 'string' },
      snapshot: { type: 'string' },
      runs: { type: 'string', default: '3' },
      json: { type: 'string' },
      'write-docs': { type: 'boolean', default: false },
      section: { type: 'string', default: 'history-scale' },
    },
  });
  if (command === 'generate') {
    if (values.keys === undefined || values.out === undefined) throw new Error('generate needs --keys N and --out FILE');
    const g = await generateHistory(Number(values.keys), Number(values.revisions), values.out, Number(values['in-flight']));
    writeFileSync(`${values.out}.gen.json`, `${JSON.stringify(g, null, 2)}\n`);
    console.log(JSON.stringify(g));
    console.error(
      `generated ${g.puts} revisions in ${duration(g.totalSeconds)} (${g.putsPerSec} puts/s), ${mib(g.bytes)} MiB; ${g.projected.keys} keys × ${g.revisions} projected: ${duration(g.projected.seconds)}, ${(g.projected.bytes / 2 ** 30).toFixed(1)} GiB`,
    );
    // `EtcdServer.stop()` leaves its 10 s kill timer armed after etcd has exited: do not wait for it.
    process.exit(0);
  } else if (command === 'run') {
    if (values.snapshot === undefined) throw new Error('run needs --snapshot FILE');
    await run(values.snapshot, Number(values.runs), values.json, values['write-docs'] === true, values.section);
  } else {
    throw new Error('usage: history-scale.js generate --keys N [--revisions R] --out FILE | run --snapshot FILE [--runs N] [--json FILE] [--write-docs [--section NAME]]');
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
