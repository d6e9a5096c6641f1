/**
 * `atrest encrypt`: plaintext in, the exact bytes kube-apiserver would store out.
 * @module
 */
import { utf8 } from '@atrest/core';
import { parse, required } from '../_args.js';
import { loadConfigFile } from '../_config.js';
import { Exit } from '../_errors.js';
import { type CliIO, readInput } from '../_io.js';

export const encryptUsage = `atrest encrypt --config FILE --resource GROUP_RESOURCE --key ETCD_KEY [--in FILE] [--kms-mock NAME=base64[:KEYID]]...
  Reads plaintext (standard input unless --in) and writes the stored value (prefix included) to
  standard output, encrypted with the first provider of the resource's chain.
`;

/** Run `atrest encrypt`. */
export async function encryptCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parse(argv, {
    config: { type: 'string' },
    resource: { type: 'string' },
    key: { type: 'string' },
    in: { type: 'string' },
    'kms-mock': { type: 'string', multiple: true },
  });
  const config = await loadConfigFile(required(values.config, 'config'), { mocks: values['kms-mock'] ?? [] });
  const transformer = config.transformerForResource(required(values.resource, 'resource'));
  const etcdKey = required(values.key, 'key');
  const plaintext = values.in === undefined ? await io.readStdin() : await readInput(values.in, 'input');
  const stored = await transformer.write(plaintext, utf8(etcdKey));
  io.stdout(stored);
  return Exit.Ok;
}
