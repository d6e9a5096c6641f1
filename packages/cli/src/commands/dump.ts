/**
 * `atrest dump`: decrypted, decoded objects from a snapshot or a running etcd, as YAML documents or JSON lines.
 * @module
 */
import { type DumpedObject, dumpObjects, dumpRevisions, resolveResource, toYamlDocument } from '@atrest/audit';
import { openSnapshotFile } from '../_snapshot.js';
import { outputFormat, parse } from '../_args.js';
import { CONFIG_FLAGS, loadConfigFlags } from '../_config.js';
import { Exit, UsageError } from '../_errors.js';
import type { CliIO } from '../_io.js';
import type { AtrestError } from '@atrest/core';
import { LIVE_FLAGS, LIVE_USAGE, liveRevisions, openLive, snapshotOrLive } from '../_live.js';

export const dumpUsage = `atrest dump SNAPSHOT|--endpoints URL --config FILE [--resource RESOURCE] [-n NS | -A] [--name N] [--revision R]
            [--free-pages] [-o yaml|json|jsonl] [--kms-mock NAME=base64[:KEYID]]...
  Prints every surviving revision that matches, decrypted and decoded (Secrets with their data,
  base64), as YAML documents, one JSON array, or JSON lines. This prints secrets: mind where the
  output goes. RESOURCE is any name kubectl accepts (secret, cm, deploy, deployments.apps,
  widgets.example.com). A filter that matches nothing says so on stderr; a --revision the source
  does not hold is an error (exit 1). --free-pages prints instead the revisions compaction left in
  the snapshot's free pages (forensics: they are secrets too).
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
      ...CONFIG_FLAGS,
      resource: { type: 'string' },
      namespace: { type: 'string', short: 'n' },
      'all-namespaces': { type: 'boolean', short: 'A' },
      'free-pages': { type: 'boolean', default: false },
      name: { type: 'string' },
      revision: { type: 'string' },
      output: { type: 'string', short: 'o', default: 'yaml' },
      ...LIVE_FLAGS,
    },
    true,
  );
  const live = snapshotOrLive('dump', positionals, values, io);
  if (live && values['free-pages'] === true) throw new UsageError('--free-pages reads a snapshot file, not --endpoints');
  const output = outputFormat(values.output, ['yaml', 'json', 'jsonl']);
  if (values.namespace !== undefined && values['all-namespaces'] === true) throw new UsageError('-n and -A do not go together');
  const revision = values.revision === undefined ? undefined : Number(values.revision);
  if (revision !== undefined && (!Number.isSafeInteger(revision) || revision < 1)) throw new UsageError(`--revision must be a positive revision number, got "${values.revision}"`);
  const resource = values.resource === undefined ? undefined : resolveResource(values.resource, '--resource').groupResource;
  const config = await loadConfigFlags(values);
  const filters = {
    config,
    ...(resource === undefined ? {} : { resource }),
    ...(values.namespace === undefined ? {} : { namespace: values.namespace }),
    ...(values.name === undefined ? {} : { name: values.name }),
    ...(revision === undefined ? {} : { revision }),
  };
  let printed = 0;
  const print = (o: DumpedObject): void => {
    if (output === 'yaml') io.stdout(toYamlDocument(o));
    else if (output === 'jsonl') io.stdout(`${JSON.stringify(o)}\n`);
    else io.stdout(`${printed === 0 ? '[\n' : ',\n'}${JSON.stringify(o)}`);
    printed++;
  };
  /** Close the JSON array, and say when the filters matched nothing. */
  const end = (): void => {
    if (output === 'json') io.stdout(printed === 0 ? '[]\n' : '\n]\n');
    if (printed === 0) io.stderr(`atrest dump: nothing matched${describeFilters(resource, values.namespace, values.name, revision)}\n`);
  };
  if (live) {
    const etcd = await openLive(values, io);
    try {
      // Printed objects cannot be taken back, so a compaction mid-read is an error, not a retry.
      const facts = await etcd.facts();
      if (revision !== undefined && (revision > facts.revision || revision < facts.compactRevision)) {
        io.stderr(`atrest dump: --revision ${revision} is not in etcd: it holds revisions ${Math.max(facts.compactRevision, 1)} to ${facts.revision}\n`);
        return Exit.Failed;
      }
      for await (const o of dumpRevisions(liveRevisions(etcd, facts, true), filters)) print(o);
      end();
      return Exit.Ok;
    } finally {
      etcd.close();
    }
  }
  const snapshot = openSnapshotFile(positionals[0] as string, { truncated: 'tolerate' });
  if (snapshot.info().missingBytes > 0) io.stderr(`atrest dump: the file is truncated: the last ${snapshot.info().missingBytes} bytes of the database are missing\n`);
  let damaged = 0;
  const onDamage = (e: AtrestError): void => {
    damaged++;
    io.stderr(`atrest dump: skipped a damaged part of the snapshot: ${e.describe()}\n`);
  };
  try {
    if (values['free-pages'] === true) {
      const scan = snapshot.freePageRevisions({ excludeLive: true, onDamage });
      const batches = (async function* () {
        for (const entry of scan) yield [entry];
      })();
      for await (const o of dumpRevisions(batches, filters)) print(o);
      end();
      return damaged > 0 ? Exit.Damaged : Exit.Ok;
    }
    for await (const o of dumpObjects(snapshot, { ...filters, onDamage })) print(o);
    if (printed === 0 && revision !== undefined) {
      let held = false;
      for (const e of snapshot.revisionViews({ onDamage: () => undefined })) if (e.revision.main === revision) held = true;
      if (!held) {
        io.stderr(`atrest dump: --revision ${revision} is not in ${positionals[0] as string}: no write of that revision survives in the snapshot\n`);
        return Exit.Failed;
      }
    }
    end();
    if (damaged > 0 || snapshot.info().missingBytes > 0) {
      io.stderr(`atrest dump: the snapshot is damaged: ${damaged} part(s) skipped\n`);
      return Exit.Damaged;
    }
    return Exit.Ok;
  } finally {
    snapshot.close();
  }
}

/** The filters, as the user would read them back (" for --resource secrets -n shop"). */
function describeFilters(resource: string | undefined, namespace: string | undefined, name: string | undefined, revision: number | undefined): string {
  const parts = [
    ...(resource === undefined ? [] : [`--resource ${resource}`]),
    ...(namespace === undefined ? [] : [`-n ${namespace}`]),
    ...(name === undefined ? [] : [`--name ${name}`]),
    ...(revision === undefined ? [] : [`--revision ${revision}`]),
  ];
  return parts.length === 0 ? '' : ` ${parts.join(' ')}`;
}
