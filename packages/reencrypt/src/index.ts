/**
 * `@atrest/reencrypt`: rewrite a running etcd's stale values under the configuration's write key,
 * in place and safely: a compare-and-swap transaction per key that keeps its lease, every new value
 * read back to the same plaintext before it is written, nothing kept between runs.
 *
 * @example
 * ```ts
 * import { reencrypt } from '@atrest/reencrypt';
 * import { openLiveEtcd } from '@atrest/etcd-live';
 * import { loadEncryptionConfiguration } from '@atrest/config';
 * declare const configYaml: string;
 * const etcd = await openLiveEtcd({ endpoints: ['http://127.0.0.1:2379'], dialTimeoutMs: 2000, commandTimeoutMs: 5000 });
 * const dry = await reencrypt(etcd, { config: loadEncryptionConfiguration(configYaml), dryRun: true });
 * console.log(dry.rewrites); // { 'aescbc:key1 -> aesgcm:key2': 1234 }
 * etcd.close();
 * ```
 * @module
 */
export { decide, type Decision, type SkipReason } from './decide.js';
export { reencrypt, type ReencryptOptions, type ReencryptProgress, type ReencryptReport, type ReencryptTarget, type ResourceCounts, type SkippedValue } from './reencrypt.js';
export { Selection } from './select.js';
