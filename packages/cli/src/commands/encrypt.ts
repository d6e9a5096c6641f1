/**
 * `atrest encrypt`: plaintext in, the exact bytes kube-apiserver would store out.
 * @module
 */
import { parse } from '../_args.js';
import { Exit } from '../_errors.js';
import type { CliIO } from '../_io.js';
import { readValueSite, VALUE_FLAGS } from '../_value-site.js';

export const encryptUsage = `atrest encrypt --config FILE --resource GROUP_RESOURCE --etcd-key ETCD_KEY [--in FILE] [--kms-mock NAME=base64[:KEYID]]...
  Reads plaintext (standard input unless --in) and writes the stored value (prefix included) to
  standard output, encrypted with the first provider of the resource's chain.
  --max-value-bytes N caps the input (default 16 MiB), --max-config-bytes N the config (default 4 MiB).
`;

/** Run `atrest encrypt`. */
export async function encryptCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parse(argv, VALUE_FLAGS);
  const { transformer, etcdKey, input } = await readValueSite(values, io);
  const stored = await transformer.write(input, etcdKey);
  io.stdout(stored);
  return Exit.Ok;
}
