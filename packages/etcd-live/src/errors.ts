/**
 * Typed errors of the live etcd source. Each names the endpoint(s) and says what to do; none
 * carries key or value bytes, because messages end up in logs and reports.
 * @module
 */

import { AtrestError, ErrorCode, type ErrorContext } from '@atrest/core';

/**
 * What went wrong, as a stable code for callers and exit-code mapping: an {@link ErrorCode} of
 * `@atrest/core`. A bad flag or option is `ERR_INVALID_ARGUMENT` (a usage mistake); the rest are
 * the `ERR_ETCD_*` codes.
 */
export type LiveEtcdErrorCode =
  | typeof ErrorCode.InvalidArgument
  | typeof ErrorCode.EtcdUnreachable
  | typeof ErrorCode.EtcdTls
  | typeof ErrorCode.EtcdAuth
  | typeof ErrorCode.EtcdPermission
  | typeof ErrorCode.EtcdCompacted
  | typeof ErrorCode.EtcdTimeout
  | typeof ErrorCode.EtcdClosed
  | typeof ErrorCode.Etcd;

/**
 * Base class of every error thrown by `@atrest/etcd-live`: an {@link AtrestError} whose `context`
 * holds `endpoints` (comma-separated) and the subclass's numbers or flag, never credentials or
 * key material.
 * @example
 * ```ts
 * import { LiveEtcdError, openLiveEtcd } from '@atrest/etcd-live';
 * try {
 *   const live = await openLiveEtcd({ endpoints: ['http://127.0.0.1:2379'], dialTimeoutMs: 2000, commandTimeoutMs: 5000 });
 *   await live.facts();
 * } catch (e) { if (e instanceof LiveEtcdError) console.error(e.code, e.describe()); }
 * ```
 */
export class LiveEtcdError extends AtrestError {
  /** Stable code. */
  declare readonly code: LiveEtcdErrorCode;
  /** The endpoints the operation used (never credentials). */
  readonly endpoints: readonly string[];
  constructor(code: LiveEtcdErrorCode, message: string, endpoints: readonly string[], options?: { cause?: unknown; context?: ErrorContext }) {
    super(
      code,
      message,
      { ...(endpoints.length > 0 ? { endpoints: endpoints.join(',') } : {}), ...options?.context },
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = new.target.name;
    this.endpoints = Object.freeze([...endpoints]);
  }
}

/**
 * An option or flag is invalid; `flag` names it as the user typed it (`--endpoints`, `ETCDCTL_CERT`…).
 * @example
 * ```ts
 * import { connectionOptionsFrom, LiveOptionsError } from '@atrest/etcd-live';
 * try { connectionOptionsFrom({ endpoints: 'ftp://x' }); } catch (e) { if (e instanceof LiveOptionsError) console.error(e.flag); }
 * ```
 */
export class LiveOptionsError extends LiveEtcdError {
  /** The flag or environment variable at fault. */
  readonly flag: string;
  constructor(flag: string, message: string) {
    super(ErrorCode.InvalidArgument, `${flag}: ${message}`, [], { context: { flag } });
    this.flag = flag;
  }
}

/**
 * No etcd answered at the endpoint(s): connection refused, no route, or the dial timeout passed.
 * @example
 * ```ts
 * import { LiveUnreachableError } from '@atrest/etcd-live';
 * // e instanceof LiveUnreachableError → check --endpoints and that etcd runs there
 * ```
 */
export class LiveUnreachableError extends LiveEtcdError {
  constructor(endpoints: readonly string[], detail: string, cause?: unknown) {
    super(ErrorCode.EtcdUnreachable, `no etcd answered at ${endpoints.join(', ')} (${detail}); check --endpoints and that etcd is running and listening there`, endpoints, { cause });
  }
}

/**
 * The TLS handshake failed: the server's certificate is not trusted by `--cacert`, a client
 * certificate is missing, expired or not trusted by etcd, or TLS was used against a plain endpoint.
 * @example
 * ```ts
 * import { LiveTlsError } from '@atrest/etcd-live';
 * // e instanceof LiveTlsError → e.reason says which side rejected what
 * ```
 */
export class LiveTlsError extends LiveEtcdError {
  /** What was found, e.g. `server certificate not trusted by --cacert (UNABLE_TO_VERIFY_LEAF_SIGNATURE)`. */
  readonly reason: string;
  constructor(endpoints: readonly string[], reason: string, cause?: unknown) {
    super(ErrorCode.EtcdTls, `TLS with etcd at ${endpoints.join(', ')} failed: ${reason}; check --cacert, --cert and --key`, endpoints, { cause, context: { reason } });
    this.reason = reason;
  }
}

/**
 * etcd refused the user name or password.
 * @example
 * ```ts
 * import { LiveAuthError } from '@atrest/etcd-live';
 * // e instanceof LiveAuthError → check --user
 * ```
 */
export class LiveAuthError extends LiveEtcdError {
  constructor(endpoints: readonly string[], cause?: unknown) {
    super(ErrorCode.EtcdAuth, `etcd at ${endpoints.join(', ')} rejected the user name or password; check --user`, endpoints, { cause });
  }
}

/**
 * The user may not read what was asked (etcd RBAC), or a client-certificate user lacks a role.
 * @example
 * ```ts
 * import { LivePermissionError } from '@atrest/etcd-live';
 * // e instanceof LivePermissionError → grant the user a role with read on the prefix
 * ```
 */
export class LivePermissionError extends LiveEtcdError {
  constructor(endpoints: readonly string[], what: string, cause?: unknown) {
    super(ErrorCode.EtcdPermission, `etcd at ${endpoints.join(', ')} denied ${what}; grant the user a role that can read it (etcdctl role grant-permission ... read)`, endpoints, { cause });
  }
}

/**
 * The revision being read was compacted away while reading (kube-apiserver compacts every 5
 * minutes). Retry from the start; `compactRevision` is the new compaction revision.
 * @example
 * ```ts
 * import { LiveCompactedError } from '@atrest/etcd-live';
 * // e instanceof LiveCompactedError → run again; old revisions up to e.compactRevision are gone
 * ```
 */
export class LiveCompactedError extends LiveEtcdError {
  /** The compaction revision etcd reported (0 when etcd did not say). */
  readonly compactRevision: number;
  /** The revision that was asked for. */
  readonly requestedRevision: number;
  constructor(endpoints: readonly string[], requestedRevision: number, compactRevision: number, cause?: unknown) {
    super(
      ErrorCode.EtcdCompacted,
      `etcd at ${endpoints.join(', ')} has compacted revision ${requestedRevision} away${compactRevision ? ` (compaction revision ${compactRevision})` : ''}; run again${compactRevision ? `, reading at revision ${compactRevision} or later` : ''}`,
      endpoints,
      { cause, context: { requestedRevision, compactRevision } },
    );
    this.compactRevision = compactRevision;
    this.requestedRevision = requestedRevision;
  }
}

/**
 * A request took longer than `commandTimeoutMs` (or the dial longer than `dialTimeoutMs`).
 * @example
 * ```ts
 * import { LiveTimeoutError } from '@atrest/etcd-live';
 * // e instanceof LiveTimeoutError → etcd is overloaded or a member is stuck; raise --command-timeout
 * ```
 */
export class LiveTimeoutError extends LiveEtcdError {
  /** The timeout that passed, in milliseconds. */
  readonly timeoutMs: number;
  constructor(endpoints: readonly string[], what: string, timeoutMs: number, cause?: unknown) {
    super(ErrorCode.EtcdTimeout, `${what} at ${endpoints.join(', ')} did not finish within ${timeoutMs} ms; check etcd's health or raise --command-timeout`, endpoints, { cause, context: { timeoutMs } });
    this.timeoutMs = timeoutMs;
  }
}
