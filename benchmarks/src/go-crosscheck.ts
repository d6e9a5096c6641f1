/**
 * atrest and the Go anchor read each other's values, before anything is compared: for every
 * provider and every crypto backend, atrest decrypts a value the benchmarked Go chain wrote, and
 * the Go chain decrypts a value atrest wrote, both to the deterministic plaintext of the size and
 * not stale (`chain5`: an aesgcm value read through the 5-provider chain, stale on both sides).
 * Keys are fresh from the CSPRNG and shared through the request; KMS plugins are the Base64 mock
 * on both sides. A comparison of different bytes would compare nothing.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { backendNames, type CryptoBackend, getBackend, nodeBackend } from '@atrest/core';
import { ETCD_KEY, plaintext, PROVIDERS, type Provider, transformerFor } from './fixtures.js';
import { GO_ANCHOR_BINARY } from './go-runner.js';

/** What the Go side answers (`benchmarks/go/src/atrestbench/cmd/atrest-bench-go/crosscheck.go`). */
export interface GoCrossCheckAnswer {
  readonly reads: Readonly<Record<string, { readonly ok: boolean; readonly stale: boolean; readonly error?: string }>>;
  /** base64 stored values written by Go. */
  readonly values: Readonly<Record<string, string>>;
}

/** The names checked: every provider, and `chain5`. */
export const CROSS_CHECK_NAMES: readonly string[] = [...PROVIDERS, 'chain5'];

const KEYED = ['aescbc', 'aesgcm', 'secretbox'] as const;
const CHAIN5: readonly Provider[] = ['aescbc', 'secretbox', 'kmsv1', 'kmsv2', 'aesgcm'];

/** The shape of `fixtures.ts` `configYaml`, with the given keys. */
function configWithKeys(providers: readonly Provider[], keys: Readonly<Record<string, string>>): string {
  const entry = (p: Provider): string => {
    if (p === 'identity') return '      - identity: {}\n';
    if (p === 'kmsv1') return '      - kms:\n          apiVersion: v1\n          name: bench-v1\n          endpoint: unix:///bench.sock\n';
    if (p === 'kmsv2') return '      - kms:\n          apiVersion: v2\n          name: bench-v2\n          endpoint: unix:///bench.sock\n';
    return `      - ${p}:\n          keys:\n            - name: key1\n              secret: ${keys[p]}\n`;
  };
  return `apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources: [secrets]\n    providers:\n${providers.map(entry).join('')}`;
}

/** Ask the Go anchor to read `values` and write its own. */
export function goCrossCheck(request: { keys: Record<string, string>; size: number; values: Record<string, string> }, binary = GO_ANCHOR_BINARY): GoCrossCheckAnswer {
  const r = spawnSync(binary, ['crosscheck'], { input: JSON.stringify(request), encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`atrest-bench-go crosscheck failed: ${r.stderr || r.error?.message}`);
  return JSON.parse(r.stdout) as GoCrossCheckAnswer;
}

const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * Cross-check atrest and the Go anchor in both directions.
 * @param sizes - plaintext sizes in bytes
 * @param backends - default every registered backend (`backendNames()`)
 * @param binary - the built Go anchor
 * @returns one line per check, for logs
 * @throws Error naming provider, size, backend and direction when any check fails
 */
export async function crossCheckGo(sizes: readonly number[] = [1024], backends: readonly CryptoBackend[] = backendNames().map(getBackend), binary = GO_ANCHOR_BINARY): Promise<string[]> {
  const keys = Object.fromEntries(KEYED.map((p) => [p, Buffer.from(nodeBackend.randomBytes(32)).toString('base64')]));
  const log: string[] = [];
  for (const size of sizes) {
    const pt = plaintext(size);
    for (const backend of backends) {
      const single = (p: Provider) => transformerFor(configWithKeys([p], keys), backend);
      const readerOf = (name: string) => (name === 'chain5' ? transformerFor(configWithKeys(CHAIN5, keys), backend) : single(name as Provider));
      const values: Record<string, string> = {};
      for (const name of CROSS_CHECK_NAMES) {
        const stored = await single(name === 'chain5' ? 'aesgcm' : (name as Provider)).write(pt, ETCD_KEY);
        values[name] = Buffer.from(stored).toString('base64');
      }
      const answer = goCrossCheck({ keys, size, values }, binary);
      for (const name of CROSS_CHECK_NAMES) {
        const wantStale = name === 'chain5';
        const where = `${name} ${size} B, backend ${backend.name}`;
        const goRead = answer.reads[name];
        if (goRead?.ok !== true || goRead.stale !== wantStale) {
          throw new Error(`cross-check: Go cannot read ${where} written by atrest (ok=${goRead?.ok}, stale=${goRead?.stale}, ${goRead?.error ?? 'no error'})`);
        }
        const fromGo = answer.values[name];
        if (fromGo === undefined) throw new Error(`cross-check: Go wrote no value for ${where}`);
        const r = await readerOf(name).read(Buffer.from(fromGo, 'base64'), ETCD_KEY);
        if (!same(r.plaintext, pt) || r.stale !== wantStale) {
          throw new Error(`cross-check: atrest cannot read ${where} written by Go (stale=${r.stale})`);
        }
        log.push(`${where}: atrest reads Go, Go reads atrest`);
      }
    }
  }
  return log;
}
