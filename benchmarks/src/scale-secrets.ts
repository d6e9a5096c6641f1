/**
 * The Secrets the audit-at-scale benchmark writes: ~2 KiB v1 Secrets stored the way
 * kube-apiserver stores them, as JSON (what a JSON storage media type or a custom resource
 * looks like) or as protobuf (kube-apiserver's default for built-in types: the `k8s\0` magic, then
 * `runtime.Unknown{typeMeta, raw}`; field numbers from k8s.io/apimachinery `runtime/generated.proto`,
 * `meta/v1/generated.proto` and k8s.io/api `core/v1/generated.proto`). Payloads are deterministic.
 * @module
 */
import { utf8, writeSync } from '@atrest/core';
import { loadEncryptionConfiguration } from '@atrest/config';
import { EtcdPutter } from './etcd-put.js';
import protobuf from 'protobufjs';
import { plaintext } from './fixtures.js';

/** The config the scale benchmarks write and audit with: aesgcm under a fixed key (public: it only ever protects generated test data). */
export const SCALE_CONFIG = `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
      - aesgcm:
          keys:
            - name: bench
              secret: ${Buffer.alloc(32, 0x42).toString('base64')}
      - identity: {}
`;

/** How a Secret is stored. */
export type Encoding = 'json' | 'protobuf';

const CREATED = Date.UTC(2026, 0, 1) / 1000;
const names = (i: number) => ({ name: `secret-${i}`, namespace: `team-${i % 50}`, uid: `uid-${i}` });

/** The etcd key of Secret `i`. */
export function secretKey(i: number): string {
  const { name, namespace } = names(i);
  return `/registry/secrets/${namespace}/${name}`;
}

function json(i: number, size: number): Uint8Array {
  const { name, namespace, uid } = names(i);
  const head = { kind: 'Secret', apiVersion: 'v1', metadata: { name, namespace, uid, creationTimestamp: '2026-01-01T00:00:00Z' }, type: 'Opaque' };
  const base = JSON.stringify({ ...head, data: { value: '' } }).length + 1;
  const payload = Buffer.from(plaintext(Math.max(0, Math.floor(((size - base) * 3) / 4)), i + 1)).toString('base64');
  return utf8(`${JSON.stringify({ ...head, data: { value: payload } })}\n`);
}

const field = (w: protobuf.Writer, id: number, bytes: Uint8Array | string): protobuf.Writer =>
  w.uint32((id << 3) | 2).bytes(typeof bytes === 'string' ? Buffer.from(bytes) : bytes);

function pb(i: number, size: number): Uint8Array {
  const { name, namespace, uid } = names(i);
  const time = protobuf.Writer.create().uint32(1 << 3).int64(CREATED).finish();
  const meta = field(field(field(field(protobuf.Writer.create(), 1, name), 3, namespace), 5, uid), 8, time).finish();
  const typeMeta = field(field(protobuf.Writer.create(), 1, 'v1'), 2, 'Secret').finish();
  const secret = (value: Uint8Array) => {
    const entry = field(field(protobuf.Writer.create(), 1, 'value'), 2, value).finish();
    return field(field(field(protobuf.Writer.create(), 1, meta), 2, entry), 3, 'Opaque').finish();
  };
  const envelope = (raw: Uint8Array) => field(field(field(protobuf.Writer.create(), 1, typeMeta), 2, raw), 4, 'application/vnd.kubernetes.protobuf').finish();
  const overhead = 4 + envelope(secret(new Uint8Array(0))).length + 4;
  const raw = secret(plaintext(Math.max(0, size - overhead), i + 1));
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), envelope(raw)]);
}

/**
 * Secret `i` as stored (before encryption), about `size` bytes.
 * @param encoding - `json` or `protobuf`
 */
export function secretObject(i: number, size: number, encoding: Encoding): Uint8Array {
  return encoding === 'json' ? json(i, size) : pb(i, size);
}

/** Options of {@link putSecrets}. */
export interface PutOptions {
  /** Puts outstanding at once (default 128). */
  readonly inFlight?: number;
  /** Called every 5000 puts with the number done, instead of the default progress line. */
  readonly onProgress?: (n: number) => void;
}

/**
 * Write Secrets `0..count-1` into the etcd at `endpoint`, each encrypted by `configYaml`'s write
 * key for its etcd key and put as its own revision, as kube-apiserver writes. Called again on
 * the same etcd, it writes a new revision of each (a fresh nonce, the same object).
 * @param label - what the progress line says (`generate`, `load`)
 */
export async function putSecrets(
  endpoint: string,
  count: number,
  configYaml: string,
  label: string,
  size = 2048,
  encoding: Encoding = 'json',
  options: PutOptions = {},
): Promise<void> {
  const putter = new EtcdPutter(endpoint);
  try {
    const t = loadEncryptionConfiguration(configYaml).transformerForResource('secrets');
    function* items(): Generator<[Uint8Array, Uint8Array]> {
      for (let i = 0; i < count; i++) {
        const key = utf8(secretKey(i));
        yield [key, writeSync(t, secretObject(i, size, encoding), key)];
      }
    }
    await putter.putAll(items(), options.inFlight ?? 128, options.onProgress ?? ((n) => process.stderr.write(`\r${label}: ${n}/${count}`)));
    if (options.onProgress === undefined) process.stderr.write('\n');
  } finally {
    putter.close();
  }
}
