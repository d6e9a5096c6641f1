/**
 * Which group-resource an etcd key belongs to, from the key alone.
 *
 * kube-apiserver stores objects under `/registry/<resource>/[<namespace>/]<name>` for built-in
 * resources and `/registry/<group>/<resource>/...` for custom resources (a second segment with a
 * dot). OpenShift uses the prefixes `/kubernetes.io/` and `/openshift.io/` instead of
 * `/registry/`. Built-in resources outside the core group need their group from a table (the
 * etcd key does not carry it); the table lists the common ones, and an unlisted resource is taken
 * as core. The object's own TypeMeta, when it decodes, is the authority: the auditor reports a
 * disagreement.
 *
 * @module
 */

/** Built-in resources stored under `/registry/<resource>/` whose group is not core. */
const BUILTIN_GROUPS: Readonly<Record<string, string>> = Object.freeze({
  deployments: 'apps',
  replicasets: 'apps',
  statefulsets: 'apps',
  daemonsets: 'apps',
  controllerrevisions: 'apps',
  jobs: 'batch',
  cronjobs: 'batch',
  ingress: 'networking.k8s.io',
  ingressclasses: 'networking.k8s.io',
  networkpolicies: 'networking.k8s.io',
  clusterroles: 'rbac.authorization.k8s.io',
  clusterrolebindings: 'rbac.authorization.k8s.io',
  roles: 'rbac.authorization.k8s.io',
  rolebindings: 'rbac.authorization.k8s.io',
  poddisruptionbudgets: 'policy',
  horizontalpodautoscalers: 'autoscaling',
  leases: 'coordination.k8s.io',
  storageclasses: 'storage.k8s.io',
  csidrivers: 'storage.k8s.io',
  csinodes: 'storage.k8s.io',
  volumeattachments: 'storage.k8s.io',
  priorityclasses: 'scheduling.k8s.io',
  certificatesigningrequests: 'certificates.k8s.io',
  mutatingwebhookconfigurations: 'admissionregistration.k8s.io',
  validatingwebhookconfigurations: 'admissionregistration.k8s.io',
  apiextensions: 'apiextensions.k8s.io',
  customresourcedefinitions: 'apiextensions.k8s.io',
  apiregistration: 'apiregistration.k8s.io',
  apiservices: 'apiregistration.k8s.io',
  flowschemas: 'flowcontrol.apiserver.k8s.io',
  prioritylevelconfigurations: 'flowcontrol.apiserver.k8s.io',
  runtimeclasses: 'node.k8s.io',
  endpointslices: 'discovery.k8s.io',
  events: '', // core events; events.k8s.io shares the same storage
});

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
    group = Object.hasOwn(BUILTIN_GROUPS, resource) ? (BUILTIN_GROUPS[resource] as string) : '';
    rest = parts.slice(1);
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
  if (count !== 2 && count !== 3) return null;
  if (first === 'masterleases' || first === 'apiserverleases') return null;
  const cached = groupResources.get(first);
  if (cached !== undefined) return cached;
  const group = Object.hasOwn(BUILTIN_GROUPS, first) ? (BUILTIN_GROUPS[first] as string) : '';
  return remember(first, group === '' ? first : `${first}.${group}`);
}
