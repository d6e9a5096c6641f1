/**
 * `@atrest/etcd-snapshot/internal`: what atrest's own packages (the benchmarks) use beyond the
 * public API: the zero-copy `mvccpb.KeyValue` decoder, whose key and value are views into the
 * page bytes. Not public API: it may change in any release.
 * @module
 */
export { decodeKeyValueView } from './_keyvalue.js';
