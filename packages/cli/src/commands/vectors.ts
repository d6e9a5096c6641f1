/**
 * `atrest vectors verify`: run conformance vector files and count passes and failures.
 * @module
 */
import { fromUtf8, AtrestError, ErrorCode } from '@atrest/core';
import { parse } from '../_args.js';
import { Exit, UsageError } from '../_errors.js';
import { type CliIO, readInput } from '../_io.js';

/** Vector files are read whole; the largest upstream file is well under 1 MiB. */
const VECTOR_FILE_LIMIT = 64 * 1024 * 1024;

export const vectorsUsage = `atrest vectors verify FILE...
  Runs vector files in the schema of test-vectors/upstream/ (values, config-validation or
  resolution, detected per file), prints each failing case with expected vs actual, and ends with
  "N passed, M failed". Exits 0 only when nothing failed.
`;

/** Run `atrest vectors ...`. */
export async function vectorsCommand(argv: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'verify') throw new UsageError(`unknown vectors subcommand "${sub ?? ''}" (expected: verify)`);
  const { positionals } = parse(rest, {}, true);
  if (positionals.length === 0) throw new UsageError('vectors verify needs at least one FILE');
  const { formatResult, runVectorFile } = await import('@atrest/conformance'); // this command's only
  let passed = 0;
  let failed = 0;
  for (const file of positionals) {
    let json: unknown;
    try {
      json = JSON.parse(fromUtf8(await readInput(file, 'vector', VECTOR_FILE_LIMIT)));
    } catch (err) {
      if (err instanceof AtrestError) throw err;
      throw new AtrestError(ErrorCode.InvalidData, `vector file "${file}" is not valid JSON`, { file });
    }
    const run = await runVectorFile(json, {});
    let filePassed = 0;
    for (const r of run.results) {
      if (r.ok) {
        filePassed++;
      } else {
        io.stdout(`FAIL ${file} ${formatResult(r)}\n`);
      }
    }
    const fileFailed = run.results.length - filePassed;
    io.stderr(`${file}: ${run.kind}: ${filePassed} passed, ${fileFailed} failed\n`);
    passed += filePassed;
    failed += fileFailed;
  }
  io.stdout(`${passed} passed, ${failed} failed\n`);
  return failed === 0 ? Exit.Ok : Exit.Failed;
}
