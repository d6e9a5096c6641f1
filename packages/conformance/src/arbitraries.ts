/**
 * fast-check arbitraries for Kubernetes encryption-at-rest implementations
 * (`@atrest/conformance/arbitraries`): keys and key sizes, etcd keys (with `:` and non-ASCII),
 * plaintexts around block boundaries, provider chains of up to 5 entries under exact or wildcard
 * resource rules (`*.`, `*.apps`, `*.*`), and tamperings of stored values. The conformance runner's
 * `properties` suite is built from them; a JavaScript implementation can use them directly in its
 * own property tests.
 *
 * @example
 * ```ts
 * import fc from 'fast-check';
 * import { siteArbitrary, plaintextArbitrary } from '@atrest/conformance/arbitraries';
 * fc.assert(
 *   fc.property(siteArbitrary(), plaintextArbitrary(), (site, plaintext) => {
 *     return site.config.includes('EncryptionConfiguration') && plaintext.length >= 0;
 *   }),
 *   { numRuns: 10 },
 * );
 * ```
 * @module
 */
import fc from 'fast-check';
import type { VectorKmsEntry } from './types.js';

/** Providers the arbitraries generate (kms: v2 through the protocol's Base64 mock). */
export type ArbitraryProvider = 'identity' | 'aescbc' | 'aesgcm' | 'secretbox' | 'kmsv2';

/** All of {@link ArbitraryProvider}. */
export const ARBITRARY_PROVIDERS: readonly ArbitraryProvider[] = ['identity', 'aescbc', 'aesgcm', 'secretbox', 'kmsv2'];

/** Providers whose stored values are authenticated: any bit flip or truncation must be rejected. */
export const AUTHENTICATED_PROVIDERS: readonly ArbitraryProvider[] = ['aesgcm', 'secretbox', 'kmsv2'];

/** Plaintext lengths around the AES block (16) and secretbox/GCM boundaries, plus a large one. */
export const BOUNDARY_LENGTHS: readonly number[] = [0, 1, 15, 16, 17, 31, 32, 33, 47, 48, 49, 4095, 4096, 4097];

/** One named local key: `secret` is the raw key (16, 24 or 32 bytes for AES, 32 for secretbox). */
export interface ArbitraryKey {
  readonly name: string;
  readonly secret: Uint8Array;
}

/**
 * One provider of a chain. Local providers hold their keys (the first one writes); kmsv2 names its
 * plugin and the key ID the Base64 mock reports; identity holds nothing.
 */
export type ArbitraryProviderSpec =
  | { readonly kind: 'identity' }
  | { readonly kind: 'aescbc' | 'aesgcm' | 'secretbox'; readonly keys: readonly ArbitraryKey[] }
  | { readonly kind: 'kmsv2'; readonly name: string; readonly keyID: string };

/** A configuration, the resource it is used for, the etcd key and the kms mocks: where a value lives. */
export interface ArbitrarySite {
  /** EncryptionConfiguration YAML. */
  readonly config: string;
  /** Group-resource (`secrets`, `deployments.apps`, ...). */
  readonly resource: string;
  /** The etcd key: the authenticated data. */
  readonly key: string;
  /** Base64 mock plugins of the config's kms providers (empty: none). */
  readonly kms: readonly VectorKmsEntry[];
  /** The resource's provider chain, in order (what `config` says). */
  readonly chain: readonly ArbitraryProviderSpec[];
  /** The resource pattern of the rule that applies (`secrets`, `*.`, `*.apps`, `*.*`). */
  readonly pattern: string;
}

/** A change to a stored value: one bit flipped, or the value cut to `length` bytes. */
export type Tampering = { readonly kind: 'flip'; readonly index: number; readonly bit: number } | { readonly kind: 'truncate'; readonly length: number };

const toB64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

/**
 * Key sizes a provider accepts: 16, 24 or 32 bytes for aescbc and aesgcm, 32 for secretbox.
 *
 * @param kind - a local provider
 * @returns the sizes in bytes
 * @example
 * ```ts
 * import { keySizes } from '@atrest/conformance/arbitraries';
 * keySizes('secretbox'); // [32]
 * ```
 */
export function keySizes(kind: 'aescbc' | 'aesgcm' | 'secretbox'): readonly number[] {
  return kind === 'secretbox' ? [32] : [16, 24, 32];
}

/**
 * A random raw key of a size `kind` accepts.
 *
 * @param kind - a local provider
 * @returns key bytes
 * @example
 * ```ts
 * import fc from 'fast-check';
 * import { keyArbitrary } from '@atrest/conformance/arbitraries';
 * const [key] = fc.sample(keyArbitrary('aesgcm'), 1);
 * ```
 */
export function keyArbitrary(kind: 'aescbc' | 'aesgcm' | 'secretbox'): fc.Arbitrary<Uint8Array> {
  return fc.constantFrom(...keySizes(kind)).chain((n) => fc.uint8Array({ minLength: n, maxLength: n }));
}

const NAME_UNITS = ['a', 'b', 'z', '0', '9', '-', '.', ':', 'é', 'ü', 'ß', 'Ω', '日', '本', '🔑'];

/**
 * An etcd key for a resource: `/registry/<resource>/<namespace>/<name>` where the name may hold
 * `:`, dots and non-ASCII (its UTF-8 bytes are the additional data).
 *
 * @param resource - group-resource (default `secrets`)
 * @returns etcd keys
 * @example
 * ```ts
 * import fc from 'fast-check';
 * import { etcdKeyArbitrary } from '@atrest/conformance/arbitraries';
 * fc.sample(etcdKeyArbitrary('secrets'), 3); // e.g. ['/registry/secrets/ns/a:é', ...]
 * ```
 */
export function etcdKeyArbitrary(resource = 'secrets'): fc.Arbitrary<string> {
  const name = fc.array(fc.constantFrom(...NAME_UNITS), { minLength: 1, maxLength: 12 }).map((u) => u.join(''));
  return fc.tuple(fc.constantFrom('default', 'kube-system', 'ns-1'), name).map(([ns, n]) => `/registry/${resource}/${ns}/${n}`);
}

/**
 * Plaintexts: lengths around block boundaries ({@link BOUNDARY_LENGTHS}) or short random ones.
 *
 * @returns plaintext bytes
 * @example
 * ```ts
 * import fc from 'fast-check';
 * import { plaintextArbitrary } from '@atrest/conformance/arbitraries';
 * fc.sample(plaintextArbitrary(), 5).map((p) => p.length);
 * ```
 */
export function plaintextArbitrary(): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.constantFrom(...BOUNDARY_LENGTHS).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
    fc.uint8Array({ maxLength: 100 }),
  );
}

/**
 * One provider of a chain, its key names and kms names numbered by `index` (unique in a chain).
 *
 * @param kind - the provider
 * @param index - its position (names: `k<index>a`, `k<index>b`..., `kms<index>`)
 * @returns provider specs with 1 to 3 keys (local) or a key ID (kmsv2)
 * @example
 * ```ts
 * import fc from 'fast-check';
 * import { providerArbitrary } from '@atrest/conformance/arbitraries';
 * const [p] = fc.sample(providerArbitrary('aescbc', 0), 1);
 * ```
 */
export function providerArbitrary(kind: ArbitraryProvider, index: number): fc.Arbitrary<ArbitraryProviderSpec> {
  if (kind === 'identity') return fc.constant({ kind });
  if (kind === 'kmsv2') return fc.constantFrom('key-id-1', 'k2', 'ä:1').map((keyID) => ({ kind, name: `kms${index}`, keyID }));
  return fc
    .array(keyArbitrary(kind), { minLength: 1, maxLength: 3 })
    .map((secrets) => ({ kind, keys: secrets.map((secret, i) => ({ name: `k${index}${'abc'[i]}`, secret })) }));
}

/** Resources and the wildcard patterns that match them. */
const RESOURCES: Readonly<Record<string, readonly string[]>> = {
  secrets: ['secrets', '*.', '*.*'],
  configmaps: ['configmaps', '*.', '*.*'],
  'deployments.apps': ['deployments.apps', '*.apps', '*.*'],
  'widgets.example.com': ['widgets.example.com', '*.*'],
};

function providerYaml(p: ArbitraryProviderSpec): string {
  if (p.kind === 'identity') return '      - identity: {}\n';
  if (p.kind === 'kmsv2') {
    return `      - kms:\n          apiVersion: v2\n          name: ${p.name}\n          endpoint: unix:///var/run/kms-${p.name}.sock\n          timeout: 3s\n`;
  }
  const keys = p.keys.map((k) => `            - name: ${k.name}\n              secret: ${toB64(k.secret)}\n`).join('');
  return `      - ${p.kind}:\n          keys:\n${keys}`;
}

/**
 * The EncryptionConfiguration YAML of a chain for a resource pattern; `decoy` adds a first rule
 * for another resource (identity) that must not apply.
 *
 * @param pattern - `secrets`, `*.`, `*.apps`, `*.*`, ...
 * @param chain - providers in order
 * @param decoy - a resource of an earlier rule that must not match
 * @returns YAML
 * @example
 * ```ts
 * import { configYaml } from '@atrest/conformance/arbitraries';
 * configYaml('*.', [{ kind: 'identity' }]);
 * ```
 */
export function configYaml(pattern: string, chain: readonly ArbitraryProviderSpec[], decoy?: string): string {
  const rule = (resource: string, providers: string) => `  - resources:\n      - '${resource}'\n    providers:\n${providers}`;
  return (
    'apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n' +
    (decoy === undefined ? '' : rule(decoy, providerYaml({ kind: 'identity' }))) +
    rule(pattern, chain.map(providerYaml).join(''))
  );
}

/** The kms mocks a chain needs. */
export function kmsEntries(chain: readonly ArbitraryProviderSpec[]): VectorKmsEntry[] {
  return chain.flatMap((p) => (p.kind === 'kmsv2' ? [{ name: p.name, apiVersion: 'v2', mock: 'base64', keyID: p.keyID }] : []));
}

/**
 * Build a site from a chain: the config YAML, kms mocks and everything else kept.
 *
 * @param site - a site whose chain changed
 * @param chain - the new chain
 * @returns the site with config and kms for `chain`
 * @example
 * ```ts
 * import fc from 'fast-check';
 * import { siteArbitrary, withChain } from '@atrest/conformance/arbitraries';
 * const [site] = fc.sample(siteArbitrary(), 1);
 * withChain(site!, [{ kind: 'identity' }]);
 * ```
 */
export function withChain(site: ArbitrarySite, chain: readonly ArbitraryProviderSpec[]): ArbitrarySite {
  const decoy = /^ {2}- resources:\n {6}- '([^']*)'\n {4}providers:\n {6}- identity: \{\}\n {2}- resources:/.exec(site.config)?.[1];
  return { ...site, chain, config: configYaml(site.pattern, chain, decoy), kms: kmsEntries(chain) };
}

/** Options of {@link siteArbitrary}. */
export interface SiteOptions {
  /** Providers the chain may use (default: all of {@link ARBITRARY_PROVIDERS}). */
  readonly providers?: readonly ArbitraryProvider[];
  /** Providers the first entry (the writer) may be (default: `providers`). */
  readonly first?: readonly ArbitraryProvider[];
  /** Longest chain (default 5). */
  readonly maxChain?: number;
}

/**
 * A site: a chain of 1 to 5 providers under an exact or wildcard rule (`*.`, `*.apps`, `*.*`),
 * sometimes after a decoy rule for another resource, a matching resource and an etcd key.
 *
 * @param options - which providers, which writers, how long
 * @returns sites
 * @example
 * ```ts
 * import fc from 'fast-check';
 * import { siteArbitrary } from '@atrest/conformance/arbitraries';
 * const [site] = fc.sample(siteArbitrary({ providers: ['aesgcm', 'identity'], first: ['aesgcm'] }), 1);
 * ```
 */
export function siteArbitrary(options: SiteOptions = {}): fc.Arbitrary<ArbitrarySite> {
  const providers = options.providers ?? ARBITRARY_PROVIDERS;
  const first = options.first ?? providers;
  const maxChain = options.maxChain ?? 5;
  return fc
    .record({
      resource: fc.constantFrom(...Object.keys(RESOURCES)),
      kinds: fc.tuple(fc.constantFrom(...first), fc.array(fc.constantFrom(...providers), { maxLength: maxChain - 1 })),
      patternIndex: fc.nat(),
      decoy: fc.boolean(),
    })
    .chain(({ resource, kinds: [head, tail], patternIndex, decoy }) => {
      const patterns = RESOURCES[resource] as readonly string[];
      const pattern = patterns[patternIndex % patterns.length] as string;
      const decoyResource = decoy ? 'pods' : undefined;
      return fc.tuple(fc.tuple(...[head, ...tail].map((k, i) => providerArbitrary(k, i))), etcdKeyArbitrary(resource)).map(([chain, key]) => ({
        config: configYaml(pattern, chain, decoyResource),
        resource,
        key,
        kms: kmsEntries(chain),
        chain,
        pattern,
      }));
    });
}

/**
 * The chain as a later configuration that reads old values stale: the writer's key moved behind a
 * new first key (local providers), its key ID rotated (kmsv2), or a new provider put in front.
 *
 * @returns for a chain, chains under which what the first provider wrote reads stale
 * @example
 * ```ts
 * import fc from 'fast-check';
 * import { rotatedChainArbitrary } from '@atrest/conformance/arbitraries';
 * const [rotated] = fc.sample(rotatedChainArbitrary([{ kind: 'aesgcm', keys: [{ name: 'k0a', secret: new Uint8Array(32) }] }]), 1);
 * ```
 */
export function rotatedChainArbitrary(chain: readonly ArbitraryProviderSpec[]): fc.Arbitrary<ArbitraryProviderSpec[]> {
  const [head, ...rest] = chain as [ArbitraryProviderSpec, ...ArbitraryProviderSpec[]];
  const newFront = fc
    .constantFrom<ArbitraryProvider>('aescbc', 'aesgcm', 'secretbox')
    .chain((k) => providerArbitrary(k, 9))
    .map((p) => [p, ...chain].slice(0, 5));
  if (head.kind === 'identity') return newFront;
  if (head.kind === 'kmsv2') {
    return fc.oneof(fc.constant<ArbitraryProviderSpec[]>([{ ...head, keyID: `${head.keyID}-next` }, ...rest]), newFront);
  }
  const kind = head.kind;
  const rotated = keyArbitrary(kind).map((secret) => [{ kind, keys: [{ name: 'knew', secret }, ...head.keys] }, ...rest] as ArbitraryProviderSpec[]);
  return fc.oneof(rotated, newFront);
}

/**
 * A tampering of a stored value of `length` bytes: one bit flipped anywhere (`from` onwards), or
 * the value cut short.
 *
 * @param length - the stored value's length (at least 1)
 * @param from - first byte that may change (default 0)
 * @returns tamperings
 * @example
 * ```ts
 * import fc from 'fast-check';
 * import { tamperArbitrary, applyTampering } from '@atrest/conformance/arbitraries';
 * const stored = new Uint8Array(40);
 * const [t] = fc.sample(tamperArbitrary(stored.length), 1);
 * applyTampering(stored, t!);
 * ```
 */
export function tamperArbitrary(length: number, from = 0): fc.Arbitrary<Tampering> {
  return fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), index: fc.integer({ min: Math.min(from, length - 1), max: length - 1 }), bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant('truncate' as const), length: fc.integer({ min: 0, max: length - 1 }) }),
  );
}

/**
 * Apply a tampering to a copy of a stored value.
 *
 * @param stored - the value
 * @param t - the change
 * @returns the changed copy
 * @example
 * ```ts
 * import { applyTampering } from '@atrest/conformance/arbitraries';
 * applyTampering(new Uint8Array([1, 2, 3]), { kind: 'flip', index: 0, bit: 1 }); // [3, 2, 3]
 * ```
 */
export function applyTampering(stored: Uint8Array, t: Tampering): Uint8Array {
  if (t.kind === 'truncate') return stored.slice(0, t.length);
  const out = stored.slice();
  out[t.index] = (out[t.index] as number) ^ (1 << t.bit);
  return out;
}
