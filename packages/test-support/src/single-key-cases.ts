/**
 * Test helper: the upstream value vectors a single provider can answer on its own, for the
 * provider packages' suites (a provider entry in a one-entry chain, which is what such a
 * configuration builds upstream) and the Go peer's (one provider and one key per request, no
 * configurations).
 *
 * A case qualifies when its reading configuration has exactly one provider entry and the stored
 * value carries that provider's prefix (otherwise the result comes from resource resolution or a
 * bare identity transformer):
 * - aescbc / aesgcm / secretbox with exactly one key: the stored value starts with
 *   `k8s:enc:<provider>:v1:` (the key name may differ: that is the unknown-key case);
 * - kms with one `kms` entry: the stored value starts with `k8s:enc:kms:<v1|v2>:<name>:`.
 *
 * The configurations are upstream-generated YAML in one fixed shape, so the few lines needed are
 * read with anchored patterns instead of a YAML parser.
 * @module
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One case of `test-vectors/upstream/values.json`. */
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

/** What one provider needs to replay a qualifying case. */
export type SingleProvider =
  | { readonly kind: 'local'; readonly provider: 'aescbc' | 'aesgcm' | 'secretbox'; readonly keyName: string; readonly secret: Uint8Array }
  | { readonly kind: 'kmsv1'; readonly name: string }
  | { readonly kind: 'kmsv2'; readonly name: string; readonly keyID: string };

/** A single-provider, single-key case with its key. */
export interface SingleKeyCase extends ValueCase {
  readonly keyName: string;
  readonly secret: Uint8Array;
}

// The vectors are test-vectors' data file, read in place (the same path from src/ and dist/). Not
// through a dependency on @atrest/test-vectors: its tests use the providers, whose tests use this
// package, and pnpm would see a cycle.
const path = fileURLToPath(new URL('../../../test-vectors/upstream/values.json', import.meta.url));

/** Every case in the vector file. */
export function allValueCases(): ValueCase[] {
  return (JSON.parse(readFileSync(path, 'utf8')) as { cases: ValueCase[] }).cases;
}

/** Standard base64 to bytes. */
export const fromB64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));

const PROVIDER_LINE = /^ *- (aescbc|aesgcm|secretbox|kms|identity):/gm;
const KEY_NAME_LINE = /^ *- name: (\S+)$/gm;
const SECRET_LINE = /^ *secret: '?([A-Za-z0-9+/=]*)'?$/gm;

const storedStartsWith = (c: ValueCase, prefix: string): boolean => Buffer.from(c.stored, 'base64').subarray(0, prefix.length).toString('latin1') === prefix;

/**
 * The single provider that reads `c`, or undefined when the case needs more than one.
 * @param c - a values.json case
 * @returns provider, key or kms settings
 */
export function singleProviderOf(c: ValueCase): SingleProvider | undefined {
  const providers = [...c.config.matchAll(PROVIDER_LINE)].map((m) => m[1]);
  if (providers.length !== 1) return undefined;
  const provider = providers[0];
  if (provider === 'aescbc' || provider === 'aesgcm' || provider === 'secretbox') {
    const names = [...c.config.matchAll(KEY_NAME_LINE)].map((m) => m[1] as string);
    const secrets = [...c.config.matchAll(SECRET_LINE)].map((m) => m[1] as string);
    if (names.length !== 1 || secrets.length !== 1) return undefined;
    if (!storedStartsWith(c, `k8s:enc:${provider}:v1:`)) return undefined;
    return { kind: 'local', provider, keyName: names[0] as string, secret: fromB64(secrets[0] as string) };
  }
  if (provider === 'kms' && c.kms?.length === 1) {
    const kms = c.kms[0] as NonNullable<ValueCase['kms']>[number];
    if (kms.mock !== 'base64' || !storedStartsWith(c, `k8s:enc:kms:${kms.apiVersion}:${kms.name}:`)) return undefined;
    if (kms.apiVersion === 'v1') return { kind: 'kmsv1', name: kms.name };
    if (kms.keyID === undefined) return undefined;
    return { kind: 'kmsv2', name: kms.name, keyID: kms.keyID };
  }
  return undefined;
}

function resourceMatched(config: string, resource: string): boolean {
  const block = /- resources:\n((?:[ ]+- .+\n)+)[ ]+providers:/.exec(config)?.[1] ?? '';
  const listed = [...block.matchAll(/- '?([^'\n]+)'?\n/g)].map((m) => m[1]);
  const dot = resource.indexOf('.');
  const group = dot < 0 ? '' : resource.slice(dot + 1);
  return listed.some((r) => r === resource || r === '*.*' || r === `*.${group}`);
}

/**
 * Cases {@link singleProviderOf} gives to one local provider of kind `kind` whose rule also covers
 * the case's resource (the provider packages replay them through a one-entry chain).
 */
export function singleKeyCases(kind: 'aesgcm' | 'aescbc' | 'secretbox'): SingleKeyCase[] {
  const out: SingleKeyCase[] = [];
  for (const c of allValueCases()) {
    const p = singleProviderOf(c);
    if (p?.kind !== 'local' || p.provider !== kind || !resourceMatched(c.config, c.resource)) continue;
    out.push({ ...c, keyName: p.keyName, secret: p.secret });
  }
  return out;
}

/** Fields of a protobuf message as (field number, bytes) for length-delimited fields only. */
export function protoBytesFields(msg: Uint8Array): Map<number, Uint8Array> {
  const fields = new Map<number, Uint8Array>();
  let i = 0;
  const varint = (): number => {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = msg[i++] as number;
      v += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return v;
      shift += 7;
    }
  };
  while (i < msg.length) {
    const tag = varint();
    const wire = tag & 7;
    if (wire === 0) varint();
    else if (wire === 2) {
      const n = varint();
      fields.set(Math.floor(tag / 8), msg.subarray(i, i + n));
      i += n;
    } else throw new Error(`unexpected wire type ${wire}`);
  }
  return fields;
}
