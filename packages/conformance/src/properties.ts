/**
 * The `properties` suite: fast-check-generated cases sent through the protocol. Each property is
 * one case (`properties:<name>`, stable ids); a failure is shrunk by fast-check and reported with
 * the counterexample and the `--seed N --path P` that replay it.
 *
 * @module
 */
import fc from 'fast-check';
import { utf8 } from '@atrest/core';
import { readVarint, varint } from '@atrest/core/wire';
import { fromBase64, toBase64 } from './_b64.js';
import { observeError } from './_errors.js';
import {
  applyTampering,
  type ArbitraryProvider,
  type ArbitrarySite,
  type Tampering,
  plaintextArbitrary,
  rotatedChainArbitrary,
  siteArbitrary,
  withChain,
} from './arbitraries.js';
import { PROPERTY_IDS } from './property-ids.js';
import { transformerForCase } from './run-values.js';
import type { CaseResult } from './types.js';

/** What the runner got for one request (see the runner's Session). */
export type PropertyAnswer = { ok: Record<string, unknown> } | { error: { kind: string; text: string } } | { failure: string };

/** Sends one request to the implementation. */
export type PropertyRequest = (op: 'decrypt' | 'encrypt', body: object) => Promise<PropertyAnswer>;

/** Options of the properties suite. */
export interface PropertiesOptions {
  /** fast-check seed (default: random; the report prints it). */
  readonly seed?: number;
  /** Runs per property (default 100). */
  readonly runs?: number;
  /** Replay path of a failure (with its seed), from a report. */
  readonly path?: string;
  /** Only these properties (ids without `properties:`); default all. */
  readonly only?: readonly string[];
}

/** A planned property: its id and the providers it needs. */
export interface PlannedProperty {
  readonly id: string;
  readonly needs: readonly string[];
  readonly run: (request: PropertyRequest) => Promise<CaseResult>;
}

class PropertyFailure extends Error {}

const site = (s: ArbitrarySite) => ({ config: s.config, resource: s.resource, key: s.key, ...(s.kms.length === 0 ? {} : { kms: s.kms }) });
const protoProvider = (p: ArbitraryProvider): string => p;

function describe(a: PropertyAnswer): string {
  if ('failure' in a) return a.failure;
  if ('error' in a) return `error (${a.error.kind}): ${a.error.text}`;
  return `ok ${JSON.stringify(a.ok).slice(0, 200)}`;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
const ENC = utf8('k8s:enc:');
const isEnc = (b: Uint8Array) => b.length >= ENC.length && ENC.every((x, i) => b[i] === x);

async function atrestWrite(s: ArbitrarySite, plaintext: Uint8Array): Promise<Uint8Array> {
  return transformerForCase({ config: s.config, resource: s.resource, kms: s.kms }).write(plaintext, utf8(s.key));
}

/** Ask the implementation to decrypt; the plaintext and stale flag, or a PropertyFailure. */
async function implDecrypt(request: PropertyRequest, s: ArbitrarySite, stored: Uint8Array): Promise<{ plaintext: Uint8Array; stale: boolean }> {
  const a = await request('decrypt', { ...site(s), stored: toBase64(stored) });
  if (!('ok' in a)) throw new PropertyFailure(`decrypt: ${describe(a)}`);
  if (typeof a.ok.plaintext !== 'string' || typeof a.ok.stale !== 'boolean') throw new PropertyFailure('protocol violation: decrypt needs {"plaintext", "stale"}');
  return { plaintext: fromBase64(a.ok.plaintext), stale: a.ok.stale };
}

async function implEncrypt(request: PropertyRequest, s: ArbitrarySite, plaintext: Uint8Array): Promise<Uint8Array> {
  const a = await request('encrypt', { ...site(s), plaintext: toBase64(plaintext) });
  if (!('ok' in a)) throw new PropertyFailure(`encrypt: ${describe(a)}`);
  if (typeof a.ok.stored !== 'string') throw new PropertyFailure('protocol violation: encrypt needs {"stored"}');
  return fromBase64(a.ok.stored);
}

/** Read with atrest in process what the implementation wrote. */
async function atrestRead(s: ArbitrarySite, stored: Uint8Array): Promise<{ plaintext: Uint8Array; stale: boolean }> {
  try {
    return await transformerForCase({ config: s.config, resource: s.resource, kms: s.kms }).read(stored, utf8(s.key));
  } catch (err) {
    throw new PropertyFailure(`atrest could not read what the implementation wrote: ${observeError(err).error}`);
  }
}

const expectPlain = (what: string, got: { plaintext: Uint8Array; stale: boolean }, want: Uint8Array, stale: boolean) => {
  if (!sameBytes(got.plaintext, want)) {
    throw new PropertyFailure(`${what}: plaintext of ${got.plaintext.length} bytes, expected the original ${want.length} bytes`);
  }
  if (got.stale !== stale) throw new PropertyFailure(`${what}: stale ${got.stale}, expected ${stale}`);
};

type Definition = {
  readonly name: string;
  readonly needs: readonly ArbitraryProvider[];
  readonly property: (request: PropertyRequest, providers: readonly ArbitraryProvider[]) => fc.IAsyncProperty<[unknown, ...unknown[]]>;
};

const LOCAL_AND_KMS: readonly ArbitraryProvider[] = ['aescbc', 'aesgcm', 'secretbox', 'kmsv2'];

/**
 * The byte ranges of an atrest-written kms v2 value's length-delimited envelope fields 2 (key ID)
 * and 3 (wrapped seed), found by walking the envelope's tags (`@atrest/core/wire`).
 */
function envelopeFields(stored: Uint8Array): { keyID?: [number, number]; source?: [number, number] } {
  const out: { keyID?: [number, number]; source?: [number, number] } = {};
  let pos = stored.indexOf(0x3a, utf8('k8s:enc:kms:v2:').length) + 1;
  while (pos > 0 && pos < stored.length) {
    pos = readVarint(stored, pos, stored.length, 5);
    if (pos < 0) break;
    const field = varint.lo >>> 3;
    if ((varint.lo & 7) === 0) {
      pos = readVarint(stored, pos, stored.length, 10);
      continue;
    }
    pos = readVarint(stored, pos, stored.length, 5);
    if (pos < 0) break;
    const range: [number, number] = [pos, pos + varint.lo];
    if (field === 2) out.keyID = range;
    if (field === 3) out.source = range;
    pos = range[1];
  }
  return out;
}

/**
 * Whether a flip lands in a kms v2 field that the protocol's Base64 mock plugin cannot
 * authenticate (a real plugin's Decrypt does), and so may be accepted:
 * - `key-id`: the key ID is not authenticated data; a value whose key ID no longer matches the
 *   plugin's reads back as the original plaintext, **stale** (whether a key ID that is no longer
 *   UTF-8 is refused depends on the protobuf runtime, so an error is right too);
 * - `dek-source`: the wrapped seed's base64 text still decodes to the same bytes (a flip of the
 *   unused low bits of its last character, which lenient decoders such as Go's ignore).
 * Anything else (the ciphertext, the source type, the prefix, a truncation) must be refused.
 */
function mockBlindSpot(stored: Uint8Array, tampered: Uint8Array, t: Tampering): 'key-id' | 'dek-source' | undefined {
  if (t.kind !== 'flip') return undefined;
  const { keyID, source } = envelopeFields(stored);
  const inside = (r: [number, number] | undefined): r is [number, number] => r !== undefined && t.index >= r[0] && t.index < r[1];
  if (inside(keyID)) return 'key-id';
  if (!inside(source)) return undefined;
  const decoded = (b: Uint8Array) => Buffer.from(Buffer.from(b.subarray(source[0], source[1])).toString('latin1'), 'base64');
  return sameBytes(decoded(stored), decoded(tampered)) ? 'dek-source' : undefined;
}

const tamperProperty = (kind: ArbitraryProvider, authenticated: boolean): Definition => ({
  name: `tamper-${kind}`,
  needs: [kind],
  property: (request) =>
    fc.asyncProperty(
      siteArbitrary({ providers: [kind], first: [kind] }),
      plaintextArbitrary(),
      fc.context(),
      fc.nat(),
      fc.nat(),
      async (s, plaintext, ctx, pick, bitOrLength) => {
        const stored = await atrestWrite(s, plaintext);
        // One tampering drawn from the value's own length: a flip (pick even) or a truncation.
        const tampering =
          pick % 2 === 0
            ? { kind: 'flip' as const, index: Math.floor(pick / 2) % stored.length, bit: bitOrLength % 8 }
            : { kind: 'truncate' as const, length: bitOrLength % stored.length };
        ctx.log(`stored ${stored.length} bytes, tampering ${JSON.stringify(tampering)}`);
        const tampered = applyTampering(stored, tampering);
        const a = await request('decrypt', { ...site(s), stored: toBase64(tampered) });
        if ('failure' in a) throw new PropertyFailure(a.failure);
        if (!('ok' in a)) return;
        const got = typeof a.ok.plaintext === 'string' ? fromBase64(a.ok.plaintext) : undefined;
        const blind = kind === 'kmsv2' ? mockBlindSpot(stored, tampered, tampering) : undefined;
        if (blind !== undefined && got !== undefined && sameBytes(got, plaintext)) {
          // The one acceptable answer: the original plaintext, stale exactly when the key ID changed.
          if (a.ok.stale === (blind === 'key-id')) return;
          throw new PropertyFailure(`a kmsv2 value with its ${blind} tampered (${JSON.stringify(tampering)}) read back with stale ${a.ok.stale}`);
        }
        if (authenticated) throw new PropertyFailure(`a tampered ${kind} value (${JSON.stringify(tampering)}) was accepted: ${describe(a)}`);
        if (got !== undefined && sameBytes(got, plaintext)) {
          throw new PropertyFailure(`a tampered ${kind} value (${JSON.stringify(tampering)}) read back as the original plaintext`);
        }
      },
    ),
});

/** Every property of the suite, in report order. */
const DEFINITIONS: readonly Definition[] = [
  {
    // atrest writes, the implementation reads: the plaintext, not stale.
    name: 'decrypt-roundtrip',
    needs: [],
    property: (request, providers) =>
      fc.asyncProperty(siteArbitrary({ providers }), plaintextArbitrary(), async (s, plaintext) => {
        expectPlain('decrypt of what atrest wrote', await implDecrypt(request, s, await atrestWrite(s, plaintext)), plaintext, false);
      }),
  },
  {
    // The implementation writes, atrest reads in process: the plaintext, not stale.
    name: 'encrypt-roundtrip',
    needs: [],
    property: (request, providers) =>
      fc.asyncProperty(siteArbitrary({ providers }), plaintextArbitrary(), async (s, plaintext) => {
        expectPlain('atrest reading what the implementation wrote', await atrestRead(s, await implEncrypt(request, s, plaintext)), plaintext, false);
      }),
  },
  {
    // Nonces, IVs and DEKs are random: the same plaintext written twice gives other bytes.
    name: 'encrypt-twice-differs',
    needs: [],
    property: (request, providers) =>
      fc.asyncProperty(
        siteArbitrary({ providers, first: providers.filter((p) => p !== 'identity') }),
        plaintextArbitrary(),
        async (s, plaintext) => {
          const one = await implEncrypt(request, s, plaintext);
          const two = await implEncrypt(request, s, plaintext);
          if (isEnc(one) && sameBytes(one, two)) {
            throw new PropertyFailure('the same plaintext encrypted twice gave identical bytes: nonces or IVs are not random');
          }
        },
      ),
  },
  {
    // Written under a chain, read under a later one where the writer is no longer first (a new
    // first key, a rotated kms key ID, a new provider in front): the plaintext, stale.
    name: 'stale-after-rotation',
    needs: [],
    property: (request, providers) =>
      fc.asyncProperty(
        siteArbitrary({ providers, first: providers.filter((p) => p !== 'identity'), maxChain: 4 }).chain((s) =>
          fc.tuple(fc.constant(s), rotatedChainArbitrary(s.chain).filter((c) => c.every((p) => providers.includes(p.kind)))),
        ),
        plaintextArbitrary(),
        async ([s, rotated], plaintext) => {
          const stored = await atrestWrite(s, plaintext);
          expectPlain('decrypt under the rotated configuration', await implDecrypt(request, withChain(s, rotated), stored), plaintext, true);
        },
      ),
  },
  {
    // Written with one etcd key, read with another: the providers that authenticate it (aesgcm,
    // kms v2: AES-GCM with the etcd key as additional data) refuse. Upstream's secretbox and aescbc
    // do not bind the etcd key, so they are not generated here.
    name: 'etcd-key-bound',
    needs: [],
    property: (request, providers) => {
      const auth = providers.filter((p) => p === 'aesgcm' || p === 'kmsv2');
      return fc.asyncProperty(
        siteArbitrary({ providers: auth, first: auth }),
        fc.string({ minLength: 1, maxLength: 4 }),
        plaintextArbitrary(),
        async (s, suffix, plaintext) => {
          const stored = await atrestWrite(s, plaintext);
          const a = await request('decrypt', { ...site({ ...s, key: s.key + suffix }), stored: toBase64(stored) });
          if ('failure' in a) throw new PropertyFailure(a.failure);
          if ('ok' in a) throw new PropertyFailure(`a value read under another etcd key (+${JSON.stringify(suffix)}) was accepted: ${describe(a)}`);
        },
      );
    },
  },
  tamperProperty('aesgcm', true),
  tamperProperty('secretbox', true),
  tamperProperty('kmsv2', true),
  tamperProperty('aescbc', false),
];

if (DEFINITIONS.map((d) => `properties:${d.name}`).join() !== PROPERTY_IDS.join()) throw new Error('PROPERTY_IDS out of date');

/**
 * Plan the properties suite for an implementation that declared `declared` providers.
 *
 * @param declared - providers from the handshake
 * @param options - seed, runs, replay path, subset
 * @returns planned properties and the skipped ids
 */
export function planProperties(
  declared: readonly string[],
  options: PropertiesOptions,
): { planned: PlannedProperty[]; skipped: string[]; seed: number } {
  // A fresh seed from the CSPRNG (the project's rule for any random value in package code); it is printed for replay.
  const seed = options.seed ?? (globalThis.crypto.getRandomValues(new Uint32Array(1))[0] as number) >>> 1;
  const runs = options.runs ?? 100;
  const providers = (['identity', ...LOCAL_AND_KMS] as ArbitraryProvider[]).filter((p) => declared.includes(protoProvider(p)));
  const planned: PlannedProperty[] = [];
  const skipped: string[] = [];
  for (const d of DEFINITIONS) {
    const id = `properties:${d.name}`;
    if (options.only !== undefined && !options.only.includes(d.name) && !options.only.includes(id)) continue;
    const auth = providers.filter((p) => p === 'aesgcm' || p === 'kmsv2');
    const usable = d.needs.every((p) => providers.includes(p)) && providers.some((p) => p !== 'identity') && (d.name !== 'etcd-key-bound' || auth.length > 0);
    if (!usable) {
      skipped.push(id);
      continue;
    }
    planned.push({
      id,
      needs: d.needs,
      run: async (request) => {
        const details = await fc.check(d.property(request, providers), {
          seed,
          numRuns: runs,
          ...(options.path === undefined ? {} : { path: options.path, endOnFailure: true }),
        });
        if (!details.failed) return { id, ok: true, expected: `${runs} runs hold`, actual: `${details.numRuns} runs held (seed ${seed})` };
        const err = details.errorInstance;
        const reason = err instanceof PropertyFailure ? err.message : err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        const shown = details.counterexample === null ? '(none)' : fc.stringify(details.counterexample);
        return {
          id,
          ok: false,
          expected: `${runs} runs hold`,
          actual: {
            error: reason,
            counterexample: shown.length > 1500 ? `${shown.slice(0, 1500)}...` : shown,
            replay: `--suite properties --property ${d.name} --seed ${details.seed} --path ${details.counterexamplePath} --runs ${runs}`,
            seed: details.seed,
            path: details.counterexamplePath,
            runs: details.numRuns,
            shrinks: details.numShrinks,
          },
        };
      },
    });
  }
  return { planned, skipped, seed };
}
