/**
 * A read-only source of revisions from a running etcd, shaped like `@atrest/etcd-snapshot`'s
 * records so one auditor can consume either.
 *
 * - `latest()` pages through a prefix at ONE revision: the first page's `header.revision` pins it
 *   and later pages ask for it explicitly, so writes made while paging are never seen. Pages are
 *   taken by key (`limit`, then last key + `\0`), which bounds memory and keeps each answer under
 *   gRPC's 4 MiB receive limit.
 * - `history()` gives every revision etcd still has: the prefix as of the compaction revision C
 *   (what a snapshot keeps of older revisions), then a Watch replay from C+1 to the pinned head.
 * - The compaction revision is found without writing: a Range at revision 1 succeeds exactly when
 *   nothing past revision 1 was compacted (etcd refuses only revisions below its compaction
 *   revision); otherwise a Watch from revision 1 is cancelled by etcd with `compact_revision` set,
 *   which is the exact number (the Range error carries no number).
 *
 * Reading calls only Range, Watch, Status and MemberList. The one write, `compareAndPut`, is
 * re-encryption's: a transaction that puts only if the key is unchanged, keeping its lease.
 * @module
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { circuitBreaker, ConsecutiveBreaker, handleWhen, isBrokenCircuitError, retry } from 'cockatiel';
import { Etcd3, GRPCUnavailableError, isRecoverableError, type IKeyValue, type IRangeResponse, type IWatchResponse } from 'etcd3';
import type { KeyValue, Revision } from '@atrest/etcd-snapshot';
import type { EtcdConnectionOptions } from './connection.js';
import {
  LiveAuthError,
  LiveCompactedError,
  LiveEtcdError,
  LivePermissionError,
  LiveTimeoutError,
  LiveTlsError,
  LiveUnreachableError,
} from './errors.js';

/**
 * One revision of one key, the shape of `@atrest/etcd-snapshot`'s `RevisionEntry` without the
 * file offsets: what the auditor's inner loop reads.
 */
export interface LiveRevision {
  /**
   * `main` is the key's mod_revision. `sub` numbers the events that share a revision (a
   * transaction), in etcd's order, as etcd's own sub revision does. Records of the
   * compaction-revision state have `sub` 0: etcd's Range does not report sub revisions.
   */
  readonly revision: Revision;
  /** True for a delete; its `kv` has the key, empty value, zero create revision, version and lease. */
  readonly tombstone: boolean;
  /** The key-value at that revision (bytes are owned by the record). */
  readonly kv: KeyValue;
}

/** Cluster and store facts, read without writing. */
export interface LiveFacts {
  /** The endpoints used. */
  readonly endpoints: readonly string[];
  /** Cluster ID (uint64). */
  readonly clusterId: bigint;
  /** ID of the member that answered Status (uint64). */
  readonly memberId: bigint;
  /** The store's head revision. */
  readonly revision: number;
  /** The compaction revision: revisions below it are gone, 0 when nothing was compacted. */
  readonly compactRevision: number;
  /** Backend file size of the answering member, bytes. */
  readonly dbSize: number;
  /** Bytes of it in use (etcd ≥ 3.4; the rest is free pages that may still hold old bytes until defrag). */
  readonly dbSizeInUse: number;
  /** Member names and client URLs from MemberList. */
  readonly members: readonly { readonly id: bigint; readonly name: string; readonly clientUrls: readonly string[] }[];
}

/** Options of {@link LiveEtcd.latest}. */
export interface LatestOptions {
  /**
   * Keys per page, fixed. Also the batch size. Default: sized from the values seen, about
   * {@link PAGE_BYTES} a page (2,048 keys of 2 KiB values): etcd 3.4 walks every remaining key of
   * the range for each page it answers, so fewer, larger pages cost it less.
   */
  readonly pageSize?: number;
  /** Read at this revision instead of the head (it must not be compacted). */
  readonly revision?: number;
}

/** Options of {@link LiveEtcd.history}. */
export interface HistoryOptions {
  /** Stop at this revision instead of the head read when the call starts. */
  readonly revision?: number;
  /** Keys per page of the compaction-state range (default: sized as for {@link LatestOptions.pageSize}). */
  readonly pageSize?: number;
}

/** A connection to etcd for reading. */
export interface LiveEtcd {
  /** The endpoints connected to. */
  readonly endpoints: readonly string[];
  /**
   * Cluster, member and store facts (Status, MemberList, the compaction revision). The compaction
   * revision is found by reading one key: pass a `prefix` the user may read when etcd's RBAC
   * limits it to one (as for latest() and history()); by default any key.
   */
  facts(prefix?: Uint8Array): Promise<LiveFacts>;
  /**
   * Every key under `prefix` (bytes; empty for all keys) with its latest value as of one
   * revision, in key order, as batches of at most `pageSize` records.
   */
  latest(prefix: Uint8Array, options?: LatestOptions): AsyncIterable<readonly KeyValue[]> & { readonly revision: Promise<number> };
  /**
   * Every revision under `prefix` that etcd still has, up to the head (or `options.revision`), as
   * batches. Order: first the state at the compaction revision in key order, then the replayed
   * events in global revision order; so each key's revisions come out ascending.
   */
  history(prefix: Uint8Array, options?: HistoryOptions): AsyncIterable<readonly LiveRevision[]>;
  /** One key at the head or at `revision`; undefined when absent. */
  get(key: Uint8Array, revision?: number): Promise<KeyValue | undefined>;
  /** How many keys are under `prefix` (empty: all keys) at `revision` (default: the head), without reading them. */
  count(prefix: Uint8Array, revision?: number): Promise<number>;
  /**
   * The one write (re-encryption's): in one transaction, put `value` at `key` with `lease` only if
   * the key's mod_revision is still `modRevision`. A key someone wrote meanwhile is left as it is.
   * @returns the revision of the write, or undefined when the key changed (nothing was written)
   */
  compareAndPut(key: Uint8Array, modRevision: number, value: Uint8Array, lease: bigint): Promise<number | undefined>;
  /** Close every connection. */
  close(): void;
}

const EMPTY = new Uint8Array(0);
/** Keys of the first page of a range, before value sizes are known. */
const FIRST_PAGE = 32;
/** The most keys a page asks for. */
const MAX_PAGE = 10_000;
/** About how many bytes a page of a range carries (gRPC's receive limit here is 64 MiB). */
export const PAGE_BYTES = 4 * 1024 * 1024;
const ZERO_KEY = Buffer.from([0]);

/** The end of the range of keys starting with `prefix` (etcd's `GetPrefixRangeEnd`): `\0` means "to the end". */
export function prefixRangeEnd(prefix: Uint8Array): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if ((end[i] as number) < 0xff) {
      end[i] = (end[i] as number) + 1;
      return end.subarray(0, i + 1);
    }
  }
  return ZERO_KEY;
}

function num(s: string | number, what: string): number {
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new LiveEtcdError('ERR_ETCD', `etcd sent a ${what} that is not a safe integer`, []);
  return n;
}

function keyValue(kv: IKeyValue): KeyValue {
  return {
    // Copies: the caller may keep records after the next page, and Buffers may be pooled.
    key: new Uint8Array(kv.key),
    value: kv.value.length === 0 ? EMPTY : new Uint8Array(kv.value),
    createRevision: num(kv.create_revision, 'create revision'),
    modRevision: num(kv.mod_revision, 'mod revision'),
    version: num(kv.version, 'version'),
    lease: BigInt(kv.lease),
  };
}

const COMPACTED = /required revision has been compacted/;
const FUTURE_REV = /required revision is a future revision/;

/** Map any failure of a call to a typed error; `probe` diagnoses transport failures. */
async function classify(e: unknown, ctx: Ctx, what: string, revision?: number, key?: Buffer): Promise<LiveEtcdError> {
  if (e instanceof LiveEtcdError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  const name = e instanceof Error ? e.constructor.name : '';
  if (name === 'EtcdAuthenticationFailedError' || /authentication failed|invalid user ID or password/.test(msg)) return new LiveAuthError(ctx.endpoints, e);
  if (name === 'EtcdPermissionDeniedError' || /permission denied/.test(msg)) return new LivePermissionError(ctx.endpoints, what, e);
  if (/user name is empty|auth: revision in header is old/.test(msg)) return new LiveAuthError(ctx.endpoints, e);
  if (COMPACTED.test(msg)) return new LiveCompactedError(ctx.endpoints, revision ?? 0, await ctx.compactRevisionQuiet(key), e);
  if (FUTURE_REV.test(msg)) return new LiveEtcdError('ERR_ETCD', `revision ${revision} is newer than etcd's head at ${ctx.endpoints.join(', ')}`, ctx.endpoints, { cause: e });
  if (name === 'GRPCDeadlineExceededError' || /deadline exceeded/i.test(msg)) {
    const diag = await ctx.diagnose();
    return diag ?? new LiveTimeoutError(ctx.endpoints, what, ctx.options.commandTimeoutMs, e);
  }
  if (name === 'ClientClosedError') return new LiveEtcdError('ERR_ETCD_CLOSED', `the connection to etcd at ${ctx.endpoints.join(', ')} was already closed; open a new one`, ctx.endpoints, { cause: e });
  if ((e instanceof Error && isRecoverableError(e)) || isBrokenCircuitError(e) || /UNAVAILABLE|No connection established|Connection dropped|ECONNREFUSED/i.test(msg)) {
    const diag = await ctx.diagnose();
    return diag ?? new LiveUnreachableError(ctx.endpoints, firstLine(msg), e);
  }
  return new LiveEtcdError('ERR_ETCD', `${what} at ${ctx.endpoints.join(', ')} failed: ${firstLine(msg)}`, ctx.endpoints, { cause: e });
}

const firstLine = (s: string): string => s.split('\n')[0]?.slice(0, 300) ?? '';

/** TLS alert and verification texts mapped to advice; the first match wins. */
const TLS_REASONS: [RegExp, string][] = [
  [/CERT_HAS_EXPIRED|certificate has expired/i, "etcd's server certificate has expired"],
  [/alert certificate expired|CERTIFICATE_EXPIRED/i, 'etcd rejected the client certificate as expired (--cert)'],
  [/certificate required|CERTIFICATE_REQUIRED/i, 'etcd requires a client certificate; give --cert and --key'],
  [/alert bad certificate|BAD_CERTIFICATE|unknown ca|UNKNOWN_CA/i, 'etcd rejected the client certificate (--cert): not signed by a CA it trusts'],
  [/UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify|SELF_SIGNED|self[- ]signed|UNABLE_TO_GET_ISSUER/i, "etcd's server certificate is not trusted by --cacert"],
  [/ERR_TLS_CERT_ALTNAME_INVALID|altnames|Hostname\/IP does not match/i, "etcd's server certificate does not name this endpoint's host"],
  [/wrong version number|WRONG_VERSION_NUMBER|packet length too long/i, 'the endpoint does not speak TLS; use http:// or check the port'],
];

/**
 * When etcd refused the client's certificate (Go sends `bad_certificate` for a missing, expired or
 * untrusted one alike), say which it was from what we sent: none at all, or one outside its validity.
 */
function clientCertReason(text: string, files: TlsFiles): string | undefined {
  if (!/alert bad certificate|BAD_CERTIFICATE|certificate required|CERTIFICATE_REQUIRED|alert certificate expired|CERTIFICATE_EXPIRED|unknown ca|UNKNOWN_CA/i.test(text)) return undefined;
  if (!files.cert) return 'etcd requires a client certificate; give --cert and --key';
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(files.cert);
  } catch {
    return undefined;
  }
  const now = Date.now();
  if (now > Date.parse(cert.validTo)) return `etcd rejected the client certificate (--cert): it expired on ${cert.validTo}`;
  if (now < Date.parse(cert.validFrom)) return `etcd rejected the client certificate (--cert): it is not valid before ${cert.validFrom}`;
  return undefined;
}

interface Ctx {
  readonly endpoints: readonly string[];
  readonly options: EtcdConnectionOptions;
  diagnose(): Promise<LiveEtcdError | undefined>;
  /** The compaction revision found through `key` (one the user may read), 0 on any failure. */
  compactRevisionQuiet(key?: Buffer): Promise<number>;
}

/**
 * Open a TCP (or TLS) connection to each endpoint, to tell "nothing listens" from "TLS refused"
 * after gRPC reported only UNAVAILABLE. Bounded by the dial timeout.
 */
async function probe(endpoint: string, o: EtcdConnectionOptions, files: TlsFiles): Promise<LiveEtcdError | undefined> {
  const url = new URL(endpoint);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port);
  const secure = url.protocol === 'https:';
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: LiveEtcdError | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(r);
    };
    let handshaken = false;
    const timer = setTimeout(() => done(new LiveUnreachableError([endpoint], `no connection within the dial timeout of ${o.dialTimeoutMs} ms`)), o.dialTimeoutMs);
    const onError = (err: Error & { code?: string }): void => {
      const text = `${err.code ?? ''} ${err.message}`;
      if (/ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN/.test(text)) return done(new LiveUnreachableError([endpoint], err.code ?? err.message, err));
      const clientSide = clientCertReason(text, files);
      if (clientSide) return done(new LiveTlsError([endpoint], `${clientSide} (${err.code ?? firstLine(err.message)})`, err));
      for (const [re, reason] of TLS_REASONS) if (re.test(text)) return done(new LiveTlsError([endpoint], `${reason} (${err.code ?? firstLine(err.message)})`, err));
      if (secure && !handshaken && /ECONNRESET|EPIPE|socket hang up/i.test(text)) {
        // Closed before any TLS answer: a plain-HTTP etcd drops a ClientHello it cannot parse this way.
        return done(new LiveTlsError([endpoint], `the connection was closed before any TLS answer (${err.code ?? firstLine(err.message)}); the endpoint may not speak TLS: use http:// or check the port`, err));
      }
      if (secure && /ECONNRESET|EPIPE|socket hang up|SSL|TLS|alert/i.test(text)) {
        return done(new LiveTlsError([endpoint], `the handshake was broken off (${err.code ?? firstLine(err.message)}); etcd may require a client certificate (--cert, --key)`, err));
      }
      done(new LiveUnreachableError([endpoint], err.code ?? firstLine(err.message), err));
    };
    const sock: net.Socket = secure
      ? tls.connect({
          host,
          port,
          ALPNProtocols: ['h2'],
          ...(files.ca ? { ca: files.ca } : {}),
          ...(files.cert ? { cert: files.cert } : {}),
          ...(files.key ? { key: files.key } : {}),
          rejectUnauthorized: !o.insecureSkipTlsVerify,
          ...(net.isIP(host) ? {} : { servername: host }),
        })
      : net.connect({ host, port });
    sock.on('error', onError);
    sock.on(secure ? 'secureConnect' : 'connect', () => {
      // With TLS 1.3 the server checks the client certificate after the client's handshake is
      // done, and its refusal arrives as an alert on the first read: give it a moment.
      if (!secure) return done(undefined);
      handshaken = true;
      sock.write(Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'));
      setTimeout(() => done(undefined), Math.min(500, o.dialTimeoutMs));
    });
  });
}

/** Control of an open watch. */
interface WatchHandle {
  pause(): void;
  resume(): void;
  stop(): void;
}

interface TlsFiles {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
}

async function readTlsFiles(o: EtcdConnectionOptions): Promise<TlsFiles> {
  const read = async (path: string | undefined, flag: string): Promise<Buffer | undefined> => {
    if (path === undefined) return undefined;
    try {
      return await readFile(path);
    } catch (e) {
      throw new LiveTlsError(o.endpoints, `cannot read ${flag} file ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, e);
    }
  };
  const [ca, cert, key] = await Promise.all([read(o.cacert, '--cacert'), read(o.cert, '--cert'), read(o.key, '--key')]);
  return { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
}

/** Race `p` against the command timeout so nothing outlives it, whatever the client's policies do. */
function bounded<T>(p: Promise<T>, ms: number, onTimeout: () => LiveEtcdError): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/**
 * Connect to etcd for reading, and check that it answers (one Status call).
 *
 * Retries: each call may try every endpoint once (a refused member is skipped for 5 s by a circuit
 * breaker, so a stopped member of a cluster costs one failed attempt), and the whole call is
 * bounded by `commandTimeoutMs`.
 *
 * @param options - endpoints, TLS files, credentials, timeouts (see {@link connectionOptionsFrom})
 * @returns an open connection; `close()` it
 * @throws LiveUnreachableError, LiveTlsError, LiveAuthError, LiveTimeoutError naming the endpoints
 * @example
 * ```ts
 * import { connectionOptionsFrom, openLiveEtcd } from '@atrest/etcd-live';
 * const live = await openLiveEtcd(connectionOptionsFrom({ endpoints: 'http://127.0.0.1:2379' }).options);
 * for await (const batch of live.latest(new TextEncoder().encode('/registry/secrets/'))) {
 *   for (const kv of batch) console.log(kv.modRevision, kv.value.length);
 * }
 * live.close();
 * ```
 */
export async function openLiveEtcd(options: EtcdConnectionOptions): Promise<LiveEtcd> {
  const o = options;
  const endpoints = [...o.endpoints];
  if (endpoints.length === 0) throw new LiveUnreachableError([], 'no endpoints given');
  const secure = endpoints[0]?.startsWith('https:') ?? false;
  const files = secure ? await readTlsFiles(o) : {};
  const client = new Etcd3({
    hosts: endpoints,
    ...(o.user !== undefined ? { auth: { username: o.user, password: o.password ?? '' } } : {}),
    // Unary calls get a deadline; streams (Watch) are bounded by our own idle timer instead.
    defaultCallOptions: (c) => (c.isStream ? {} : { deadline: Date.now() + o.commandTimeoutMs }),
    faultHandling: {
      // Only "unavailable" opens a member's breaker: cancelling our own watch streams makes etcd3
      // report a (recoverable) CANCELLED on the host, which must not take it out of rotation.
      host: () => circuitBreaker(handleWhen((e) => e instanceof GRPCUnavailableError), { halfOpenAfter: 5000, breaker: new ConsecutiveBreaker(1) }),
      global: retry(handleWhen(isRecoverableError), { maxAttempts: endpoints.length }),
    },
    grpcOptions: { 'grpc.max_receive_message_length': 64 * 1024 * 1024 },
  });
  if (secure) {
    // etcd3 builds its TLS credentials without verify options; replace them (before any channel
    // exists) so `insecureSkipTlsVerify` and a cert without a CA work. Pinned to etcd3 ~1.1.2's pool.
    const creds = grpc.credentials.createSsl(files.ca ?? null, files.key ?? null, files.cert ?? null, o.insecureSkipTlsVerify ? { rejectUnauthorized: false, checkServerIdentity: () => undefined } : {});
    const pool = (client as unknown as { pool: { hosts: { channelCredentials: unknown }[]; authenticator: { credentials: unknown } } }).pool;
    for (const h of pool.hosts) h.channelCredentials = creds;
    pool.authenticator.credentials = creds;
  }

  let diagnosing: Promise<LiveEtcdError | undefined> | undefined;
  const ctx: Ctx = {
    endpoints,
    options: o,
    diagnose: () =>
      (diagnosing ??= (async () => {
        const found = await Promise.all(endpoints.map((e) => probe(e, o, files)));
        diagnosing = undefined;
        // Only blame TLS or reachability when every endpoint shows it: a single bad member is not why a call failed.
        const tlsErr = found.find((f) => f instanceof LiveTlsError);
        if (tlsErr && found.every((f) => f !== undefined)) return new LiveTlsError(endpoints, (tlsErr as LiveTlsError).reason, tlsErr);
        if (found.every((f) => f instanceof LiveUnreachableError)) return new LiveUnreachableError(endpoints, found.map((f) => f?.message.match(/\(([^)]*)\)/)?.[1] ?? '?').join('; '));
        return undefined;
      })()),
    compactRevisionQuiet: (key) => compactRevision(key).catch(() => 0),
  };

  async function call<T>(what: string, fn: () => Promise<T>, revision?: number, key?: Buffer): Promise<T> {
    try {
      return await bounded(fn(), o.commandTimeoutMs, () => new LiveTimeoutError(endpoints, what, o.commandTimeoutMs));
    } catch (e) {
      if (e instanceof LiveTimeoutError) throw (await bounded(ctx.diagnose(), o.dialTimeoutMs + 100, () => e).catch((x) => x)) ?? e;
      throw await classify(e, ctx, what, revision, key);
    }
  }

  const range = (what: string, key: Buffer, rangeEnd: Buffer | undefined, limit: number, revision: number): Promise<IRangeResponse> =>
    call(
      what,
      () => client.kv.range({ key, ...(rangeEnd ? { range_end: rangeEnd } : {}), limit, revision }),
      revision,
      key,
    );

  /**
   * Open a raw watch from `start` over [key, end) and hand each response to `onResponse` until it
   * returns true. `onOpen` gets a handle to pause and resume (for
   * back-pressure) and stop. No message for `idleMs` while not paused fails with a timeout.
   *
   * etcd3 sends a watch to a member picked at random. A member that is down fails the stream
   * before its first response (and etcd3 then takes it out of rotation, as for unary calls), so
   * such a failure opens the watch again, up to once per endpoint. Once a response has arrived,
   * a failure is final: opening again would replay what the caller already has.
   */
  async function watch(
    key: Buffer,
    end: Buffer | undefined,
    start: number,
    onResponse: (r: IWatchResponse) => boolean | Promise<boolean>,
    idleMs: number,
    onOpen?: (h: WatchHandle) => void,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const opened = { responded: false };
      try {
        return await watchOnce(key, end, start, onResponse, idleMs, onOpen, opened);
      } catch (e) {
        const final = opened.responded || attempt >= endpoints.length || e instanceof LiveTimeoutError || e instanceof LiveAuthError || e instanceof LiveTlsError || e instanceof LivePermissionError;
        if (final) throw e;
      }
    }
  }

  /** One watch stream (see {@link watch}); `opened.responded` is set at its first response. */
  async function watchOnce(
    key: Buffer,
    end: Buffer | undefined,
    start: number,
    onResponse: (r: IWatchResponse) => boolean | Promise<boolean>,
    idleMs: number,
    onOpen: ((h: WatchHandle) => void) | undefined,
    opened: { responded: boolean },
  ): Promise<void> {
    // etcd3 types the raw stream narrowly; it is grpc-js's ClientDuplexStream (a Node Duplex).
    const stream = (await call('watch', () => client.watchClient.watch())) as unknown as Duplex & { cancel(): void };
    await new Promise<void>((resolve, reject) => {
      let paused = false;
      let finished = false;
      let idle: NodeJS.Timeout | undefined;
      let chain = Promise.resolve();
      const finish = (err?: unknown): void => {
        if (finished) return;
        finished = true;
        clearTimeout(idle);
        stream.removeAllListeners('data');
        // Cancelling the call ends the stream on our side; etcd drops the watcher with it.
        stream.cancel();
        stream.on('error', () => undefined);
        if (err) reject(err);
        else resolve();
      };
      const arm = (): void => {
        clearTimeout(idle);
        idle = setTimeout(() => (paused ? arm() : finish(new LiveTimeoutError(endpoints, 'watch', idleMs))), idleMs);
      };
      onOpen?.({
        pause: () => {
          paused = true;
          stream.pause();
        },
        resume: () => {
          paused = false;
          stream.resume();
        },
        stop: () => finish(),
      });
      stream.on('data', (r: IWatchResponse) => {
        opened.responded = true;
        arm();
        chain = chain.then(async () => {
          if (finished) return;
          try {
            if (await onResponse(r)) finish();
          } catch (e) {
            finish(e);
          }
        });
      });
      let failed = false;
      stream.on('error', (e: unknown) => {
        failed = true;
        if (!finished) void classify(e, ctx, 'watch', start).then(finish, finish);
      });
      // An end after an error is that error's (classified above, asynchronously), not an early end.
      stream.on('end', () => failed || finish(new LiveEtcdError('ERR_ETCD', `etcd at ${endpoints.join(', ')} ended the watch stream early`, endpoints)));
      arm();
      stream.write({ create_request: { key, ...(end ? { range_end: end } : {}), start_revision: start } });
    });
  }

  /**
   * The compaction revision, asked through `probeKey`: a user limited by RBAC to a prefix may not
   * read (or watch) any key outside it, so callers pass a key under the prefix they read.
   */
  async function compactRevision(probeKey: Buffer = ZERO_KEY): Promise<number> {
    // Range at revision 1: etcd refuses only revisions below its compaction revision.
    // The raw call, not `range()`: classifying a compaction error asks for the compaction revision.
    const compacted = await call('compaction check', () =>
      client.kv.range({ key: probeKey, limit: 1, revision: 1, keys_only: true }).then(
        () => false,
        (e: unknown) => {
          if (e instanceof Error && COMPACTED.test(e.message)) return true;
          throw e;
        },
      ),
    );
    if (!compacted) return 0;
    let found = 0;
    await watch(probeKey, undefined, 1, (r) => {
      if (r.compact_revision !== undefined && Number(r.compact_revision) > 0) {
        found = num(r.compact_revision, 'compact revision');
        return true;
      }
      return false;
    }, o.commandTimeoutMs);
    return found;
  }

  const head = async (probeKey: Buffer = ZERO_KEY): Promise<number> => num((await range('head revision', probeKey, undefined, 1, 0)).header.revision, 'revision');
  const probeKeyOf = (prefix: Uint8Array | undefined): Buffer => (prefix === undefined || prefix.length === 0 ? ZERO_KEY : Buffer.from(prefix));

  const latest = (prefix: Uint8Array, lo: LatestOptions = {}): AsyncIterable<readonly KeyValue[]> & { readonly revision: Promise<number> } => {
    const fixed = lo.pageSize;
    if (fixed !== undefined && (!Number.isSafeInteger(fixed) || fixed < 1)) throw new RangeError('pageSize must be a positive integer');
    // Adaptive: a small first page (values may be up to etcd's 1.5 MiB each, and a response must
    // stay under gRPC's receive limit), then as many keys as fit PAGE_BYTES at the sizes seen.
    let pageSize = fixed ?? FIRST_PAGE;
    const resize = (r: IRangeResponse): void => {
      if (fixed !== undefined || r.kvs.length === 0) return;
      let bytes = 0;
      for (const kv of r.kvs) bytes += kv.key.length + kv.value.length + 64;
      pageSize = Math.max(FIRST_PAGE, Math.min(MAX_PAGE, Math.floor((PAGE_BYTES * r.kvs.length) / bytes)));
    };
    let resolveRev!: (n: number) => void;
    let rejectRev!: (e: unknown) => void;
    const revision = new Promise<number>((res, rej) => {
      resolveRev = res;
      rejectRev = rej;
    });
    revision.catch(() => undefined);
    async function* pages(): AsyncGenerator<readonly KeyValue[]> {
      const end = prefixRangeEnd(prefix);
      let key = prefix.length === 0 ? ZERO_KEY : Buffer.from(prefix);
      let rev = lo.revision ?? 0;
      // The next page is asked for before this one is handed over, so etcd reads it while the
      // consumer works on this one (two cores: etcd's and ours). Never more than one ahead.
      let ahead: Promise<IRangeResponse> | undefined;
      try {
        for (;;) {
          const r = await (ahead ?? range('range', key, end, pageSize, rev));
          ahead = undefined;
          resize(r);
          if (rev === 0) {
            rev = num(r.header.revision, 'revision');
            resolveRev(rev);
          }
          const more = r.more && r.kvs.length > 0;
          if (more) {
            key = Buffer.concat([(r.kvs[r.kvs.length - 1] as IKeyValue).key, ZERO_KEY]);
            ahead = range('range', key, end, pageSize, rev);
            // A consumer that stops early leaves this read unanswered: it must not become an unhandled rejection.
            ahead.catch(() => undefined);
          }
          if (r.kvs.length > 0) yield r.kvs.map(keyValue);
          if (!more) break;
        }
        resolveRev(rev);
      } catch (e) {
        rejectRev(e);
        throw e;
      }
    }
    return { [Symbol.asyncIterator]: () => pages(), revision };
  };

  async function* history(prefix: Uint8Array, ho: HistoryOptions = {}): AsyncGenerator<readonly LiveRevision[]> {
    const probeKey = probeKeyOf(prefix);
    const target = ho.revision ?? (await head(probeKey));
    const c = await compactRevision(probeKey);
    if (target < c) throw new LiveCompactedError(endpoints, target, c);
    if (c > 0) {
      for await (const batch of latest(prefix, { revision: c, ...(ho.pageSize ? { pageSize: ho.pageSize } : {}) })) {
        yield batch.map((kv) => ({ revision: { main: kv.modRevision, sub: 0 }, tombstone: false, kv }));
      }
    }
    // Revision 1 is the empty store: the first write is revision 2. Starting at 2 also avoids a
    // needless compaction error when etcd was compacted at exactly 1.
    const start = Math.max(c + 1, 2);
    if (start > target) return;
    const queue: LiveRevision[][] = [];
    let wake: (() => void) | undefined;
    let done = false;
    let failure: unknown;
    let lastMain = -1;
    let sub = 0;
    let handle: WatchHandle | undefined;
    // The watch covers the whole keyspace and the prefix is applied here. Why: every revision from
    // 2 to the head holds at least one event somewhere in the keyspace, so seeing an event at the
    // target revision proves every earlier one was delivered. A watch on the prefix alone has no
    // such proof when the prefix's last change is older than the target: etcd 3.4 answers a
    // progress request at once with its current revision, before the catch-up events it is still
    // sending (measured: a 3,000-revision replay ended after 2,000). Sub revisions then also
    // number every event of a transaction, as etcd does.
    const inPrefix = (k: Uint8Array): boolean => {
      if (k.length < prefix.length) return false;
      for (let i = 0; i < prefix.length; i++) if (k[i] !== prefix[i]) return false;
      return true;
    };
    const w = watch(ZERO_KEY, ZERO_KEY, start, (r) => {
      if (r.canceled || (r.compact_revision !== undefined && Number(r.compact_revision) > 0)) {
        if (Number(r.compact_revision) > 0) throw new LiveCompactedError(endpoints, start, num(r.compact_revision, 'compact revision'));
        if (/permission denied/.test(r.cancel_reason ?? '')) throw new LivePermissionError(endpoints, 'a watch of the whole keyspace');
        throw new LiveEtcdError('ERR_ETCD', `etcd at ${endpoints.join(', ')} cancelled the watch: ${r.cancel_reason || 'no reason given'}`, endpoints);
      }
      const out: LiveRevision[] = [];
      let reached = false;
      for (const ev of r.events) {
        const main = num(ev.kv.mod_revision, 'mod revision');
        if (main > target) {
          reached = true;
          break;
        }
        sub = main === lastMain ? sub + 1 : 0;
        lastMain = main;
        if (main === target) reached = true;
        if (!inPrefix(ev.kv.key)) continue;
        const kv = keyValue(ev.kv);
        const tombstone = ev.type === 'Delete';
        out.push({ revision: { main, sub }, tombstone, kv: tombstone ? { ...kv, createRevision: 0, version: 0, lease: 0n } : kv });
      }
      if (out.length > 0) queue.push(out);
      // Back-pressure: stop reading from etcd while the consumer is behind.
      if (queue.length >= 8) handle?.pause();
      wake?.();
      return reached;
    }, o.commandTimeoutMs, (h) => {
      handle = h;
    }).then(
      () => {
        done = true;
        wake?.();
      },
      (e) => {
        failure = e;
        done = true;
        wake?.();
      },
    );
    try {
      for (;;) {
        if (queue.length > 0) {
          const batch = queue.shift() as LiveRevision[];
          if (queue.length < 2) handle?.resume();
          yield batch;
          continue;
        }
        if (done) break;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
      await w;
      if (failure instanceof LivePermissionError) {
        throw new LivePermissionError(endpoints, 'a watch of the whole keyspace (history needs read access to every key: its replay is complete only when it sees the target revision, wherever that write went)', failure);
      }
      if (failure) throw failure;
    } finally {
      // A consumer that stops early must not leave the watch running.
      handle?.stop();
    }
  }

  const facts = async (prefix?: Uint8Array): Promise<LiveFacts> => {
    const status = await call('status', () => client.maintenance.status());
    const members = await call('member list', () => client.cluster.memberList({}));
    return {
      endpoints,
      clusterId: BigInt(status.header.cluster_id),
      memberId: BigInt(status.header.member_id),
      revision: num(status.header.revision, 'revision'),
      compactRevision: await compactRevision(probeKeyOf(prefix)),
      dbSize: num(status.dbSize, 'db size'),
      dbSizeInUse: num(status.dbSizeInUse ?? 0, 'db size in use'),
      members: members.members.map((m) => ({ id: BigInt(m.ID), name: m.name, clientUrls: [...m.clientURLs] })),
    };
  };

  const get = async (key: Uint8Array, revision = 0): Promise<KeyValue | undefined> => {
    const r = await range('get', Buffer.from(key), undefined, 1, revision);
    const kv = r.kvs[0];
    return kv ? keyValue(kv) : undefined;
  };

  // Check the connection now, so a wrong endpoint or certificate fails here with a clear error.
  try {
    await call('status', () => client.maintenance.status());
  } catch (e) {
    client.close();
    throw e;
  }

  const count = async (prefix: Uint8Array, revision = 0): Promise<number> => {
    const key = prefix.length === 0 ? ZERO_KEY : Buffer.from(prefix);
    const r = await call('count', () => client.kv.range({ key, range_end: prefixRangeEnd(prefix), count_only: true, revision }), revision, key);
    return num(r.count, 'count');
  };

  const compareAndPut = async (key: Uint8Array, modRevision: number, value: Uint8Array, lease: bigint): Promise<number | undefined> => {
    const k = Buffer.from(key.buffer, key.byteOffset, key.length);
    const r = await call('compare-and-put', () =>
      client.kv.txn({
        compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: String(modRevision) }],
        success: [{ request_put: { key: k, value: Buffer.from(value.buffer, value.byteOffset, value.length), lease: lease.toString() } }],
        failure: [],
      }),
    );
    return r.succeeded ? num(r.header.revision, 'revision') : undefined;
  };

  return { endpoints, facts, latest, history, get, count, compareAndPut, close: () => client.close() };
}
