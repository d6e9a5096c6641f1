/**
 * `@atrest/etcd-live`: a read-only source of revisions from a running etcd (consistent paged
 * reads at one revision, and the surviving history since the compaction revision), with
 * etcdctl-compatible connection options and typed errors that name the endpoint.
 * @module
 */
export {
  connectionOptionsFrom,
  parseDuration,
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_DIAL_TIMEOUT_MS,
  type EtcdConnectionOptions,
  type EtcdFlags,
  type ParsedConnectionOptions,
} from './connection.js';
export {
  LiveAuthError,
  LiveCompactedError,
  LiveEtcdError,
  LiveOptionsError,
  LivePermissionError,
  LiveTimeoutError,
  LiveTlsError,
  LiveUnreachableError,
  type LiveEtcdErrorCode,
} from './errors.js';
export { openLiveEtcd, prefixRangeEnd, type HistoryOptions, type LatestOptions, type LiveEtcd, type LiveFacts, type LiveRevision } from './live.js';
