/**
 * `atrest validate`: upstream's validation rules, with field paths.
 * @module
 */
import { AtrestError, ErrorCode, fromUtf8 } from '@atrest/core';
import {
  configHash,
  configWarnings,
  parseEncryptionConfiguration,
  resolveChain,
  validateEncryptionConfiguration,
} from '@atrest/config';
import { UsageError } from '../_errors.js';
import { parse } from '../_args.js';
import { Exit } from '../_errors.js';
import { byteLimit, type CliIO, DEFAULT_MAX_CONFIG_BYTES, readInput } from '../_io.js';

export const validateUsage = `atrest validate [--strict] FILE
  Parses FILE as an EncryptionConfiguration and checks it with kube-apiserver's rules.
  Prints each problem as "FIELD: TYPE: DETAIL"; exits 0 only when the file is valid and builds.
  Also warns, on stderr as "warning: FIELD: TEXT", about what kube-apiserver accepts but is
  likely a mistake: identity as the first of several providers (nothing gets encrypted), aescbc
  (use aesgcm or kms v2), kms v1 (deprecated, off by default since 1.29), one key's material
  under two names, AES keys shorter than 32 bytes, a resource in both an exact and a wildcard
  rule. Warnings alone exit 0. Key material is never printed.
  Prints "config hash: k8s:enc:unstable:1:<sha256 hex of the file's bytes>", the value of the
  hash label of kube-apiserver's apiserver_encryption_config_controller_last_config_info metric
  (releases that export it), to check which file every apiserver loaded.
  --strict         treat warnings as problems (exit 1)
  --max-config-bytes N caps the file (default 4 MiB).
`;

/** Run `atrest validate`. */
export async function validateCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(argv, { 'max-config-bytes': { type: 'string' }, strict: { type: 'boolean' } }, true);
  if (positionals.length !== 1) throw new UsageError('validate takes exactly one FILE');
  const file = positionals[0] as string;
  const bytes = await readInput(file, 'config', byteLimit(values['max-config-bytes'], '--max-config-bytes', DEFAULT_MAX_CONFIG_BYTES), '--max-config-bytes');
  // The hash of the raw bytes, as kube-apiserver computes it: comparable with its metric even when
  // the file does not validate here.
  io.stdout(`${file}: config hash: ${configHash(bytes)}\n`);
  const text = fromUtf8(bytes);
  let config;
  try {
    config = parseEncryptionConfiguration(text, { source: file });
  } catch (err) {
    if (err instanceof AtrestError && err.code === ErrorCode.ConfigParse) {
      io.stdout(`${file}: ${err.describe()}\n`);
      io.stdout(`${file}: invalid (1 problem)\n`);
      return Exit.Failed;
    }
    throw err;
  }
  const issues = validateEncryptionConfiguration(config, { reload: false });
  for (const i of issues) io.stdout(`${file}: ${i.field}: ${i.type}: ${i.detail}\n`);
  let problems = issues.length;
  if (problems === 0) {
    // Upstream refuses to build a config whose later rule is masked by an earlier wildcard.
    // resolveChain plans the whole configuration whatever resource it is asked about, so one call
    // checks every rule (once per resource would be quadratic in the number of rules).
    try {
      resolveChain(config, 'secrets');
    } catch (err) {
      if (!(err instanceof AtrestError && err.code === ErrorCode.ConfigBuild)) throw err;
      io.stdout(`${file}: resources: Invalid: ${err.message}\n`);
      problems++;
    }
  }
  const warnings = configWarnings(config);
  for (const w of warnings) io.stderr(`warning: ${w.field}: ${w.text}\n`);
  if (values.strict === true) problems += warnings.length;
  io.stdout(problems === 0 ? `${file}: valid\n` : `${file}: invalid (${problems} problem${problems === 1 ? '' : 's'})\n`);
  return problems === 0 ? Exit.Ok : Exit.Failed;
}
