/**
 * `atrest inspect`: a stored value's envelope, without any key.
 * @module
 */
import { fromUtf8, utf8 } from '@atrest/core';
import { inspectEnvelope, toYamlDocument } from '@atrest/audit';
import { openSnapshotFile } from '../_snapshot.js';
import { outputFormat, parse } from '../_args.js';
import { Exit, UsageError } from '../_errors.js';
import { byteLimit, type CliIO, DEFAULT_MAX_VALUE_BYTES } from '../_io.js';
import { LIVE_FLAGS, LIVE_USAGE, openLive, wantsLive } from '../_live.js';

export const inspectUsage = `atrest inspect [SNAPSHOT|--endpoints URL] [--etcd-key ETCD_KEY [--revision R]] [-o json|yaml]
  Prints the envelope of a stored value (standard input, or the latest or given revision of
  ETCD_KEY in a snapshot or a running etcd) as JSON: provider, key or plugin name, lengths, and for
  kms v2 the key ID, DEK source type, annotations and a fingerprint of the wrapped DEK. Needs no
  key. Exit status: 0; 1 when the key or revision is not there; 2 for a command-line mistake.
  --max-value-bytes N caps standard input (default 16 MiB).
${LIVE_USAGE}`;

/** Run `atrest inspect`. */
export async function inspectCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { 'etcd-key': { type: 'string' }, revision: { type: 'string' }, output: { type: 'string', short: 'o', default: 'json' }, 'max-value-bytes': { type: 'string' }, ...LIVE_FLAGS },
    true,
  );
  if (positionals.length > 1) throw new UsageError('inspect takes one SNAPSHOT file');
  const file = positionals[0];
  const output = outputFormat(values.output, ['json', 'yaml']);
  const live = wantsLive(values, file, io);
  const etcdKey = values['etcd-key'];
  const wanted = values.revision === undefined ? undefined : Number(values.revision);
  if (wanted !== undefined && (!Number.isSafeInteger(wanted) || wanted < 1)) throw new UsageError(`--revision must be a positive revision number, got "${values.revision}"`);
  let value: Uint8Array;
  let where: Record<string, unknown> = {};
  if (file === undefined && !live) {
    if (etcdKey !== undefined || values.revision !== undefined) throw new UsageError('--etcd-key and --revision go with a SNAPSHOT file or --endpoints');
    value = await io.readStdin(byteLimit(values['max-value-bytes'], '--max-value-bytes', DEFAULT_MAX_VALUE_BYTES), '--max-value-bytes');
  } else {
    if (etcdKey === undefined) throw new UsageError(`${live ? '--endpoints' : 'a SNAPSHOT file'} needs --etcd-key ETCD_KEY`);
    let found: { value: Uint8Array; revision: number } | undefined;
    if (live) {
      const etcd = await openLive(values, io);
      try {
        const kv = await etcd.get(utf8(etcdKey), wanted ?? 0);
        // A read at revision R gives the key's value as of R; inspect --revision R names the write made at R.
        if (kv !== undefined && (wanted === undefined || kv.modRevision === wanted)) found = { value: kv.value, revision: kv.modRevision };
      } finally {
        etcd.close();
      }
    } else {
      const snapshot = openSnapshotFile(file as string);
      try {
        for (const e of snapshot.revisions()) {
          if (e.tombstone || fromUtf8(e.kv.key) !== etcdKey) continue;
          if (wanted === undefined || e.revision.main === wanted) found = { value: e.kv.value, revision: e.revision.main };
        }
      } finally {
        snapshot.close();
      }
    }
    if (!found) {
      const where = live ? 'etcd' : (file as string);
      io.stderr(`atrest inspect: no ${wanted === undefined ? 'value' : `write at revision ${wanted}`} of ${etcdKey} in ${where}\n`);
      return Exit.Failed;
    }
    value = found.value;
    where = { key: etcdKey, revision: found.revision };
  }
  const doc = { ...where, ...inspectEnvelope(value) };
  io.stdout(output === 'yaml' ? toYamlDocument(JSON.parse(JSON.stringify(doc))) : `${JSON.stringify(doc, null, 2)}\n`);
  return Exit.Ok;
}
