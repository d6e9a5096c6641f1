/**
 * `atrest dump`: decrypted, decoded objects from a snapshot or a running etcd, as YAML documents or JSON lines.
 * @module
 */
import { type DumpedObject, dumpObjects, dumpRevisions, toYamlDocument } from '@atrest/audit';
import { openSnapshot } from '@atrest/etcd-snapshot';
import { parse, required } from '../_args.js';
import { loadConfigFile } from '../_config.js';
import { Exit, UsageError } from '../_errors.js';
import { byteLimit, type CliIO, DEFAULT_MAX_CONFIG_BYTES } from '../_io.js';
import type { AtrestError } from '@atrest/core';
import { LIVE_FLAGS, LIVE_USAGE, liveRevisions, openLive, wantsLive } from '../_live.js';

export const dumpUsage = `atrest dump SNAPSHOT|--endpoints URL --config FILE [--resource GR] [--namespace NS] [--name N] [--revision R]
            [-o yaml|json] [--kms-mock NAME=base64[:KEYID]]...
  Prints every surviving revision that matches, decrypted and decoded (Secrets with their data,
  base64), as YAML documents or JSON lines. This prints secrets: mind where the output goes.
  Damaged parts of the snapshot are skipped and named on stderr (page, byte offset); the exit
  status is then 4. A running etcd is read at one revision: every revision it still has, as a
  snapshot taken then would hold.
  --max-config-bytes N caps the config file (default 4 MiB).
${LIVE_USAGE}`;

/** Run `atrest dump`. */
export async function dumpCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      config: { type: 'string' },
      resource: { type: 'string' },
      namespace: { type: 'string' },
      name: { type: 'string' },
      revision: { type: 'string' },
      output: { type: 'string', short: 'o', default: 'yaml' },
      'kms-mock': { type: 'string', multiple: true },
      'max-config-bytes': { type: 'string' },
      ...LIVE_FLAGS,
    },
    true,
  );
  if (positionals.length > 1) throw new UsageError('dump takes one SNAPSHOT file');
  const live = wantsLive(values, positionals[0], io);
  if (!live && positionals.length !== 1) throw new UsageError('dump takes a SNAPSHOT file or --endpoints');
  if (values.output !== 'yaml' && values.output !== 'json') throw new UsageError(`-o must be yaml or json, got "${values.output}"`);
  const revision = values.revision === undefined ? undefined : Number(values.revision);
  if (revision !== undefined && !Number.isSafeInteger(revision)) throw new UsageError(`--revision must be a number, got "${values.revision}"`);
  const config = await loadConfigFile(required(values.config, 'config'), { mocks: values['kms-mock'] ?? [], maxBytes: byteLimit(values['max-config-bytes'], '--max-config-bytes', DEFAULT_MAX_CONFIG_BYTES) });
  const filters = {
    config,
    ...(values.resource === undefined ? {} : { resource: values.resource }),
    ...(values.namespace === undefined ? {} : { namespace: values.namespace }),
    ...(values.name === undefined ? {} : { name: values.name }),
    ...(revision === undefined ? {} : { revision }),
  };
  const print = (o: DumpedObject): void => io.stdout(values.output === 'json' ? `${JSON.stringify(o)}\n` : toYamlDocument(o));
  if (live) {
    const etcd = await openLive(values, io);
    try {
      // Printed objects cannot be taken back, so a compaction mid-read is an error, not a retry.
      const facts = await etcd.facts();
      for await (const o of dumpRevisions(liveRevisions(etcd, facts, true), filters)) print(o);
      return Exit.Ok;
    } finally {
      etcd.close();
    }
  }
  const snapshot = openSnapshot(positionals[0] as string, { truncated: 'tolerate' });
  if (snapshot.info().missingBytes > 0) io.stderr(`atrest dump: the file is truncated: the last ${snapshot.info().missingBytes} bytes of the database are missing\n`);
  let damaged = 0;
  const onDamage = (e: AtrestError): void => {
    damaged++;
    io.stderr(`atrest dump: skipped a damaged part of the snapshot: ${e.describe()}\n`);
  };
  try {
    for await (const o of dumpObjects(snapshot, { ...filters, onDamage })) print(o);
    if (damaged > 0 || snapshot.info().missingBytes > 0) {
      io.stderr(`atrest dump: the snapshot is damaged: ${damaged} part(s) skipped\n`);
      return Exit.Damaged;
    }
    return Exit.Ok;
  } finally {
    snapshot.close();
  }
}
