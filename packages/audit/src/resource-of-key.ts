/**
 * Which group-resource an etcd key belongs to, from the key alone.
 *
 * kube-apiserver stores objects under `/registry/<resource>/[<namespace>/]<name>` for built-in
 * resources and `/registry/<group>/<resource>/...` for custom resources (a second segment with a
 * dot). OpenShift uses the prefixes `/kubernetes.io/` and `/openshift.io/` instead of
 * `/registry/`. A few built-in resources are stored under another name (`services/specs`,
 * `services/endpoints`, `minions`, `controllers`, `ingress`), and built-in resources outside the
 * core group need their group: both come from `resource-names.ts`; an unlisted resource is taken
 * as core.
 *
 * @module
 */

import { BY_STORAGE } from './resource-names.js';

/** Where a key lives. */
export type KeyLocation =
  | { readonly kind: 'object'; readonly groupResource: string; readonly namespace?: string; readonly name: string }
  | { readonly kind: 'other' };

const PREFIXES = ['/registry/', '/kubernetes.io/', '/openshift.io/'];

/**
 * Locate an etcd key.
 *
 * @param key - the etcd key as text
 * @returns the group-resource (`secrets`, `deployments.apps`, `widgets.example.com`), namespace
 *   and name; or `other` for keys that are not objects (`compact_rev_key`, `/registry/masterleases/...`)
 * @example
 * ```ts
 * import { locateKey } from '@atrest/audit';
 * locateKey('/registry/secrets/default/db'); // { kind: 'object', groupResource: 'secrets', namespace: 'default', name: 'db' }
 * locateKey('/registry/example.com/widgets/shop/w1'); // groupResource 'widgets.example.com'
 * locateKey('compact_rev_key'); // { kind: 'other' }
 * ```
 */
export function locateKey(key: string): KeyLocation {
  const prefix = PREFIXES.find((p) => key.startsWith(p));
  if (prefix === undefined) return { kind: 'other' };
  const parts = key.slice(prefix.length).split('/');
  if (parts.length < 2 || parts.some((p) => p === '')) return { kind: 'other' };
  let resource = parts[0] as string;
  let group: string;
  let rest: string[];
  if (resource.includes('.')) {
    // /registry/<group>/<resource>/...
    if (parts.length < 3) return { kind: 'other' };
    group = resource;
    resource = parts[1] as string;
    rest = parts.slice(2);
  } else {
    if (resource === 'masterleases' || resource === 'apiserverleases') return { kind: 'other' };
    const two = BY_STORAGE.get(`${resource}/${parts[1]}`);
    const known = two ?? BY_STORAGE.get(resource);
    group = '';
    if (known !== undefined) resource = known.groupResource;
    rest = parts.slice(two === undefined ? 1 : 2);
  }
  const groupResource = group === '' ? resource : `${resource}.${group}`;
  if (rest.length === 1) return { kind: 'object', groupResource, name: rest[0] as string };
  if (rest.length === 2) return { kind: 'object', groupResource, namespace: rest[0] as string, name: rest[1] as string };
  return { kind: 'other' };
}

/** Group-resources by their key segments; resources are few, so a bound only guards hostile input. */
const groupResources = new Map<string, string>();
const MAX_CACHED = 4096;

function remember(segments: string, groupResource: string): string {
  if (groupResources.size < MAX_CACHED) groupResources.set(segments, groupResource);
  return groupResource;
}

/**
 * The group-resource of an etcd key, as {@link locateKey} finds it, or `null` for `other`; without
 * splitting the key (the audit asks once per key of a snapshot).
 * @internal
 */
export function groupResourceOf(key: string): string | null {
  const start = key.startsWith('/registry/') ? 10 : key.startsWith('/kubernetes.io/') ? 15 : key.startsWith('/openshift.io/') ? 14 : -1;
  if (start < 0) return null;
  // Segments after the prefix: none may be empty; s1/s2 end the first two.
  let count = 1;
  let s1 = -1;
  let s2 = -1;
  let from = start;
  for (let at = key.indexOf('/', from); at >= 0; at = key.indexOf('/', from)) {
    if (at === from) return null;
    if (count === 1) s1 = at;
    else if (count === 2) s2 = at;
    count++;
    from = at + 1;
  }
  if (from === key.length || count < 2) return null;
  const first = key.slice(start, s1);
  if (first.includes('.')) {
    // /registry/<group>/<resource>/[<namespace>/]<name>
    if (count !== 3 && count !== 4) return null;
    const cacheKey = key.slice(start, s2);
    return groupResources.get(cacheKey) ?? remember(cacheKey, `${key.slice(s1 + 1, s2)}.${first}`);
  }
  if (first === 'services') {
    // /registry/services/specs/<namespace>/<name> and /registry/services/endpoints/...
    const known = BY_STORAGE.get(key.slice(start, s2 > 0 ? s2 : key.length));
    if (known !== undefined) return count === 3 || count === 4 ? known.groupResource : null;
  }
  if (count !== 2 && count !== 3) return null;
  if (first === 'masterleases' || first === 'apiserverleases') return null;
  const cached = groupResources.get(first);
  if (cached !== undefined) return cached;
  return remember(first, BY_STORAGE.get(first)?.groupResource ?? first);
}
