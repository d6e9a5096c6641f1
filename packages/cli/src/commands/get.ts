/**
 * `atrest get`: the documents' "verify encryption in etcd" step, answered directly: which
 * provider and key one object's stored value is under, whether it is stale, and (with -o
 * json|yaml) the decrypted, decoded object.
 * @module
 */
import { utf8 } from '@atrest/core';
import { type DumpedObject, dumpRevisions, etcdKeyOf, inspectEnvelope, resolveResource, toYamlDocument } from '@atrest/audit';
import { outputFormat, parse } from '../_args.js';
import { CONFIG_FLAGS, loadConfigFile, wiringOf } from '../_config.js';
import { Exit, UsageError } from '../_errors.js';
import type { CliIO } from '../_io.js';
import { LIVE_FLAGS, LIVE_USAGE, openLive } from '../_live.js';

export const getUsage = `atrest get RESOURCE NAME [-n NAMESPACE] --endpoints URL [--config FILE] [-o table|json|yaml]
           [--kms-mock NAME=base64[:KEYID]]...
  Reads one object's stored value from a running etcd and prints the provider and key it is
  under (aesgcm:key1, kms:v2:plugin, identity for plaintext) and, with --config, whether it is
  stale and whether the config can read it. -o json|yaml adds the decrypted, decoded object
  (Secrets with their data, base64): mind where the output goes. RESOURCE is any name kubectl
  accepts (secret, cm, deploy, deployments.apps, widgets.example.com); NAMESPACE defaults to
  "default" for namespaced resources, as in kubectl. Exit status: 0; 1 when the object is not
  there or etcd cannot be read; 2 for a command-line mistake.
${LIVE_USAGE}`;

/** Run `atrest get`. */
export async function getCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      namespace: { type: 'string', short: 'n' },
      ...CONFIG_FLAGS,
      output: { type: 'string', short: 'o', default: 'table' },
      ...LIVE_FLAGS,
    },
    true,
  );
  if (positionals.length !== 2) throw new UsageError('get takes RESOURCE NAME (for example: atrest get secret db -n default)');
  const output = outputFormat(values.output, ['table', 'json', 'yaml']);
  if (output !== 'table' && values.config === undefined) throw new UsageError(`-o ${output} prints the decrypted object and needs --config`);
  const resource = resolveResource(positionals[0] as string, 'RESOURCE');
  const name = positionals[1] as string;
  if (name === '' || name.includes('/')) throw new UsageError(`NAME must be an object's name, got "${name}"`);
  const namespace = resource.namespaced ? (values.namespace ?? 'default') : undefined;
  const key = etcdKeyOf(resource, name, namespace);
  const config =
    values.config === undefined
      ? undefined
      : await loadConfigFile(values.config, wiringOf(values));
  const etcd = await openLive(values, io);
  try {
    const kv = await etcd.get(utf8(key));
    if (kv === undefined) {
      io.stderr(`atrest get: ${resource.groupResource} "${name}" not found${namespace === undefined ? '' : ` in namespace ${namespace}`} (no etcd key ${key})\n`);
      return Exit.Failed;
    }
    if (config === undefined) {
      const e = inspectEnvelope(kv.value);
      printTable(io, [{ key, revision: kv.modRevision, provider: e.id, stale: null, status: e.provider === 'identity' ? 'plaintext' : 'encrypted (not read: no --config)' }]);
      return Exit.Ok;
    }
    const one = (async function* () {
      yield [{ revision: { main: kv.modRevision, sub: 0 }, tombstone: false, kv }];
    })();
    let found: DumpedObject | undefined;
    for await (const o of dumpRevisions(one, { config })) found = o;
    if (found === undefined) throw new UsageError(`${key} is not where kube-apiserver stores ${resource.groupResource}`);
    if (output === 'table') printTable(io, [found]);
    else io.stdout(output === 'json' ? `${JSON.stringify(found, null, 2)}\n` : toYamlDocument(found));
    return found.status === 'undecryptable' ? Exit.Failed : Exit.Ok;
  } finally {
    etcd.close();
  }
}

function printTable(io: CliIO, rows: readonly Pick<DumpedObject, 'key' | 'revision' | 'provider' | 'stale' | 'status' | 'error'>[]): void {
  const head = ['KEY', 'REVISION', 'PROVIDER:KEY', 'STATUS', 'STALE'];
  const cells = rows.map((r) => [r.key, String(r.revision), r.provider, r.status, r.stale === null ? '-' : r.stale ? 'yes' : 'no']);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: readonly string[]): string => c.map((x, i) => x.padEnd(widths[i] as number)).join('  ').trimEnd();
  io.stdout(`${[line(head), ...cells.map(line)].join('\n')}\n`);
  for (const r of rows) if (r.error !== undefined) io.stderr(`atrest get: ${r.key}: ${r.error}\n`);
}
