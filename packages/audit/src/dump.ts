/**
 * Decrypted, decoded objects from a snapshot or a running etcd, for `atrest dump`. This is the one place atrest
 * prints what is inside values (Secret data included): only when asked.
 * @module
 */
import { type AtrestError, fromUtf8 } from '@atrest/core';
import type { LoadedEncryptionConfiguration } from '@atrest/config';
import type { EtcdSnapshot } from '@atrest/etcd-snapshot';
import { decodeObject } from '@atrest/kube-objects';
import { classifyValue } from './classify.js';
import { locateKey } from './resource-of-key.js';
import type { AuditRevision } from './source.js';

/** Filters of {@link dumpObjects}. */
export interface DumpOptions {
  readonly config: LoadedEncryptionConfiguration;
  readonly resource?: string;
  readonly namespace?: string;
  readonly name?: string;
  /** Only this revision (any key); default: every surviving put revision. */
  readonly revision?: number;
  /**
   * Salvage: receives each damaged part of the snapshot (see `revisions({ onDamage })` of
   * `@atrest/etcd-snapshot`), which is then skipped; without it damage throws.
   */
  readonly onDamage?: (damage: AtrestError) => void;
}

/** One dumped revision. */
export interface DumpedObject {
  readonly key: string;
  readonly revision: number;
  readonly resource: string;
  readonly provider: string;
  readonly stale: boolean | null;
  readonly status: string;
  readonly error?: string;
  readonly object?: unknown;
}

const b64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64');
const b64map = (m: Record<string, Uint8Array>): Record<string, string> => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, b64(v)]));

function render(plaintext: Uint8Array): unknown {
  const o = decodeObject(plaintext);
  if (o.encoding === 'json') return o.json;
  const m = o.metadata;
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    metadata: m
      ? { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp, labels: m.labels, annotations: m.annotations }
      : null,
    ...(o.secret ? { type: o.secret.type, data: b64map(o.secret.data) } : {}),
    ...(o.configMap ? { data: o.configMap.data, binaryData: b64map(o.configMap.binaryData) } : {}),
    ...(!o.secret && !o.configMap ? { rawBytes: o.rawSize } : {}),
  };
}

/**
 * Iterate decrypted objects of a snapshot, in revision order.
 * @example
 * ```ts
 * import { dumpObjects } from '@atrest/audit';
 * import { loadEncryptionConfiguration } from '@atrest/config';
 * import { openSnapshot } from '@atrest/etcd-snapshot';
 * declare const configYaml: string;
 * for await (const o of dumpObjects(openSnapshot('backup.db'), { config: loadEncryptionConfiguration(configYaml), resource: 'secrets' })) {
 *   console.log(o.key, o.revision, o.status);
 * }
 * ```
 */
export async function* dumpObjects(snapshot: EtcdSnapshot, options: DumpOptions): AsyncGenerator<DumpedObject> {
  for (const entry of snapshot.revisions(options.onDamage === undefined ? {} : { onDamage: options.onDamage })) {
    const dumped = dumpOne(entry, options);
    if (dumped !== undefined) yield await dumped;
  }
}

/**
 * Iterate decrypted objects of revisions from an asynchronous source (a running etcd's
 * `latestRevisions()` or `history()` from `@atrest/etcd-live`), in the source's order.
 * @example
 * ```ts
 * import { dumpRevisions, type AuditRevision } from '@atrest/audit';
 * import { loadEncryptionConfiguration } from '@atrest/config';
 * declare const configYaml: string;
 * declare const pages: AsyncIterable<readonly AuditRevision[]>;
 * for await (const o of dumpRevisions(pages, { config: loadEncryptionConfiguration(configYaml), namespace: 'default' })) {
 *   console.log(o.key, o.provider);
 * }
 * ```
 */
export async function* dumpRevisions(batches: AsyncIterable<readonly AuditRevision[]>, options: DumpOptions): AsyncGenerator<DumpedObject> {
  for await (const batch of batches) {
    for (const entry of batch) {
      const dumped = dumpOne(entry, options);
      if (dumped !== undefined) yield await dumped;
    }
  }
}

/** One revision dumped, or undefined when the filters leave it out. */
function dumpOne(entry: AuditRevision, options: DumpOptions): Promise<DumpedObject> | undefined {
  if (entry.tombstone) return undefined;
  if (options.revision !== undefined && entry.revision.main !== options.revision) return undefined;
  const key = fromUtf8(entry.kv.key);
  const loc = locateKey(key);
  if (loc.kind === 'other') return undefined;
  if (options.resource !== undefined && loc.groupResource !== options.resource) return undefined;
  if (options.namespace !== undefined && loc.namespace !== options.namespace) return undefined;
  if (options.name !== undefined && loc.name !== options.name) return undefined;
  const resource = loc.groupResource;
  const revision = entry.revision.main;
  return Promise.resolve(classifyValue(options.config.transformerForResource(resource), key, entry.kv.value)).then((c) => {
    const cl = c.classification;
    let object: unknown;
    let error = cl.error;
    if (c.plaintext) {
      try {
        object = render(c.plaintext);
      } catch (err) {
        error = (err as Error).message;
      }
    }
    return {
      key,
      revision,
      resource,
      provider: cl.id,
      stale: cl.stale,
      status: cl.status,
      ...(error !== undefined ? { error } : {}),
      ...(object !== undefined ? { object } : {}),
    };
  });
}

/**
 * A YAML document for a JSON-compatible value: block mappings and sequences, scalars written as
 * JSON (valid YAML), so every string round-trips exactly.
  * @example
 * ```ts
 * import { toYamlDocument } from '@atrest/audit';
 * toYamlDocument({ key: '/registry/secrets/a/b', revision: 7 }); // '---\n"key": "/registry/secrets/a/b"\n"revision": 7\n'
 * ```
 */
export function toYamlDocument(value: unknown): string {
  const lines: string[] = ['---'];
  const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0;
  const isSeq = (v: unknown): v is unknown[] => Array.isArray(v) && v.length > 0;
  // `lead` is the line that introduces v ('"key":' or '-'), or null at the top.
  const emit = (v: unknown, depth: number, lead: string | null): void => {
    const pad = '  '.repeat(depth);
    if (isMap(v) || isSeq(v)) {
      if (lead !== null) lines.push(lead);
      const childPad = lead === null ? pad : `${pad}  `;
      const childDepth = lead === null ? depth : depth + 1;
      if (isMap(v)) for (const [k, x] of Object.entries(v)) emit(x, childDepth, `${childPad}${JSON.stringify(k)}:`);
      else for (const x of v) emit(x, childDepth, `${childPad}-`);
    } else {
      lines.push(`${lead === null ? '' : `${lead} `}${JSON.stringify(v ?? null)}`);
    }
  };
  emit(value, 0, null);
  return `${lines.join('\n')}\n`;
}
