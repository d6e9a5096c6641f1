/**
 * What `encrypt` and `decrypt` both read: the transformer of `--resource` under `--config`, the
 * `--etcd-key` and the value itself (standard input unless `--in`, at most `--max-value-bytes`).
 * @module
 */
import { type Transformer, utf8 } from '@atrest/core';
import { required } from './_args.js';
import { CONFIG_FLAGS, type ConfigFlagValues, loadConfigFlags } from './_config.js';
import { byteLimit, type CliIO, DEFAULT_MAX_VALUE_BYTES, readInput } from './_io.js';

/** The flags of a command that transforms one value. */
export const VALUE_FLAGS = {
  ...CONFIG_FLAGS,
  resource: { type: 'string' },
  'etcd-key': { type: 'string' },
  in: { type: 'string' },
  'max-value-bytes': { type: 'string' },
} as const;

/** What {@link VALUE_FLAGS} parse to. */
export interface ValueFlagValues extends ConfigFlagValues {
  readonly resource?: string;
  readonly 'etcd-key'?: string;
  readonly in?: string;
  readonly 'max-value-bytes'?: string;
}

/** The transformer, the etcd key's bytes (the authenticated data) and the input value the flags name. */
export async function readValueSite(values: ValueFlagValues, io: CliIO): Promise<{ transformer: Transformer; etcdKey: Uint8Array; input: Uint8Array }> {
  const config = await loadConfigFlags(values);
  const transformer = config.transformerForResource(required(values.resource, 'resource'));
  const etcdKey = utf8(required(values['etcd-key'], 'etcd-key'));
  const maxValue = byteLimit(values['max-value-bytes'], '--max-value-bytes', DEFAULT_MAX_VALUE_BYTES);
  const input = values.in === undefined ? await io.readStdin(maxValue, '--max-value-bytes') : await readInput(values.in, 'input', maxValue, '--max-value-bytes');
  return { transformer, etcdKey, input };
}
