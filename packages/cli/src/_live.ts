/**
 * The commands' live-etcd side: etcdctl's connection flags (and `ETCDCTL_*` variables), opening
 * the connection, and turning a running etcd into the audit's source of revisions.
 *
 * A command reads a snapshot when given a SNAPSHOT file, and a running etcd when given
 * `--endpoints` (or, with no SNAPSHOT, `ETCDCTL_ENDPOINTS`). Nothing here writes to etcd.
 * `@atrest/etcd-live` (and its gRPC stack) loads when a command opens a connection, so commands
 * that read a snapshot file do not pay for it at start-up.
 * @module
 */
import type { AuditRevision, SourceFacts } from '@atrest/audit';
import type { LiveEtcd, LiveFacts } from '@atrest/etcd-live';
import { UsageError } from './_errors.js';
import type { CliIO } from './_io.js';

/** etcdctl's connection flags, for `parse()`. */
export const LIVE_FLAGS = {
  endpoints: { type: 'string' },
  cacert: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  user: { type: 'string' },
  'insecure-skip-tls-verify': { type: 'boolean' },
  'dial-timeout': { type: 'string' },
  'command-timeout': { type: 'string' },
} as const;

/** The usage lines for {@link LIVE_FLAGS}. */
export const LIVE_USAGE = `  Live etcd (read-only), with etcdctl's flags and ETCDCTL_ENDPOINTS, _CACERT, _CERT, _KEY, _USER:
    --endpoints URL[,URL]  --cacert FILE  --cert FILE  --key FILE  --user NAME[:PASSWORD]
    --insecure-skip-tls-verify  --dial-timeout 2s  --command-timeout 5s
`;

type LiveValues = { [K in keyof typeof LIVE_FLAGS]?: (typeof LIVE_FLAGS)[K]['type'] extends 'boolean' ? boolean : string };

/**
 * Whether the command reads a running etcd: `--endpoints` was given, or no SNAPSHOT was and
 * `ETCDCTL_ENDPOINTS` is set. A SNAPSHOT together with `--endpoints` is a usage error.
 */
export function wantsLive(values: LiveValues, snapshot: string | undefined, io: CliIO): boolean {
  const env = io.env ?? process.env;
  if (values.endpoints !== undefined && snapshot !== undefined) throw new UsageError('give a SNAPSHOT file or --endpoints, not both');
  if (values.endpoints !== undefined) return true;
  const fileFlags = (['cacert', 'cert', 'key', 'user', 'insecure-skip-tls-verify', 'dial-timeout', 'command-timeout'] as const).filter((f) => values[f] !== undefined);
  if (snapshot !== undefined) {
    if (fileFlags.length > 0) throw new UsageError(`--${fileFlags[0]} is a connection flag; it goes with --endpoints, not a SNAPSHOT file`);
    return false;
  }
  return (env['ETCDCTL_ENDPOINTS'] ?? '') !== '' || fileFlags.length > 0;
}

/**
 * Where a command that reads a snapshot or a running etcd reads from: true for etcd (from
 * `--endpoints`, connection flags or `ETCDCTL_*`), false for the one SNAPSHOT file; a usage error
 * naming `command` for more than one file, or for neither.
 */
export function snapshotOrLive(command: string, positionals: readonly string[], values: LiveValues, io: CliIO): boolean {
  if (positionals.length > 1) throw new UsageError(`${command} takes one SNAPSHOT file`);
  const live = wantsLive(values, positionals[0], io);
  if (!live && positionals.length !== 1) throw new UsageError(`${command} takes a SNAPSHOT file or --endpoints`);
  return live;
}

/** Open the connection the flags and environment describe, prompting for a password when `--user` has none. */
export async function openLive(values: LiveValues, io: CliIO): Promise<LiveEtcd> {
  const { connectionOptionsFrom, openLiveEtcd } = await import('@atrest/etcd-live');
  const { options, passwordMissing } = connectionOptionsFrom(
    {
      ...(values.endpoints !== undefined ? { endpoints: values.endpoints } : {}),
      ...(values.cacert !== undefined ? { cacert: values.cacert } : {}),
      ...(values.cert !== undefined ? { cert: values.cert } : {}),
      ...(values.key !== undefined ? { key: values.key } : {}),
      ...(values.user !== undefined ? { user: values.user } : {}),
      ...(values['insecure-skip-tls-verify'] === true ? { insecureSkipTlsVerify: true } : {}),
      ...(values['dial-timeout'] !== undefined ? { dialTimeout: values['dial-timeout'] } : {}),
      ...(values['command-timeout'] !== undefined ? { commandTimeout: values['command-timeout'] } : {}),
    },
    io.env ?? process.env,
  );
  let password = options.password;
  if (passwordMissing) {
    password = await io.promptSecret?.(`Password for ${options.user}: `);
    if (password === undefined) throw new UsageError(`--user ${options.user} has no password and there is no terminal to ask on; use --user ${options.user}:PASSWORD`);
  }
  return openLiveEtcd({ ...options, ...(password !== undefined ? { password } : {}) });
}

/** The whole keyspace: a snapshot holds every key, so a live audit reads every key too. */
const EVERY_KEY = new Uint8Array(0);

const hex = (n: bigint): string => n.toString(16);

/** The report header's facts for a live read at `facts.revision`. */
export function liveSourceFacts(facts: LiveFacts, history: boolean): SourceFacts {
  return {
    source: {
      kind: 'etcd',
      endpoints: facts.endpoints,
      clusterId: hex(facts.clusterId),
      memberId: hex(facts.memberId),
      revision: facts.revision,
      compactRevision: facts.compactRevision,
      history,
      dbSize: facts.dbSize,
      dbSizeInUse: facts.dbSizeInUse,
    },
    compactRevision: facts.compactRevision === 0 ? null : facts.compactRevision,
    ...(history ? {} : { latestOnly: true }),
  };
}

/**
 * Every key's revisions at `facts.revision`: with `history`, every revision etcd still has
 * (the state at the compaction revision, then each later write); without, each key's latest
 * value only, read consistently at that one revision.
 */
export function liveRevisions(live: LiveEtcd, facts: LiveFacts, history: boolean): AsyncIterable<readonly AuditRevision[]> {
  if (history) return live.history(EVERY_KEY, { revision: facts.revision });
  const pages = live.latest(EVERY_KEY, { revision: facts.revision });
  return (async function* latest() {
    for await (const page of pages) yield page.map((kv) => ({ revision: { main: kv.modRevision, sub: 0 }, tombstone: false, kv }));
  })();
}

/**
 * Run `read` over a live source, again at a newer revision when etcd compacted the one being read
 * meanwhile (at most `attempts` times, each said on stderr).
 */
export async function withCompactionRetry<T>(live: LiveEtcd, io: CliIO, command: string, read: (facts: LiveFacts) => Promise<T>, attempts = 3): Promise<T> {
  const { LiveCompactedError } = await import('@atrest/etcd-live');
  for (let attempt = 1; ; attempt++) {
    const facts = await live.facts();
    try {
      return await read(facts);
    } catch (err) {
      if (!(err instanceof LiveCompactedError) || attempt >= attempts) throw err;
      io.stderr(`atrest ${command}: etcd compacted revision ${facts.revision} while it was read; reading again at the newest revision\n`);
    }
  }
}
