/**
 * EncryptionConfigurations and small checks shared by tests that write and audit values: fixed,
 * public test keys (they only ever protect generated test data).
 * @module
 */
import type { EtcdServer } from './etcd-server.js';

/** A fixed 32-byte test key, every byte `n`, in base64. */
export const testKey = (n: number): string => Buffer.alloc(32, n).toString('base64');

/** A config with one rule for Secrets whose provider lines (YAML, six spaces in) are `providers`. */
export const secretsConfig = (providers: string): string => `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
${providers}`;

/** Provider lines for {@link secretsConfig}: aesgcm key2, aescbc key1, identity. */
export const GCM2 = `      - aesgcm: { keys: [{ name: key2, secret: ${testKey(2)} }] }\n`;
export const CBC1 = `      - aescbc: { keys: [{ name: key1, secret: ${testKey(1)} }] }\n`;
export const IDENTITY = '      - identity: {}\n';

/** A provider line for {@link secretsConfig}: a kms v2 plugin `name` on the unix socket at `socket`. */
export const kmsV2 = (name: string, socket: string, timeout = '3s'): string =>
  `      - kms: { apiVersion: v2, name: ${name}, endpoint: 'unix://${socket}', timeout: ${timeout} }\n`;

/** etcd's current revision, read without writing. */
export const etcdRevision = (etcd: EtcdServer): number => JSON.parse(etcd.ctl(['endpoint', 'status', '-w', 'json']))[0].Status.header.revision as number;

/** An audit report's JSON without its `source` header (what differs between a live and a snapshot audit). */
export function reportBody(stdout: Uint8Array | string): Record<string, unknown> {
  const { source: _, ...rest } = JSON.parse(typeof stdout === 'string' ? stdout : Buffer.from(stdout).toString()) as Record<string, unknown>;
  return rest;
}
