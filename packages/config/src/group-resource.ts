/**
 * Group-resources as written in configuration files: `secrets`, `deployments.apps`, `*.apps`,
 * `*.` (every resource of the core group), `*.*` (everything).
 *
 * Upstream's `schema.ParseGroupResource` splits at the **first** dot: what precedes it is the
 * resource, what follows is the group (`widgets.stable.example.com` is resource `widgets` in
 * group `stable.example.com`; `secrets` and `secrets.` are both the core group `""`).
 *
 * @module
 */

/** A parsed group-resource. `group` is `""` for the core group. */
export interface GroupResource {
  readonly group: string;
  readonly resource: string;
}

/**
 * Split a group-resource at its first dot, as upstream's `schema.ParseGroupResource`.
 *
 * @param text - `secrets`, `deployments.apps`, `*.apps`, `*.`, `*.*`
 * @returns the group and resource
 * @example
 * ```ts
 * import { parseGroupResource } from '@atrest/config';
 * parseGroupResource('deployments.apps'); // { group: 'apps', resource: 'deployments' }
 * parseGroupResource('*.'); // { group: '', resource: '*' }
 * ```
 */
export function parseGroupResource(text: string): GroupResource {
  const dot = text.indexOf('.');
  if (dot < 0) return { group: '', resource: text };
  return { group: text.slice(dot + 1), resource: text.slice(0, dot) };
}

/**
 * Render a group-resource the way configs write it: upstream's `GroupResource.String()`, except
 * that every resource of the core group is `*.` (a bare `*` means something else in a config).
 *
 * @param gr - the group-resource
 * @returns `secrets`, `deployments.apps`, `*.`, `*.*`
 * @example
 * ```ts
 * import { formatGroupResource } from '@atrest/config';
 * formatGroupResource({ group: '', resource: '*' }); // '*.'
 * ```
 */
export function formatGroupResource(gr: GroupResource): string {
  if (gr.group === '' && gr.resource === '*') return '*.';
  return gr.group === '' ? gr.resource : `${gr.resource}.${gr.group}`;
}

/**
 * A map key identifying a group-resource (two strings cannot collide: resources hold no dot).
 * @param gr - the group-resource
  * @example
 * ```ts
 * import { groupResourceKey, parseGroupResource } from '@atrest/config';
 * groupResourceKey(parseGroupResource('deployments.apps')); // 'deployments.apps'
 * ```
 */
export function groupResourceKey(gr: GroupResource): string {
  return `${gr.resource}\u0000${gr.group}`;
}

/** `*.*`: every resource of every group. */
export const ANY_GROUP_ANY_RESOURCE: GroupResource = Object.freeze({ group: '*', resource: '*' });
