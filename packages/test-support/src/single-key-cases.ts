/**
 * Test helper (shared by the provider packages' suites): the upstream value vectors whose configuration holds exactly one provider of a
 * given kind with exactly one key, with that key extracted from the YAML. Those cases can be
 * replayed against a single provider entry in a one-entry chain, which is what such a
 * configuration builds upstream.
 * @module
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One case of `test-vectors/upstream/values.json`. */
export interface ValueCase {
  readonly id: string;
  readonly config: string;
  readonly resource: string;
  readonly key: string;
  readonly stored: string;
  readonly kms?: readonly { name: string; apiVersion: string; keyID?: string }[];
  readonly expect: { plaintext: string; stale: boolean } | { error: string };
}

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

function resourceMatched(config: string, resource: string): boolean {
  const block = /- resources:\n((?:[ ]+- .+\n)+)[ ]+providers:/.exec(config)?.[1] ?? '';
  const listed = [...block.matchAll(/- '?([^'\n]+)'?\n/g)].map((m) => m[1]);
  const dot = resource.indexOf('.');
  const group = dot < 0 ? '' : resource.slice(dot + 1);
  return listed.some((r) => r === resource || r === '*.*' || r === `*.${group}`);
}

/**
 * Cases whose config has exactly one provider, of kind `kind`, with one key, whose resource that
 * provider's rule covers, and whose stored value carries `kind`'s prefix.
 */
export function singleKeyCases(kind: 'aesgcm' | 'aescbc' | 'secretbox'): SingleKeyCase[] {
  const out: SingleKeyCase[] = [];
  for (const c of allValueCases()) {
    const providers = [...c.config.matchAll(/^\s*- (aesgcm|aescbc|secretbox|identity|kms):/gm)];
    if (providers.length !== 1 || providers[0]?.[1] !== kind) continue;
    const names = [...c.config.matchAll(/^\s*- name: (\S+)$/gm)];
    const secrets = [...c.config.matchAll(/^\s*secret: '?([A-Za-z0-9+/=]*)'?$/gm)];
    if (names.length !== 1 || secrets.length !== 1) continue;
    if (!resourceMatched(c.config, c.resource)) continue;
    if (!Buffer.from(c.stored, 'base64').toString('latin1').startsWith(`k8s:enc:${kind}:v1:`)) continue;
    out.push({ ...c, keyName: names[0]?.[1] as string, secret: fromB64(secrets[0]?.[1] as string) });
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
