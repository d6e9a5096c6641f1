/**
 * Picks the upstream `values.json` cases a single provider can answer on its own, so the Go peer
 * (which knows one provider and one key per request, not configurations) can be checked against
 * upstream's recorded results.
 *
 * A case qualifies when its reading configuration has exactly one provider entry and the stored
 * value carries that provider's prefix (otherwise the result comes from resource resolution or a
 * bare identity transformer, which the peer does not model):
 * - aescbc / aesgcm / secretbox with exactly one key: the stored value starts with
 *   `k8s:enc:<provider>:v1:` (the key name may differ: that is the unknown-key case);
 * - kms with one `kms` entry: the stored value starts with `k8s:enc:kms:<v1|v2>:<name>:`.
 *
 * The configurations are upstream-generated YAML in one fixed shape, so this reads the few lines
 * it needs with anchored patterns instead of a YAML parser (test-vectors depends on none), and
 * refuses any case whose shape it does not recognise rather than guess.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One `values.json` case, as the vectors README defines it. */
export interface ValueCase {
  readonly id: string;
  readonly description: string;
  readonly config: string;
  readonly resource: string;
  readonly key: string;
  readonly stored: string;
  readonly kms?: readonly { name: string; apiVersion: 'v1' | 'v2'; mock: string; keyID?: string }[];
  readonly expect: { readonly plaintext: string; readonly stale: boolean } | { readonly error: string };
}

/** What the peer needs to replay a qualifying case. */
export type SingleProvider =
  | { readonly kind: 'local'; readonly provider: 'aescbc' | 'aesgcm' | 'secretbox'; readonly keyName: string; readonly secret: Uint8Array }
  | { readonly kind: 'kmsv1'; readonly name: string }
  | { readonly kind: 'kmsv2'; readonly name: string; readonly keyID: string };

/**
 * Read `test-vectors/upstream/values.json`.
 * @returns its cases, in file order
 */
export function loadValueCases(): readonly ValueCase[] {
  const file = fileURLToPath(new URL('../upstream/values.json', import.meta.url));
  return (JSON.parse(readFileSync(file, 'utf8')) as { cases: ValueCase[] }).cases;
}

const PROVIDER_LINE = /^ *- (aescbc|aesgcm|secretbox|kms|identity):/gm;
const KEY_NAME_LINE = /^ *- name: (\S+)$/gm;
const SECRET_LINE = /^ *secret: '?([A-Za-z0-9+/=]*)'?$/gm;

const startsWith = (bytes: Uint8Array, prefix: string): boolean =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).subarray(0, prefix.length).toString('latin1') === prefix;

/**
 * The single provider that reads `c`, or undefined when the case needs more than one.
 * @param c - a values.json case
 * @returns provider, key or kms settings
 */
export function singleProviderOf(c: ValueCase): SingleProvider | undefined {
  const providers = [...c.config.matchAll(PROVIDER_LINE)].map((m) => m[1]);
  if (providers.length !== 1) return undefined;
  const stored = Buffer.from(c.stored, 'base64');
  const provider = providers[0];
  if (provider === 'aescbc' || provider === 'aesgcm' || provider === 'secretbox') {
    const names = [...c.config.matchAll(KEY_NAME_LINE)].map((m) => m[1] as string);
    const secrets = [...c.config.matchAll(SECRET_LINE)].map((m) => m[1] as string);
    if (names.length !== 1 || secrets.length !== 1) return undefined;
    if (!startsWith(stored, `k8s:enc:${provider}:v1:`)) return undefined;
    return { kind: 'local', provider, keyName: names[0] as string, secret: new Uint8Array(Buffer.from(secrets[0] as string, 'base64')) };
  }
  if (provider === 'kms' && c.kms?.length === 1) {
    const kms = c.kms[0] as NonNullable<ValueCase['kms']>[number];
    if (kms.mock !== 'base64' || !startsWith(stored, `k8s:enc:kms:${kms.apiVersion}:${kms.name}:`)) return undefined;
    if (kms.apiVersion === 'v1') return { kind: 'kmsv1', name: kms.name };
    if (kms.keyID === undefined) return undefined;
    return { kind: 'kmsv2', name: kms.name, keyID: kms.keyID };
  }
  return undefined;
}
