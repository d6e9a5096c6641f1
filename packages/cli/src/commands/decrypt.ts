/**
 * `atrest decrypt`: a stored value in, the plaintext (or a JSON report) out.
 * @module
 */
import { outputFormat, parse } from '../_args.js';
import { Exit } from '../_errors.js';
import type { CliIO } from '../_io.js';
import { readValueSite, VALUE_FLAGS } from '../_value-site.js';

export const decryptUsage = `atrest decrypt --config FILE --resource GROUP_RESOURCE --etcd-key ETCD_KEY [--in FILE] [-o raw|json] [--kms-mock NAME=base64[:KEYID]]...
  Reads a stored value (standard input unless --in) and writes the plaintext (raw) or
  {"plaintext": base64, "stale": bool, "provider": "...", "keyName": "..."} (json).
  A value that cannot be read exits 1 with upstream's error on standard error.
  --max-value-bytes N caps the input (default 16 MiB), --max-config-bytes N the config (default 4 MiB).
`;

/**
 * Split a chain entry name (`aesgcm:key1`, `kms:v2:plugin`, `identity`) into provider and key name.
 * @param source - the ReadResult source
 */
export function splitSource(source: string | undefined): { provider: string | null; keyName: string | null } {
  if (source === undefined) return { provider: null, keyName: null };
  if (source.startsWith('kms:')) {
    const rest = source.slice(4);
    const colon = rest.indexOf(':');
    return { provider: 'kms', keyName: colon < 0 ? rest : rest.slice(colon + 1) };
  }
  const colon = source.indexOf(':');
  if (colon < 0) return { provider: source, keyName: null };
  return { provider: source.slice(0, colon), keyName: source.slice(colon + 1) };
}

/** Run `atrest decrypt`. */
export async function decryptCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parse(argv, { ...VALUE_FLAGS, output: { type: 'string', short: 'o', default: 'raw' } });
  const output = outputFormat(values.output, ['raw', 'json']);
  const { transformer, etcdKey, input } = await readValueSite(values, io);
  const result = await transformer.read(input, etcdKey);
  if (output === 'raw') {
    io.stdout(result.plaintext);
  } else {
    const { provider, keyName } = splitSource(result.source);
    const report = {
      plaintext: Buffer.from(result.plaintext.buffer, result.plaintext.byteOffset, result.plaintext.length).toString('base64'),
      stale: result.stale,
      provider,
      keyName,
    };
    io.stdout(`${JSON.stringify(report)}\n`);
  }
  return Exit.Ok;
}
