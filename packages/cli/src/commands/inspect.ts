/**
 * `atrest inspect`: a stored value's envelope, without any key.
 * @module
 */
import { fromUtf8 } from '@atrest/core';
import { inspectEnvelope } from '@atrest/audit';
import { openSnapshot } from '@atrest/etcd-snapshot';
import { parse } from '../_args.js';
import { Exit, UsageError } from '../_errors.js';
import { byteLimit, type CliIO, DEFAULT_MAX_VALUE_BYTES } from '../_io.js';

export const inspectUsage = `atrest inspect [--snapshot FILE --key ETCD_KEY [--revision R]]
  Prints the envelope of a stored value (standard input, or the latest or given revision of
  ETCD_KEY in a snapshot) as JSON: provider, key or plugin name, lengths, and for kms v2 the key
  ID, DEK source type, annotations and a fingerprint of the wrapped DEK. Needs no key.
  --max-value-bytes N caps standard input (default 16 MiB).
`;

/** Run `atrest inspect`. */
export async function inspectCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parse(argv, { snapshot: { type: 'string' }, key: { type: 'string' }, revision: { type: 'string' }, 'max-value-bytes': { type: 'string' } });
  let value: Uint8Array;
  let where: Record<string, unknown> = {};
  if (values.snapshot === undefined) {
    if (values.key !== undefined || values.revision !== undefined) throw new UsageError('--key and --revision go with --snapshot');
    value = await io.readStdin(byteLimit(values['max-value-bytes'], '--max-value-bytes', DEFAULT_MAX_VALUE_BYTES), '--max-value-bytes');
  } else {
    if (values.key === undefined) throw new UsageError('--snapshot needs --key ETCD_KEY');
    const wanted = values.revision === undefined ? undefined : Number(values.revision);
    const snapshot = openSnapshot(values.snapshot);
    let found: { value: Uint8Array; revision: number } | undefined;
    try {
      for (const e of snapshot.revisions()) {
        if (e.tombstone || fromUtf8(e.kv.key) !== values.key) continue;
        if (wanted === undefined || e.revision.main === wanted) found = { value: e.kv.value, revision: e.revision.main };
      }
    } finally {
      snapshot.close();
    }
    if (!found) {
      io.stderr(`atrest inspect: no ${wanted === undefined ? 'revision' : `revision ${wanted}`} of ${values.key} in ${values.snapshot}\n`);
      return Exit.Failed;
    }
    value = found.value;
    where = { key: values.key, revision: found.revision };
  }
  io.stdout(`${JSON.stringify({ ...where, ...inspectEnvelope(value) }, null, 2)}\n`);
  return Exit.Ok;
}
