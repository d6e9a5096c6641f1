/**
 * `atrest encrypt`: plaintext in, the exact bytes kube-apiserver would store out.
 * @module
 */
import { utf8 } from '@atrest/core';
import { parse, required } from '../_args.js';
import { CONFIG_FLAGS, loadConfigFlags } from '../_config.js';
import { Exit } from '../_errors.js';
import { byteLimit, type CliIO, DEFAULT_MAX_VALUE_BYTES, readInput } from '../_io.js';

export const encryptUsage = `atrest encrypt --config FILE --resource GROUP_RESOURCE --etcd-key ETCD_KEY [--in FILE] [--kms-mock NAME=base64[:KEYID]]...
  Reads plaintext (standard input unless --in) and writes the stored value (prefix included) to
  standard output, encrypted with the first provider of the resource's chain.
  --max-value-bytes N caps the input (default 16 MiB), --max-config-bytes N the config (default 4 MiB).
`;

/** Run `atrest encrypt`. */
export async function encryptCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parse(argv, {
    ...CONFIG_FLAGS,
    resource: { type: 'string' },
    'etcd-key': { type: 'string' },
    in: { type: 'string' },
    'max-value-bytes': { type: 'string' },
  });
  const config = await loadConfigFlags(values);
  const transformer = config.transformerForResource(required(values.resource, 'resource'));
  const etcdKey = required(values['etcd-key'], 'etcd-key');
  const maxValue = byteLimit(values['max-value-bytes'], '--max-value-bytes', DEFAULT_MAX_VALUE_BYTES);
  const plaintext = values.in === undefined ? await io.readStdin(maxValue, '--max-value-bytes') : await readInput(values.in, 'input', maxValue, '--max-value-bytes');
  const stored = await transformer.write(plaintext, utf8(etcdKey));
  io.stdout(stored);
  return Exit.Ok;
}
