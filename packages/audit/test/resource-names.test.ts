/**
 * Resource names as kubectl users type them, and where kube-apiserver stores each resource.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { etcdKeyOf, locateKey, resolveResource } from '@atrest/audit';
import { groupResourceOf } from '../src/resource-of-key.js';

describe('resolveResource', () => {
  it.each([
    ['secret', 'secrets'],
    ['secrets', 'secrets'],
    ['Secret', 'secrets'],
    ['SECRETS', 'secrets'],
    ['cm', 'configmaps'],
    ['configmap', 'configmaps'],
    ['deploy', 'deployments.apps'],
    ['deployment', 'deployments.apps'],
    ['deployments', 'deployments.apps'],
    ['deployments.apps', 'deployments.apps'],
    ['deployment.apps', 'deployments.apps'],
    ['svc', 'services'],
    ['ing', 'ingresses.networking.k8s.io'],
    ['crd', 'customresourcedefinitions.apiextensions.k8s.io'],
    ['widgets.example.com', 'widgets.example.com'],
    ['Widgets.Example.com', 'widgets.example.com'],
  ])('%s is %s', (typed, groupResource) => {
    expect(resolveResource(typed, '--resource').groupResource).toBe(groupResource);
  });

  it('a name kubectl does not know, without a group, is an error naming the flag', () => {
    expect(() => resolveResource('nosuch', '--resource')).toThrow(/--resource: "nosuch" is not a resource kubectl knows/);
    expect(() => resolveResource('', 'RESOURCE')).toThrow(/RESOURCE/);
  });
});

describe('where objects are stored', () => {
  it.each([
    ['secret', 'db', 'default', '/registry/secrets/default/db'],
    ['svc', 'web', 'default', '/registry/services/specs/default/web'],
    ['endpoints', 'web', 'default', '/registry/services/endpoints/default/web'],
    ['node', 'n1', undefined, '/registry/minions/n1'],
    ['rc', 'r', 'ns', '/registry/controllers/ns/r'],
    ['ingress', 'i', 'ns', '/registry/ingress/ns/i'],
    ['deploy', 'd', 'ns', '/registry/deployments/ns/d'],
    ['ns', 'kube-system', 'ignored', '/registry/namespaces/kube-system'],
    ['crd', 'widgets.example.com', undefined, '/registry/apiextensions.k8s.io/customresourcedefinitions/widgets.example.com'],
    ['widgets.example.com', 'w', 'shop', '/registry/example.com/widgets/shop/w'],
  ])('%s %s -n %s is at %s, and that key reads back as the resource', (typed, name, ns, key) => {
    const r = resolveResource(typed, 'RESOURCE');
    expect(etcdKeyOf(r, name, ns)).toBe(key);
    const loc = locateKey(key);
    expect(loc).toMatchObject({ kind: 'object', groupResource: r.groupResource, name });
    expect(groupResourceOf(key)).toBe(r.groupResource);
  });

  it('the audit fast path agrees with locateKey on any key', () => {
    const segment = fc.constantFrom('secrets', 'services', 'specs', 'endpoints', 'minions', 'ingress', 'example.com', 'widgets', 'a', 'b.c', '', 'masterleases');
    fc.assert(
      fc.property(fc.constantFrom('/registry/', '/kubernetes.io/', '/openshift.io/', '/other/'), fc.array(segment, { minLength: 0, maxLength: 6 }), (prefix, parts) => {
        const key = prefix + parts.join('/');
        const loc = locateKey(key);
        expect(groupResourceOf(key)).toBe(loc.kind === 'object' ? loc.groupResource : null);
      }),
      { numRuns: 3000 },
    );
  });
});
