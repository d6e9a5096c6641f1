/**
 * The etcd starter moved to the private `@atrest/test-support` package; this re-export keeps the
 * old import path working for tests that still use it.
 * @module
 */
export { freePort, haveEtcd, startEtcd, type EtcdServer } from '@atrest/test-support';
