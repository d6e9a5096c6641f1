/**
 * Command-line parsing on top of `node:util` parseArgs, with usage errors instead of exceptions.
 * @module
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './_errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** The parsed values: strings for string options, booleans for flags, arrays for `multiple`. */
export type ParsedValues<O extends Options> = {
  [K in keyof O]?: O[K] extends { multiple: true }
    ? O[K] extends { type: 'boolean' }
      ? boolean[]
      : string[]
    : O[K] extends { type: 'boolean' }
      ? boolean
      : string;
};

/**
 * Parse `argv` strictly: unknown options and missing values are usage errors.
 * @param argv - arguments after the command name
 * @param options - parseArgs option spec
 * @param allowPositionals - whether positional arguments are accepted
 */
export function parse<O extends Options>(
  argv: string[],
  options: O,
  allowPositionals = false,
): { values: ParsedValues<O>; positionals: string[] } {
  try {
    const r = parseArgs({ args: argv, options, allowPositionals, strict: true });
    return { values: r.values as ParsedValues<O>, positionals: r.positionals };
  } catch (err) {
    // node's parseArgs explains itself at length (and suggests '--'); say what was wrong in one line.
    const e = err as NodeJS.ErrnoException;
    const option = /'([^']+)'/.exec(e.message)?.[1];
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option !== undefined) throw new UsageError(`unknown flag ${option}`);
    if (e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' && option !== undefined) throw new UsageError(`unexpected argument ${option}`);
    if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option !== undefined) throw new UsageError(`flag ${option.split(' ')[0]} needs a value`);
    throw new UsageError(e.message);
  }
}

/** The value of a required string option, or a usage error naming it. */
export function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`missing required option --${flag}`);
  return value;
}

/**
 * The value of `-o`, checked against the formats a command prints; a usage error listing them
 * otherwise (`-o must be table, json or yaml, got "xml"`).
 */
export function outputFormat<F extends string>(value: string | undefined, formats: readonly F[]): F {
  if (value !== undefined && (formats as readonly string[]).includes(value)) return value as F;
  const list = formats.length === 1 ? formats[0] : `${formats.slice(0, -1).join(', ')} or ${formats[formats.length - 1]}`;
  throw new UsageError(`-o must be ${list}, got "${value}"`);
}
