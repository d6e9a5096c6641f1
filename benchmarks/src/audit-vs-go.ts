/**
 * `atrest audit` end to end beside the least a Go program must do to read the same snapshot
 * (`benchmarks/go/src/atrestbench/cmd/atrest-audit-go`: bbolt read-only, the `key` bucket, a hand
 * `mvccpb.KeyValue` decode, AES-GCM open per value with one prepared AEAD per key name). The
 * snapshot is `audit-scale.ts`'s (N ~2 KiB Secrets under `SCALE_CONFIG`, written into a real etcd),
 * generated once or given with `--snapshot`.
 *
 *   node benchmarks/dist/audit-vs-go.js [--count 100000] [--encoding json|protobuf] [--snapshot FILE]
 *                                       [--runs 5] [--dir DIR] [--json out.json] [--write-docs]
 *
 * Each run starts both programs once, each in a fresh process under a small `wait4` wrapper (wall, user
 * + system CPU of the child and all its threads, peak RSS), alternating which side starts. atrest is
 * the CLI as an operator runs it, `node packages/cli/bin/atrest.js audit SNAPSHOT --config FILE -o
 * json`, stdout to /dev/null: start-up, module loading, the SHA-256 of the file, the audit and the
 * report all count. Before timing, one untimed run of each checks that both read the same number
 * of values and that atrest's report counts as many encrypted (decrypted) values as Go opened.
 * Ratios are atrest/Go within each run (`pairedRatios`), median, lowest and highest; the 1-minute
 * load average before each run is recorded and busy runs are flagged. The Go side's peak RSS counts
 * the snapshot's pages bbolt has mapped (the file is read through mmap), atrest's does not (it reads
 * the file into a bounded window).
 * @module
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generate } from './audit-scale.js';
import { BUSY_LOAD } from './compare.js';
import { buildGoAnchor, GO_ANCHOR_DIR } from './go-runner.js';
import { median, type NamedRate, pairedRatios } from './ratios.js';
import { writeSection } from './report.js';
import { SCALE_CONFIG, type Encoding } from './scale-secrets.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
/** The atrest command as an operator runs it. */
export const CLI = join(REPO, 'packages/cli/bin/atrest.js');
const GO_AUDIT = join(GO_ANCHOR_DIR, 'bin', 'atrest-audit-go');

/** One side's figures in one run. */
export interface SideRun {
  readonly side: 'atrest' | 'go';
  readonly values: number;
  readonly wallSeconds: number;
  /** User + system seconds of the child process, all its threads. */
  readonly cpuSeconds: number;
  readonly maxRssMB: number;
  readonly valuesPerSec: number;
  readonly valuesPerCpuSec: number;
}

/** What the wait4 wrapper measured of one child. */
export interface Timed {
  readonly stdout: string;
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  readonly maxRssMB: number;
  /** With `ptyStderr`: seconds from fork to the child's first byte on standard error (undefined: none). */
  readonly firstStderrSeconds?: number;
}

/**
 * The wrapper every timed child runs under: fork, exec, `wait4`; writes wall seconds (fork to
 * reap), the child's user and system seconds (all its threads, microsecond resolution), its
 * peak RSS in KiB and the seconds from fork to the first byte the child wrote on standard error
 * (-1 when not asked for, or none) to the file named by its first argument. GNU time prints
 * hundredths, too coarse for a Go run of a quarter of a second. With `--pty-stderr` before the
 * command, the child's standard error is a pseudo-terminal (as an operator's is, so progress
 * lines are drawn) that the wrapper drains, noting when the first byte came.
 */
const WAIT4 = `import os, sys, time
out, argv = sys.argv[1], sys.argv[2:]
pty_stderr = argv[:1] == ["--pty-stderr"]
if pty_stderr:
    import pty
    argv = argv[1:]
    master, slave = pty.openpty()
t = time.monotonic()
pid = os.fork()
if pid == 0:
    try:
        if pty_stderr:
            os.dup2(slave, 2)
            os.close(master)
            os.close(slave)
        os.execv(argv[0], argv)
    finally:
        os._exit(127)
first = -1.0
if pty_stderr:
    os.close(slave)
    while True:
        try:
            b = os.read(master, 65536)
        except OSError:
            break
        if not b:
            break
        if first < 0:
            first = time.monotonic() - t
_, status, ru = os.wait4(pid, 0)
wall = time.monotonic() - t
with open(out, "w") as f:
    f.write("%.6f %.6f %.6f %d %.6f\\n" % (wall, ru.ru_utime, ru.ru_stime, ru.ru_maxrss, first))
sys.exit(os.waitstatus_to_exitcode(status))
`;

/**
 * Run `argv` under the wait4 wrapper; stdout to /dev/null unless `keepStdout`; with `ptyStderr`,
 * standard error is a pseudo-terminal the wrapper drains (and times) instead of a pipe.
 */
export function timed(argv: readonly string[], scratch: string, keepStdout: boolean, ptyStderr = false): Timed {
  const out = join(scratch, 'rusage.txt');
  rmSync(out, { force: true });
  const r = spawnSync('python3', ['-c', WAIT4, out, ...(ptyStderr ? ['--pty-stderr'] : []), ...argv], {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
    stdio: ['ignore', keepStdout ? 'pipe' : 'ignore', 'pipe'],
  });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status ?? r.error?.message}):\n${r.stderr}`);
  const [wall, user, sys, rssKB, first] = readFileSync(out, 'utf8').trim().split(' ').map(Number) as [number, number, number, number, number];
  return { stdout: r.stdout ?? '', wallSeconds: wall, cpuSeconds: user + sys, maxRssMB: Math.round(rssKB / 1024), ...(first >= 0 ? { firstStderrSeconds: first } : {}) };
}

const atrestArgv = (snapshot: string, config: string): string[] => [process.execPath, CLI, 'audit', snapshot, '--config', config, '-o', 'json'];
const goArgv = (snapshot: string, config: string): string[] => [GO_AUDIT, '-config', config, snapshot];

interface GoSummary {
  readonly values: number;
  readonly decrypted: number;
  readonly failed: number;
  readonly other: number;
  readonly seconds: number;
}

const goSummary = (t: Timed): GoSummary => JSON.parse(t.stdout.trim().split('\n').pop() as string) as GoSummary;

/** One untimed run of each side: both must read the same values, and decrypt the same ones. */
function check(snapshot: string, config: string, scratch: string): { values: number; decrypted: number } {
  const go = goSummary(timed(goArgv(snapshot, config), scratch, true));
  const report = JSON.parse(timed(atrestArgv(snapshot, config), scratch, true).stdout) as {
    totals: { snapshot: { putRevisions: number; byStatus: { encrypted?: number } } };
  };
  const values = report.totals.snapshot.putRevisions;
  const decrypted = report.totals.snapshot.byStatus.encrypted ?? 0;
  if (values !== go.values) throw new Error(`atrest read ${values} values, Go ${go.values}`);
  if (decrypted !== go.decrypted) throw new Error(`atrest decrypted ${decrypted} values, Go ${go.decrypted}`);
  if (go.failed !== 0) throw new Error(`Go could not open ${go.failed} values`);
  return { values, decrypted };
}

function side(name: 'atrest' | 'go', t: Timed, values: number): SideRun {
  return {
    side: name,
    values,
    wallSeconds: Number(t.wallSeconds.toFixed(3)),
    cpuSeconds: Number(t.cpuSeconds.toFixed(3)),
    maxRssMB: t.maxRssMB,
    valuesPerSec: Math.round(values / t.wallSeconds),
    valuesPerCpuSec: Math.round(values / t.cpuSeconds),
  };
}

const fmt = (r: number): string => r.toFixed(3);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', default: '100000' },
      encoding: { type: 'string', default: 'json' },
      snapshot: { type: 'string' },
      runs: { type: 'string', default: '5' },
      dir: { type: 'string', default: join(tmpdir(), 'atrest-audit-scale') },
      json: { type: 'string' },
      'write-docs': { type: 'boolean', default: false },
    },
  });
  buildGoAnchor();
  const scratch = mkdtempSync(join(tmpdir(), 'atrest-audit-vs-go-'));
  try {
    const config = join(scratch, 'config.yaml');
    writeFileSync(config, SCALE_CONFIG);
    let snapshot = values.snapshot;
    if (snapshot === undefined) {
      const count = Number(values.count);
      const encoding = values.encoding as Encoding;
      const dir = values.dir as string;
      mkdirSync(dir, { recursive: true });
      snapshot = join(dir, encoding === 'json' ? `secrets-${count}.db` : `secrets-${encoding}-${count}.db`);
      if (!existsSync(snapshot)) {
        const g = await generate(count, snapshot, 2048, encoding);
        console.error(`generated ${count} ${encoding} secrets in ${g.seconds.toFixed(1)} s (${(g.bytes / 2 ** 20).toFixed(0)} MiB)`);
      }
    }
    const { values: count, decrypted } = check(snapshot, config, scratch);
    console.error(`checked: both read ${count} values, both decrypted ${decrypted}`);
    const runs = Number(values.runs);
    const loads: number[] = [];
    const perRun: SideRun[][] = [];
    for (let run = 0; run < runs; run++) {
      const load = loadavg()[0] as number;
      loads.push(load);
      if (load > BUSY_LOAD) process.stderr.write(`run ${run + 1}: the machine is busy (1-minute load ${load.toFixed(2)}): its ratios are flagged\n`);
      const order: ('atrest' | 'go')[] = run % 2 === 0 ? ['atrest', 'go'] : ['go', 'atrest'];
      const rows = order.map((name) => {
        if (name === 'atrest') return side('atrest', timed(atrestArgv(snapshot, config), scratch, false), count);
        const t = timed(goArgv(snapshot, config), scratch, true);
        const s = goSummary(t);
        if (s.values !== count || s.decrypted !== decrypted) throw new Error(`Go read ${s.values} values, decrypted ${s.decrypted}`);
        return side('go', t, count);
      });
      perRun.push(rows);
      console.log(JSON.stringify({ run: run + 1, load: Number(load.toFixed(2)), ...Object.fromEntries(rows.map((r) => [r.side, r])) }));
    }
    const named = perRun.map((rows) => rows.map((r): NamedRate => ({ name: `audit/${r.side}`, opsPerSec: r.valuesPerSec, opsPerCpuSec: r.valuesPerCpuSec })));
    const ratio = pairedRatios(named)[0]?.backends[0];
    if (ratio === undefined) throw new Error('no ratio');
    const get = (rows: SideRun[], s: string): SideRun => rows.find((r) => r.side === s) as SideRun;
    const cpuRatios = perRun.map((rows) => get(rows, 'atrest').valuesPerCpuSec / get(rows, 'go').valuesPerCpuSec);
    const rssRatios = perRun.map((rows) => get(rows, 'atrest').maxRssMB / get(rows, 'go').maxRssMB);
    const med = (s: string, f: (r: SideRun) => number): number => median(perRun.map((rows) => f(get(rows, s))));
    const busy = loads.filter((l) => l > BUSY_LOAD).length;
    const summary = {
      snapshot,
      snapshotMB: Math.round(statSync(snapshot).size / 2 ** 20),
      values: count,
      runs,
      loads: loads.map((l) => Number(l.toFixed(2))),
      busyRuns: busy,
      ratio: { valuesPerSec: { median: ratio.ratio, min: ratio.ratioMin, max: ratio.ratioMax }, valuesPerCpuSec: { median: median(cpuRatios), min: Math.min(...cpuRatios), max: Math.max(...cpuRatios) } },
    };
    console.log(JSON.stringify(summary));
    if (values.json) writeFileSync(values.json, `${JSON.stringify({ node: process.version, ...summary, perRun }, null, 2)}\n`);
    if (values['write-docs']) {
      const line = (s: 'atrest' | 'go', label: string): string =>
        `| ${label} | ${med(s, (r) => r.wallSeconds).toFixed(2)} | ${med(s, (r) => r.cpuSeconds).toFixed(2)} | ${med(s, (r) => r.valuesPerSec)} | ${med(s, (r) => r.valuesPerCpuSec)} | ${med(s, (r) => r.maxRssMB)} |`;
      const body = [
        `Measured ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${count} values (${summary.snapshotMB} MiB snapshot), median of ${runs} alternating runs, one fresh process each.`,
        '',
        '| program | wall s | CPU s | values/s | values/CPU-s | peak RSS MiB |',
        '|---|---:|---:|---:|---:|---:|',
        line('atrest', '`atrest audit -o json` (end to end)'),
        line('go', 'Go reader (bbolt + AES-GCM open)'),
        '',
        `atrest/Go values/s: median ${fmt(ratio.ratio)} (min ${fmt(ratio.ratioMin ?? ratio.ratio)}, max ${fmt(ratio.ratioMax ?? ratio.ratio)}); values/CPU-s: median ${fmt(median(cpuRatios))} (min ${fmt(Math.min(...cpuRatios))}, max ${fmt(Math.max(...cpuRatios))}); peak RSS atrest/Go: median ${fmt(median(rssRatios))} (Go's RSS counts the mapped file).`,
        `1-minute load before each run: ${loads.map((l) => l.toFixed(2)).join(', ')}${busy > 0 ? ` (${busy} run(s) started above ${BUSY_LOAD}: take those figures as noisy)` : ''}.`,
      ].join('\n');
      writeSection(join(REPO, 'docs/benchmarks.md'), 'audit-vs-go', body);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
