/**
 * Loading a configuration into working transformers, as kube-apiserver does at startup.
 *
 * {@link loadEncryptionConfiguration} parses strictly, validates (upstream's validator), refuses
 * masked rules, decodes the secrets and builds one `PrefixChain` per configured group-resource
 * (no-match error `no matching prefix found`). Providers are built once per rule and shared by
 * every resource of that rule, as upstream shares them. Chains are built on first use and cached.
 *
 * @module
 */
import { AtrestError, ErrorCode, PrefixChain, type ChainEntry, type CryptoBackend, type Transformer } from '@atrest/core';
import { identity } from '@atrest/identity';
import { lookupRule, planTransformers, type TransformerPlan } from './_plan.js';
import { buildProviderEntry, isUnavailable, type KmsFactory, type UnavailableProvider } from './build.js';
import { ConfigValidationError } from './errors.js';
import { formatGroupResource, parseGroupResource, type GroupResource } from './group-resource.js';
import { parseEncryptionConfiguration } from './parse.js';
import { providerEntryNames } from './resolve.js';
import type { EncryptionConfiguration } from './types.js';
import { validateEncryptionConfiguration } from './validate.js';

/** Options of {@link loadEncryptionConfiguration}. */
export interface LoadOptions {
  /** Builds kms providers; without it, resources whose chain holds kms cannot be used. */
  readonly kms?: KmsFactory;
  /** Crypto backend for every provider (default: core's `defaultBackend()`). */
  readonly backend?: CryptoBackend;
  /** A label for the input (usually the file path), reported in errors. */
  readonly source?: string;
  /** Validate as for a hot reload (kms v1 names must be unique too). Default false. */
  readonly reload?: boolean;
}

/** A group-resource a rule names, with its read chain by entry name. */
export interface ConfiguredResource {
  /** As configs write it: `secrets`, `*.apps`, `*.`, `*.*`. */
  readonly groupResource: string;
  /** Entry names in read order (`aesgcm:key1`, `kms:v2:plugin`, `identity`); the first writes. */
  readonly chain: readonly string[];
}

/** A loaded configuration. */
export interface LoadedEncryptionConfiguration {
  /** The parsed configuration (secrets redacted when printed). */
  readonly config: EncryptionConfiguration;
  /**
   * The transformer kube-apiserver would use for a resource: the chain of the exact rule, else
   * `*.<group>`, else `*.*`; a bare `identity()` when no rule matches.
   * @throws AtrestError ERR_PROVIDER_UNAVAILABLE when the chain needs a kms provider and no
   *   kms factory was given
   */
  transformerForResource(groupResource: string | GroupResource): Transformer;
  /** Every group-resource the rules name, in first-mention order. */
  readonly resources: readonly ConfiguredResource[];
  /**
   * The rule kube-apiserver would use for a resource (exact, else `*.<group>`, else `*.*`), or
   * undefined when no rule covers it and it is stored as plaintext by default.
   */
  ruleForResource(groupResource: string | GroupResource): ConfiguredResource | undefined;
}

type Item = ChainEntry | UnavailableProvider;

/**
 * Parse, validate and build an `EncryptionConfiguration`.
 *
 * @param text - the file's contents (YAML or JSON)
 * @param options - kms factory, crypto backend, source label, reload
 * @returns the loaded configuration
 * @throws AtrestError ERR_CONFIG_PARSE (syntax, unknown field, wrong type), ConfigValidationError
 *   ERR_CONFIG_INVALID (with `issues`), ERR_CONFIG_BUILD (masked rule), ERR_INVALID_KEY, or what
 *   the kms factory throws
 * @example
 * ```ts
 * import { loadEncryptionConfiguration } from '@atrest/config';
 * import { utf8 } from '@atrest/core';
 * const loaded = loadEncryptionConfiguration(`
 * apiVersion: apiserver.config.k8s.io/v1
 * kind: EncryptionConfiguration
 * resources:
 *   - resources: [secrets]
 *     providers:
 *       - aesgcm: { keys: [{ name: key1, secret: c2VjcmV0IGlzIHNlY3JldA== }] }
 *       - identity: {}
 * `, { source: 'encryption.yaml' });
 * const secrets = loaded.transformerForResource('secrets');
 * const ctx = utf8('/registry/secrets/default/db');
 * const stored = await secrets.write(utf8('hello'), ctx); // k8s:enc:aesgcm:v1:key1:...
 * const { plaintext, stale } = await secrets.read(stored, ctx);
 * ```
 */
export function loadEncryptionConfiguration(text: string | Uint8Array, options: LoadOptions = {}): LoadedEncryptionConfiguration {
  const config = parseEncryptionConfiguration(text, options.source === undefined ? {} : { source: options.source });
  const issues = validateEncryptionConfiguration(config, { reload: options.reload ?? false });
  if (issues.length > 0) throw new ConfigValidationError(issues, options.source);

  const withSource = (err: unknown): unknown =>
    err instanceof AtrestError && err.context.source === undefined && options.source !== undefined
      ? new AtrestError(err.code, err.message, { ...err.context, source: options.source }, { cause: err })
      : err;

  let names: TransformerPlan<string[]>;
  let plan: TransformerPlan<Item>;
  try {
    const buildOptions = {
      ...(options.kms === undefined ? {} : { kms: options.kms }),
      ...(options.backend === undefined ? {} : { backend: options.backend }),
    };
    // Building walks the rules as upstream does (a rule's providers, then its masking check), so
    // the first error upstream would report is the one reported here.
    plan = planTransformers(config, (site) => buildProviderEntry(site, buildOptions));
    names = planTransformers(config, providerEntryNames);
  } catch (err) {
    throw withSource(err);
  }

  const byKey = new Map<string, ConfiguredResource>();
  for (const [key, r] of names.rules) byKey.set(key, Object.freeze({ groupResource: formatGroupResource(r.groupResource), chain: Object.freeze(r.items.flat()) }));
  const resources: ConfiguredResource[] = [...byKey.values()];
  const ruleForResource = (groupResource: string | GroupResource): ConfiguredResource | undefined => {
    const key = lookupRule(names, typeof groupResource === 'string' ? parseGroupResource(groupResource) : groupResource);
    return key === undefined ? undefined : byKey.get(key);
  };
  const chains = new Map<string, Transformer>();
  const bareIdentity = identity();

  const transformerForResource = (groupResource: string | GroupResource): Transformer => {
    const gr = typeof groupResource === 'string' ? parseGroupResource(groupResource) : groupResource;
    const key = lookupRule(plan, gr);
    if (key === undefined) return bareIdentity;
    const cached = chains.get(key);
    if (cached !== undefined) return cached;
    const rule = plan.rules.get(key);
    if (rule === undefined) return bareIdentity;
    const entries: ChainEntry[] = [];
    for (const item of rule.items) {
      if (isUnavailable(item)) throw withSource(item.unavailable);
      entries.push(item);
    }
    const ruleName = formatGroupResource(rule.groupResource);
    const chain = new PrefixChain(
      entries,
      () => new AtrestError(ErrorCode.NoMatchingPrefix, 'no matching prefix found', { resource: ruleName }),
    );
    chains.set(key, chain);
    return chain;
  };

  return Object.freeze({ config, transformerForResource, ruleForResource, resources: Object.freeze(resources) });
}
