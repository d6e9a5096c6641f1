/**
 * The resource-overlap and duplicate findings are computed in linear time from counts per group.
 * This property test holds them to upstream's own quadratic pairwise walk, written out here as
 * the reference, on random lists that are dense in duplicates, wildcards and shared groups.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEncryptionConfiguration, validateEncryptionConfiguration } from '@atrest/config';

const DUPLICATE = 'the same resource cannot be specified multiple times';
const OVERLAP_PREFIX = 'using overlapping resources such as';

interface Gr {
  group: string;
  resource: string;
}

function parse(text: string): Gr {
  const dot = text.indexOf('.');
  return dot < 0 ? { group: '', resource: text } : { group: text.slice(dot + 1), resource: text.slice(0, dot) };
}

/** Upstream's walk over ordered pairs, including its skip of the first equal pair for the overlap test. */
function reference(resources: string[]): { duplicate: boolean; overlap: boolean } {
  if (resources.length < 2) return { duplicate: false, overlap: false };
  const grs = resources.map(parse);
  let duplicate = false;
  let overlap = false;
  grs.forEach((r1, i) =>
    grs.forEach((r2, j) => {
      if (i === j) return;
      const same = r1.group === r2.group && r1.resource === r2.resource;
      if (same && !duplicate) {
        duplicate = true;
        return;
      }
      if (overlap) return;
      if (r1.group === '*' && r1.resource === '*') overlap = true;
      else if (r1.group === r2.group && (r1.resource === '*' || r2.resource === '*')) overlap = true;
    }),
  );
  return { duplicate, overlap };
}

function findings(resources: string[]): { duplicate: boolean; overlap: boolean } {
  const yaml = `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: ${JSON.stringify(resources)}
    providers: [{identity: {}}]
`;
  const issues = validateEncryptionConfiguration(parseEncryptionConfiguration(yaml), { reload: false }).filter((i) => i.field === 'resources[0].resources');
  return {
    duplicate: issues.some((i) => i.detail === DUPLICATE),
    overlap: issues.some((i) => i.detail.startsWith(OVERLAP_PREFIX)),
  };
}

describe('resource overlap and duplicates within a rule', () => {
  it('agree with upstream\'s pairwise walk on random lists', () => {
    const name = fc.constantFrom('*.*', '*.', '*.apps', '*.example.com', 'secrets', 'configmaps', 'deployments.apps', 'widgets.example.com', 'foo.*');
    fc.assert(
      fc.property(fc.array(name, { maxLength: 7 }), (resources) => {
        expect(findings(resources)).toEqual(reference(resources));
      }),
      { numRuns: 3000 },
    );
  });

  it('pins known answers: a wildcard twice is both findings, a plain name twice only a duplicate', () => {
    expect(findings(['*.apps', '*.apps'])).toEqual({ duplicate: true, overlap: true });
    expect(findings(['*.apps', '*.apps', 'deployments.apps'])).toEqual({ duplicate: true, overlap: true });
    expect(findings(['*.*', '*.*'])).toEqual({ duplicate: true, overlap: true });
    expect(findings(['secrets', 'secrets'])).toEqual({ duplicate: true, overlap: false });
  });

  it('stays linear: 20,000 resources in one rule validate', () => {
    const many = Array.from({ length: 20_000 }, (_, i) => `r${i}.example.com`);
    expect(findings(many)).toEqual({ duplicate: false, overlap: false });
    expect(findings([...many, '*.example.com'])).toEqual({ duplicate: false, overlap: true });
  });
});
