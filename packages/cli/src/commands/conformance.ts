/**
 * `atrest conformance serve` (atrest speaking the conformance protocol on stdin/stdout) and
 * `atrest conformance run` (the runner, checking any implementation that speaks it).
 * @module
 */
import { fromUtf8 } from '@atrest/core';
import { parse } from '../_args.js';
import { Exit, UsageError } from '../_errors.js';
import { type CliIO, readInput } from '../_io.js';

const KNOWN_FAILURES_LIMIT = 4 * 1024 * 1024;

export const conformanceUsage = `atrest conformance serve
  Speaks the conformance protocol (docs/conformance-protocol.md) on standard input and output
  with atrest itself, until standard input ends.
atrest conformance run [--suite vectors|properties|all] [--seed N] [--runs N]
                       [--property NAME --path P]
                       [--known-failures FILE] [--timeout MS] [-o text|json] -- COMMAND [ARG...]
  Starts COMMAND as the implementation under test, runs the suite's cases through the protocol
  and prints each unexpected failure (expected vs actual), known failures that now pass, and
  "N passed, M failed". FILE lists case ids expected to fail, one per line (# comments).
  properties: fast-check-generated cases (--runs per property, default 100); a failure is shrunk
  and printed with the --property, --seed and --path that replay it.
  Exit status: 0 when nothing outside the known failures failed, 1 otherwise (including an
  implementation that crashed or stopped answering), 2 for usage errors.
`;

/** Parse a known-failures file: one case id per line; blank lines and `#` comments ignored. */
function parseKnownFailures(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l !== '');
}

/** Run `atrest conformance ...`. */
export async function conformanceCommand(argv: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = argv;
  const { conformanceExitCode, formatConformanceReport, runConformance, serveConformance } = await import('@atrest/conformance'); // this command's only
  if (sub === 'serve') {
    parse(rest, {});
    await serveConformance(process.stdin, (line) => io.stdout(line));
    return Exit.Ok;
  }
  if (sub !== 'run') throw new UsageError(`unknown conformance subcommand "${sub ?? ''}" (expected: serve, run)`);
  const dash = rest.indexOf('--');
  if (dash < 0 || dash === rest.length - 1) throw new UsageError('conformance run needs -- COMMAND [ARG...]');
  const { values } = parse(rest.slice(0, dash), {
    suite: { type: 'string' },
    'known-failures': { type: 'string' },
    timeout: { type: 'string' },
    seed: { type: 'string' },
    runs: { type: 'string' },
    path: { type: 'string' },
    property: { type: 'string', multiple: true },
    output: { type: 'string', short: 'o' },
  });
  const suite = values.suite ?? 'vectors';
  if (suite !== 'vectors' && suite !== 'properties' && suite !== 'all') {
    throw new UsageError(`unknown suite "${suite}" (expected: vectors, properties, all)`);
  }
  const int = (name: string, v: string | undefined, min: number): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}`);
    return n;
  };
  const seed = int('seed', values.seed, -(2 ** 31));
  const runs = int('runs', values.runs, 1);
  if (values.path !== undefined && seed === undefined) throw new UsageError('--path needs the --seed it was printed with');
  const output = values.output ?? 'text';
  if (output !== 'text' && output !== 'json') throw new UsageError(`-o must be text or json, not "${output}"`);
  const timeoutMs = values.timeout === undefined ? 10_000 : Number(values.timeout);
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) throw new UsageError('--timeout must be a positive number of milliseconds');
  const knownFailures =
    values['known-failures'] === undefined
      ? []
      : parseKnownFailures(fromUtf8(await readInput(values['known-failures'], 'known-failures', KNOWN_FAILURES_LIMIT, 'known-failures')));
  const [command, ...args] = rest.slice(dash + 1) as [string, ...string[]];
  const report = await runConformance({
    command,
    args,
    suite,
    knownFailures,
    timeoutMs,
    ...(seed === undefined ? {} : { seed }),
    ...(runs === undefined ? {} : { runs }),
    ...(values.path === undefined ? {} : { path: values.path }),
    ...(values.property === undefined ? {} : { properties: values.property }),
  });
  io.stdout(output === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatConformanceReport(report));
  return conformanceExitCode(report) === 0 ? Exit.Ok : Exit.Failed;
}
