/**
 * Kubernetes' built-in resources as a kubectl user names them, and where kube-apiserver stores
 * them in etcd. Facts from `kubectl api-resources` and kube-apiserver's storage prefixes; custom
 * resources (and anything not listed) are named `plural.group` and stored under
 * `/registry/<group>/<plural>/`.
 *
 * @module
 */
import { AtrestError, ErrorCode } from '@atrest/core';

/** One built-in resource. */
export interface ResourceName {
  /** The group-resource an EncryptionConfiguration names (`secrets`, `deployments.apps`). */
  readonly groupResource: string;
  /** Singular and short names kubectl accepts besides the plural. */
  readonly aliases: readonly string[];
  readonly namespaced: boolean;
  /** The etcd key segment(s) after `/registry/` (usually the plural; `services/specs` for services). */
  readonly storage: string;
}

// [plural, group, singular, short names, namespaced, storage when not the plural]
type Row = readonly [string, string, string, readonly string[], boolean, string?];
const ROWS: readonly Row[] = [
  ['configmaps', '', 'configmap', ['cm'], true],
  ['endpoints', '', 'endpoints', ['ep'], true, 'services/endpoints'],
  ['events', '', 'event', ['ev'], true],
  ['limitranges', '', 'limitrange', ['limits'], true],
  ['namespaces', '', 'namespace', ['ns'], false],
  ['nodes', '', 'node', ['no'], false, 'minions'],
  ['persistentvolumeclaims', '', 'persistentvolumeclaim', ['pvc'], true],
  ['persistentvolumes', '', 'persistentvolume', ['pv'], false],
  ['pods', '', 'pod', ['po'], true],
  ['podtemplates', '', 'podtemplate', [], true],
  ['replicationcontrollers', '', 'replicationcontroller', ['rc'], true, 'controllers'],
  ['resourcequotas', '', 'resourcequota', ['quota'], true],
  ['secrets', '', 'secret', [], true],
  ['serviceaccounts', '', 'serviceaccount', ['sa'], true],
  ['services', '', 'service', ['svc'], true, 'services/specs'],
  ['controllerrevisions', 'apps', 'controllerrevision', [], true],
  ['daemonsets', 'apps', 'daemonset', ['ds'], true],
  ['deployments', 'apps', 'deployment', ['deploy'], true],
  ['replicasets', 'apps', 'replicaset', ['rs'], true],
  ['statefulsets', 'apps', 'statefulset', ['sts'], true],
  ['horizontalpodautoscalers', 'autoscaling', 'horizontalpodautoscaler', ['hpa'], true],
  ['cronjobs', 'batch', 'cronjob', ['cj'], true],
  ['jobs', 'batch', 'job', [], true],
  ['certificatesigningrequests', 'certificates.k8s.io', 'certificatesigningrequest', ['csr'], false],
  ['leases', 'coordination.k8s.io', 'lease', [], true],
  ['endpointslices', 'discovery.k8s.io', 'endpointslice', [], true],
  ['flowschemas', 'flowcontrol.apiserver.k8s.io', 'flowschema', [], false],
  ['prioritylevelconfigurations', 'flowcontrol.apiserver.k8s.io', 'prioritylevelconfiguration', [], false],
  ['ingressclasses', 'networking.k8s.io', 'ingressclass', [], false],
  ['ingresses', 'networking.k8s.io', 'ingress', ['ing'], true, 'ingress'],
  ['networkpolicies', 'networking.k8s.io', 'networkpolicy', ['netpol'], true],
  ['runtimeclasses', 'node.k8s.io', 'runtimeclass', [], false],
  ['poddisruptionbudgets', 'policy', 'poddisruptionbudget', ['pdb'], true],
  ['clusterrolebindings', 'rbac.authorization.k8s.io', 'clusterrolebinding', [], false],
  ['clusterroles', 'rbac.authorization.k8s.io', 'clusterrole', [], false],
  ['rolebindings', 'rbac.authorization.k8s.io', 'rolebinding', [], true],
  ['roles', 'rbac.authorization.k8s.io', 'role', [], true],
  ['priorityclasses', 'scheduling.k8s.io', 'priorityclass', ['pc'], false],
  ['csidrivers', 'storage.k8s.io', 'csidriver', [], false],
  ['csinodes', 'storage.k8s.io', 'csinode', [], false],
  ['csistoragecapacities', 'storage.k8s.io', 'csistoragecapacity', [], true],
  ['storageclasses', 'storage.k8s.io', 'storageclass', ['sc'], false],
  ['volumeattachments', 'storage.k8s.io', 'volumeattachment', [], false],
  ['mutatingwebhookconfigurations', 'admissionregistration.k8s.io', 'mutatingwebhookconfiguration', [], false],
  ['validatingwebhookconfigurations', 'admissionregistration.k8s.io', 'validatingwebhookconfiguration', [], false],
  ['validatingadmissionpolicies', 'admissionregistration.k8s.io', 'validatingadmissionpolicy', [], false],
  ['validatingadmissionpolicybindings', 'admissionregistration.k8s.io', 'validatingadmissionpolicybinding', [], false],
  ['customresourcedefinitions', 'apiextensions.k8s.io', 'customresourcedefinition', ['crd', 'crds'], false, 'apiextensions.k8s.io/customresourcedefinitions'],
  ['apiservices', 'apiregistration.k8s.io', 'apiservice', [], false, 'apiregistration.k8s.io/apiservices'],
];

const BUILTIN: readonly ResourceName[] = ROWS.map(([plural, group, singular, short, namespaced, storage]) => ({
  groupResource: group === '' ? plural : `${plural}.${group}`,
  aliases: [...new Set([singular, ...short].filter((a) => a !== plural))],
  namespaced,
  storage: storage ?? plural,
}));

/** Every name kubectl accepts for a built-in resource, lowercase, to the resource. */
const BY_NAME = new Map<string, ResourceName>();
for (const r of BUILTIN) {
  const [plural, ...group] = r.groupResource.split('.');
  const g = group.join('.');
  for (const n of [plural as string, ...r.aliases]) {
    if (!BY_NAME.has(n)) BY_NAME.set(n, r);
    BY_NAME.set(g === '' ? n : `${n}.${g}`, r);
  }
}

/** Built-in resources by their storage segment(s), for reading etcd keys. @internal */
export const BY_STORAGE: ReadonlyMap<string, ResourceName> = new Map(BUILTIN.map((r) => [r.storage, r]));

/**
 * The resource a kubectl user means: `secret`, `Secrets`, `cm`, `deploy`, `deployments.apps`
 * and `widgets.example.com` (a custom resource, as `plural.group`).
 *
 * @param name - what the user typed
 * @param flag - the flag or argument it came from, for the error
 * @returns the resource (custom resources: `namespaced` true, storage `<group>/<plural>`)
 * @throws AtrestError `ERR_INVALID_ARGUMENT` for a name that is no built-in resource and has no group
 * @example
 * ```ts
 * import { resolveResource } from '@atrest/audit';
 * resolveResource('deploy', '--resource').groupResource; // 'deployments.apps'
 * resolveResource('Secret', 'RESOURCE').groupResource; // 'secrets'
 * ```
 */
export function resolveResource(name: string, flag: string): ResourceName {
  const lower = name.trim().toLowerCase();
  const known = BY_NAME.get(lower);
  if (known !== undefined) return known;
  const dot = lower.indexOf('.');
  if (dot > 0 && dot < lower.length - 1 && /^[a-z0-9][a-z0-9.-]*$/.test(lower)) {
    return { groupResource: lower, aliases: [], namespaced: true, storage: `${lower.slice(dot + 1)}/${lower.slice(0, dot)}` };
  }
  throw new AtrestError(ErrorCode.InvalidArgument, `${flag}: "${name}" is not a resource kubectl knows; name a custom resource as plural.group (widgets.example.com)`, { flag });
}

/**
 * The etcd key kube-apiserver stores an object under (default `/registry` prefix).
 * @example
 * ```ts
 * import { etcdKeyOf, resolveResource } from '@atrest/audit';
 * etcdKeyOf(resolveResource('svc', 'RESOURCE'), 'web', 'default'); // '/registry/services/specs/default/web'
 * ```
 */
export function etcdKeyOf(resource: ResourceName, name: string, namespace: string | undefined): string {
  return `/registry/${resource.storage}/${resource.namespaced && namespace !== undefined ? `${namespace}/` : ''}${name}`;
}

/**
 * The built-in resource an object of this TypeMeta is, or undefined when it is not a built-in kind
 * atrest knows (custom resources, kinds of retired groups such as `extensions/v1beta1`).
 * @internal
 */
export function builtinResourceOfKind(apiVersion: string, kind: string): string | undefined {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const singular = kind.toLowerCase();
  const r = BY_NAME.get(group === '' ? singular : `${singular}.${group}`);
  // Only a kind's own singular name counts: a short name is not a kind.
  return r !== undefined && (r.aliases[0] === singular || r.groupResource.split('.')[0] === singular) ? r.groupResource : undefined;
}
