/**
 * Which providers and keys a resource's read chain holds, by name, without touching keys.
 *
 * {@link resolveChain} answers "what would kube-apiserver try, in which order, for this
 * resource?" as a list of names: `aesgcm:<key>`, `aescbc:<key>`, `secretbox:<key>`,
 * `kms:v1:<name>`, `kms:v2:<name>`, `identity`. The first name is the writer. Lookup is upstream's:
 * exact group-resource, then `*.<group>` (`*.` for core), then `*.*`; a resource no rule matches
 * gets the bare identity transformer, reported as `['identity']`. A configuration in which an
 * earlier wildcard masks a later rule is refused for **every** resource, as upstream refuses to
 * start with it.
 *
 * @module
 */
import { AtrestError, ErrorCode } from '@atrest/core';
import { lookupRule, planTransformers, providerKind, type ProviderSite } from './_plan.js';
import { parseGroupResource, type GroupResource } from './group-resource.js';
import type { EncryptionConfiguration } from './types.js';

/**
 * The chain entry names one provider element contributes, in read order.
 *
 * @param site - the provider element and where it is
 * @returns names such as `['aesgcm:key1', 'aesgcm:key2']`, `['kms:v2:plugin']`, `['identity']`
 * @throws AtrestError ERR_CONFIG_BUILD for an element upstream cannot build (no provider, no
 *   keys, a key without name or secret, an unsupported kms version)
  * @example
 * ```ts
 * import { providerEntryNames, type ProviderSite } from '@atrest/config';
 * declare const site: ProviderSite; // one provider of a parsed configuration, with its field path
 * providerEntryNames(site); // e.g. ['aesgcm:key1', 'aesgcm:key2']
 * ```
 */
export function providerEntryNames(site: ProviderSite): string[] {
  const kind = providerKind(site);
  const p = site.provider;
  if (kind === 'identity') return ['identity'];
  if (kind === 'kms') {
    const kms = p.kms as NonNullable<typeof p.kms>;
    return [`kms:${kms.apiVersion}:${kms.name}`];
  }
  const keys = (p[kind] as NonNullable<(typeof p)[typeof kind]>).keys;
  if (keys.length === 0) {
    throw new AtrestError(ErrorCode.ConfigBuild, `${kind === 'secretbox' ? 'secretbox' : 'aes'} provider has no valid keys`, {
      field: `${site.field}.${kind}.keys`,
    });
  }
  keys.forEach((key, i) => {
    if (key.name === '') {
      throw new AtrestError(ErrorCode.ConfigBuild, 'key with invalid name provided', {
        field: `${site.field}.${kind}.keys[${i}].name`,
      });
    }
    if (key.secret.length === 0) {
      throw new AtrestError(ErrorCode.ConfigBuild, `key ${key.name} has no provided secret`, {
        field: `${site.field}.${kind}.keys[${i}].secret`,
      });
    }
  });
  return keys.map((k) => `${kind}:${k.name}`);
}

/**
 * The read chain of a resource, by entry name, as upstream would build it.
 *
 * @param cfg - a parsed (and normally validated) configuration
 * @param groupResource - `secrets`, `deployments.apps`, ... or a parsed {@link GroupResource}
 * @returns entry names in read order; `['identity']` for a resource no rule matches
 * @throws AtrestError ERR_CONFIG_BUILD `resource "secrets" is masked by earlier rule "*."` when the
 *   configuration has a masked rule (whatever resource is asked for)
 * @example
 * ```ts
 * import { parseEncryptionConfiguration, resolveChain } from '@atrest/config';
 * const cfg = parseEncryptionConfiguration(`
 * apiVersion: apiserver.config.k8s.io/v1
 * kind: EncryptionConfiguration
 * resources:
 *   - resources: [secrets]
 *     providers:
 *       - aesgcm: { keys: [{ name: key1, secret: c2VjcmV0IGlzIHNlY3JldA== }] }
 *       - identity: {}
 * `);
 * resolveChain(cfg, 'secrets'); // ['aesgcm:key1', 'identity']
 * resolveChain(cfg, 'configmaps'); // ['identity'] (no rule: bare identity)
 * ```
 */
export function resolveChain(cfg: EncryptionConfiguration, groupResource: string | GroupResource): string[] {
  const gr = typeof groupResource === 'string' ? parseGroupResource(groupResource) : groupResource;
  const plan = planTransformers(cfg, providerEntryNames);
  const key = lookupRule(plan, gr);
  if (key === undefined) return ['identity'];
  return plan.rules.get(key)?.items.flat() ?? ['identity'];
}
