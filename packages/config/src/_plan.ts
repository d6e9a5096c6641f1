/**
 * Upstream's transformer-map construction, independent of what a provider becomes (internal).
 *
 * kube-apiserver walks the rules in file order. For each rule it first builds the rule's
 * providers, then, for each of the rule's resources, refuses the configuration if an earlier
 * rule already claimed `*.<group>` or `*.*` ("masking"), and otherwise appends the rule's
 * providers to that group-resource's list. Several rules naming the same group-resource thus get
 * their providers concatenated in rule order. {@link planTransformers} reproduces that walk with
 * a caller-supplied `build` step, so names (for {@link resolveChain}) and real chain entries
 * (for {@link loadEncryptionConfiguration}) come from one implementation.
 *
 * @module
 */
import { AtrestError, ErrorCode } from '@atrest/core';
import {
  ANY_GROUP_ANY_RESOURCE,
  formatGroupResource,
  groupResourceKey,
  parseGroupResource,
  type GroupResource,
} from './group-resource.js';
import type { EncryptionConfiguration, ProviderConfiguration } from './types.js';

/** The group-resources that rules name, each with its concatenated provider list. */
export interface TransformerPlan<T> {
  /** Keyed by {@link groupResourceKey}, in first-mention order. */
  readonly rules: ReadonlyMap<string, { readonly groupResource: GroupResource; readonly items: readonly T[] }>;
}

/** Which provider a plan item came from. */
export interface ProviderSite {
  readonly provider: ProviderConfiguration;
  /** Field path of the provider element: `resources[1].providers[0]`. */
  readonly field: string;
  readonly ruleIndex: number;
  readonly providerIndex: number;
}

/**
 * Walk the rules as upstream does.
 *
 * @param cfg - the configuration
 * @param build - turns one provider element into the item(s) to append (called once per element)
 * @returns the plan
 * @throws AtrestError ERR_CONFIG_BUILD `resource "x" is masked by earlier rule "y"`, or whatever
 *   `build` throws
 */
export function planTransformers<T>(cfg: EncryptionConfiguration, build: (site: ProviderSite) => T): TransformerPlan<T> {
  const rules = new Map<string, { groupResource: GroupResource; items: T[] }>();
  cfg.resources.forEach((rule, ruleIndex) => {
    const items = rule.providers.map((provider, providerIndex) =>
      build({ provider, field: `resources[${ruleIndex}].providers[${providerIndex}]`, ruleIndex, providerIndex }),
    );
    rule.resources.forEach((resource, resourceIndex) => {
      const gr = parseGroupResource(resource);
      const anyInGroup: GroupResource = { group: gr.group, resource: '*' };
      for (const masking of [anyInGroup, ANY_GROUP_ANY_RESOURCE]) {
        if (rules.has(groupResourceKey(masking))) {
          throw new AtrestError(
            ErrorCode.ConfigBuild,
            `resource ${JSON.stringify(formatGroupResource(gr))} is masked by earlier rule ${JSON.stringify(formatGroupResource(masking))}`,
            { field: `resources[${ruleIndex}].resources[${resourceIndex}]` },
          );
        }
      }
      const key = groupResourceKey(gr);
      const existing = rules.get(key);
      if (existing === undefined) rules.set(key, { groupResource: gr, items: [...items] });
      else existing.items.push(...items);
    });
  });
  return { rules };
}

/**
 * Upstream's lookup: the exact group-resource, then `*.<group>`, then `*.*`.
 *
 * @param plan - a plan
 * @param gr - the group-resource to look up
 * @returns the matching rule's key, or undefined when no rule matches (bare identity)
 */
export function lookupRule<T>(plan: TransformerPlan<T>, gr: GroupResource): string | undefined {
  for (const candidate of [gr, { group: gr.group, resource: '*' }, ANY_GROUP_ANY_RESOURCE]) {
    const key = groupResourceKey(candidate);
    if (plan.rules.has(key)) return key;
  }
  return undefined;
}

/**
 * Which provider kind upstream's builder picks for an element (its switch order: aesgcm, aescbc,
 * secretbox, kms, identity), or the build error for an element with none.
 *
 * @param site - the provider element
 * @returns the kind
 * @throws AtrestError ERR_CONFIG_BUILD when the element holds no provider, or a kms provider has
 *   an unsupported API version
 */
export function providerKind(site: ProviderSite): 'aesgcm' | 'aescbc' | 'secretbox' | 'kms' | 'identity' {
  const p = site.provider;
  if (p.aesgcm !== undefined) return 'aesgcm';
  if (p.aescbc !== undefined) return 'aescbc';
  if (p.secretbox !== undefined) return 'secretbox';
  if (p.kms !== undefined) {
    if (p.kms.apiVersion !== 'v1' && p.kms.apiVersion !== 'v2') {
      throw new AtrestError(
        ErrorCode.ConfigBuild,
        `could not configure KMS plugin ${JSON.stringify(p.kms.name)}, unsupported KMS API version ${JSON.stringify(p.kms.apiVersion)}`,
        { field: `${site.field}.kms.apiVersion` },
      );
    }
    return 'kms';
  }
  if (p.identity !== undefined) return 'identity';
  throw new AtrestError(
    ErrorCode.ConfigBuild,
    'provider does not contain any of the expected providers: KMS, AESGCM, AESCBC, Secretbox, Identity',
    { field: site.field },
  );
}
