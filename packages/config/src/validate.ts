/**
 * Upstream's `ValidateEncryptionConfiguration`, finding for finding.
 *
 * Produces the same list kube-apiserver's validator produces for the same decoded configuration:
 * the same field paths, types (`Invalid` / `Required`), detail texts and order. The test vectors
 * in `test-vectors/upstream/config-validation.json` pin this down. Behaviour worth knowing
 * (all upstream's own):
 *
 * - per rule: resources required, then duplicate/overlap within the list, then each resource
 *   name (first failing check per name), then providers required, then each provider;
 * - a provider element with several providers is reported, and the first of kms, aesgcm,
 *   aescbc, secretbox that is set is still validated;
 * - duplicate key names within a provider are **not** reported;
 * - kms: name, timeout, endpoint, cachesize, apiVersion, in that order. v2 names may not contain
 *   `:` nor repeat any earlier kms name; v1 names are only checked for repeats when `reload` is
 *   true. The unsupported-version message prints the literal word `apiVersion`, and the
 *   cachesize message says `v2` for any non-v1 version;
 * - secrets are decoded with Go's base64 rules and never appear in findings.
 *
 * @module
 */
import { goQuote, tryBase64Decode } from '@atrest/core/go';
import { parseGoUrl } from './_url.js';
import { ANY_GROUP_ANY_RESOURCE, groupResourceKey, parseGroupResource, type GroupResource } from './group-resource.js';
import type { EncryptionConfiguration, FieldIssue, KeyConfiguration, KmsProviderConfig, ProviderConfiguration } from './types.js';

/** Options of {@link validateEncryptionConfiguration}. */
export interface ValidateOptions {
  /**
   * Validate as for a hot reload: kms v1 names must then be unique too. kube-apiserver passes
   * `false` at startup (the vectors' setting) and `true` when it reloads the file.
   */
  readonly reload?: boolean;
}

const AES_KEY_SIZES = [16, 24, 32] as const;
const SECRETBOX_KEY_SIZES = [32] as const;

const MORE_THAN_ONE = 'more than one provider specified in a single element, should split into different list elements';
const NO_PROVIDER = 'provider does not contain any of the expected providers: KMS, AESGCM, AESCBC, Secretbox, Identity';
const OVERLAP =
  "using overlapping resources such as 'secrets' and '*.' in the same resource list is not allowed as they will be masked";
const DUPLICATE_RESOURCE = 'the same resource cannot be specified multiple times';
const CAPITALS = 'resource name should not contain capital letters';
const STAR = "use '*.' to encrypt all the resources from core API group or *.* to encrypt all resources";
const NON_REST = 'resources which do not have REST API/s cannot be encrypted';
const EVENTS_GROUP =
  "'*.events.k8s.io' objects are stored using the 'events' API group in etcd. Use 'events' instead in the config file";
const EXTENSIONS_GROUP = "'extensions' group has been removed and cannot be used for encryption";
const ACROSS_GROUPS = 'encrypting the same resource across groups is not supported';
const NON_REST_RESOURCES = new Set(['apiserveripinfo', 'serviceipallocations', 'servicenodeportallocations']);

const invalid = (field: string, detail: string): FieldIssue => ({ field, type: 'Invalid', detail });
const required = (field: string, detail: string): FieldIssue => ({ field, type: 'Required', detail });

/**
 * Validate a parsed configuration exactly as upstream's `ValidateEncryptionConfiguration`.
 *
 * @param cfg - a configuration from {@link parseEncryptionConfiguration}
 * @param options - `reload` (default false)
 * @returns the findings in upstream's order; empty when valid
 * @example
 * ```ts
 * import { parseEncryptionConfiguration, validateEncryptionConfiguration } from '@atrest/config';
 * const cfg = parseEncryptionConfiguration('apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\n');
 * validateEncryptionConfiguration(cfg, { reload: false });
 * // [{ field: 'resources', type: 'Required', detail: 'at least one resources is required' }]
 * ```
 */
export function validateEncryptionConfiguration(cfg: EncryptionConfiguration, options: ValidateOptions = {}): FieldIssue[] {
  const reload = options.reload ?? false;
  const issues: FieldIssue[] = [];
  if (cfg.resources.length === 0) {
    issues.push(required('resources', 'at least one resources is required'));
    return issues;
  }
  const kmsNames = new Set<string>();
  cfg.resources.forEach((rule, i) => {
    const r = `resources[${i}].resources`;
    const p = `resources[${i}].providers`;
    if (rule.resources.length === 0) issues.push(required(r, `at least one ${r} is required`));
    issues.push(...validateResourceOverlap(rule.resources, r));
    issues.push(...validateResourceNames(rule.resources, r));
    if (rule.providers.length === 0) issues.push(required(p, `at least one ${p} is required`));
    rule.providers.forEach((provider, j) => {
      const path = `${p}[${j}]`;
      issues.push(...validateSingleProvider(provider, path));
      if (provider.kms !== undefined) {
        issues.push(...validateKms(provider.kms, `${path}.kms`, kmsNames, reload));
        kmsNames.add(provider.kms.name);
      } else if (provider.aesgcm !== undefined) {
        issues.push(...validateKeys(provider.aesgcm.keys, `${path}.aesgcm.keys`, AES_KEY_SIZES));
      } else if (provider.aescbc !== undefined) {
        issues.push(...validateKeys(provider.aescbc.keys, `${path}.aescbc.keys`, AES_KEY_SIZES));
      } else if (provider.secretbox !== undefined) {
        issues.push(...validateKeys(provider.secretbox.keys, `${path}.secretbox.keys`, SECRETBOX_KEY_SIZES));
      }
    });
  });
  return issues;
}

const sameGr = (a: GroupResource, b: GroupResource): boolean => a.group === b.group && a.resource === b.resource;

function validateResourceOverlap(resources: readonly string[], field: string): FieldIssue[] {
  if (resources.length < 2) return [];
  const grs = resources.map(parseGroupResource);
  // Upstream walks every ordered pair (i, j), i != j, for two findings:
  // - duplicate: some pair is equal;
  // - overlap: some pair has r1 = '*.*', or shares a group where either resource is '*'.
  // (Upstream skips the first equal pair it meets for the overlap test; that never changes the
  // answer, because the same pair comes again in the other order.) Walking all pairs is quadratic;
  // counts per group give the same answers in linear time.
  const perGroup = new Map<string, { count: number; wildcards: number }>();
  const seen = new Set<string>();
  let hasDuplicate = false;
  for (const gr of grs) {
    const g = perGroup.get(gr.group) ?? { count: 0, wildcards: 0 };
    g.count++;
    if (gr.resource === '*') g.wildcards++;
    perGroup.set(gr.group, g);
    const key = groupResourceKey(gr);
    if (seen.has(key)) hasDuplicate = true;
    seen.add(key);
  }
  const hasOverlap = grs.some((gr) => {
    if (sameGr(gr, ANY_GROUP_ANY_RESOURCE)) return true;
    const g = perGroup.get(gr.group) as { count: number; wildcards: number };
    // r1 = '*.g' overlaps any other entry of group g; any other r1 overlaps each '*.g'.
    return gr.resource === '*' ? g.count > 1 : g.wildcards > 0;
  });
  const out: FieldIssue[] = [];
  if (hasDuplicate) out.push(invalid(field, DUPLICATE_RESOURCE));
  if (hasOverlap) out.push(invalid(field, OVERLAP));
  return out;
}

function validateResourceNames(resources: readonly string[], field: string): FieldIssue[] {
  const out: FieldIssue[] = [];
  resources.forEach((res, j) => {
    const f = `${field}[${j}]`;
    if (res.toLowerCase() !== res) return void out.push(invalid(f, CAPITALS));
    if (res === '*') return void out.push(invalid(f, STAR));
    if (NON_REST_RESOURCES.has(res)) return void out.push(invalid(f, NON_REST));
    const gr = parseGroupResource(res);
    if (gr.group === 'events.k8s.io') return void out.push(invalid(f, EVENTS_GROUP));
    if (gr.group === 'extensions') return void out.push(invalid(f, EXTENSIONS_GROUP));
    if (gr.group === '*' && gr.resource !== '*') return void out.push(invalid(f, ACROSS_GROUPS));
  });
  return out;
}

function validateSingleProvider(provider: ProviderConfiguration, field: string): FieldIssue[] {
  let found = 0;
  if (provider.kms !== undefined) found++;
  if (provider.aesgcm !== undefined) found++;
  if (provider.aescbc !== undefined) found++;
  if (provider.secretbox !== undefined) found++;
  if (provider.identity !== undefined) found++;
  if (found === 0) return [invalid(field, NO_PROVIDER)];
  if (found > 1) return [invalid(field, MORE_THAN_ONE)];
  return [];
}

function validateKeys(keys: readonly KeyConfiguration[], field: string, sizes: readonly number[]): FieldIssue[] {
  if (keys.length === 0) return [required(field, 'at least one keys is required')];
  const out: FieldIssue[] = [];
  keys.forEach((key, i) => out.push(...validateKey(key, `${field}[${i}]`, sizes)));
  return out;
}

function validateKey(key: KeyConfiguration, field: string, sizes: readonly number[]): FieldIssue[] {
  const out: FieldIssue[] = [];
  if (key.name === '') out.push(required(`${field}.name`, 'name is a mandatory field for a key'));
  if (key.secret.length === 0) {
    out.push(required(`${field}.secret`, 'secret is a mandatory field for a key'));
    return out;
  }
  const decoded = tryBase64Decode(key.secret.expose());
  if (decoded === undefined) {
    out.push(invalid(`${field}.secret`, 'secrets must be base64 encoded'));
    return out;
  }
  const length = decoded.length;
  decoded.fill(0);
  if (!sizes.includes(length)) {
    out.push(
      invalid(`${field}.secret`, `secret is not of the expected length, got ${length}, expected one of [${sizes.join(' ')}]`),
    );
  }
  return out;
}

function validateKms(kms: KmsProviderConfig, field: string, names: ReadonlySet<string>, reload: boolean): FieldIssue[] {
  const out: FieldIssue[] = [];
  // name
  const nameField = `${field}.name`;
  if (kms.name === '') out.push(required(nameField, 'name is a mandatory field for a provider'));
  if (kms.apiVersion !== 'v1' && kms.name.includes(':')) {
    out.push(invalid(nameField, `invalid KMS provider name ${kms.name}, must not contain ':'`));
  }
  if ((reload || kms.apiVersion !== 'v1') && names.has(kms.name)) {
    out.push(invalid(nameField, `duplicate KMS provider name ${kms.name}, names must be unique`));
  }
  // timeout
  if (kms.timeout.nanoseconds <= 0n) out.push(invalid(`${field}.timeout`, 'timeout should be a positive value'));
  // endpoint
  const endpointField = `${field}.endpoint`;
  if (kms.endpoint.length === 0) {
    out.push(invalid(endpointField, 'endpoint is a mandatory field for a kms'));
  } else {
    const u = parseGoUrl(kms.endpoint);
    if (!u.ok) out.push(invalid(endpointField, `invalid endpoint for kms provider, error: ${u.error}`));
    else if (u.scheme !== 'unix') {
      out.push(invalid(endpointField, `unsupported scheme ${goQuote(u.scheme)} for KMS provider, only unix is supported`));
    }
  }
  // cachesize
  const cacheField = `${field}.cachesize`;
  if (kms.apiVersion !== 'v1' && kms.cachesize !== undefined) {
    out.push(invalid(cacheField, 'cachesize is not supported in v2'));
  }
  if (kms.apiVersion === 'v1' && kms.cachesize === 0) {
    out.push(invalid(cacheField, 'cachesize should be a positive value, or negative to disable'));
  }
  // apiVersion
  if (kms.apiVersion !== 'v1' && kms.apiVersion !== 'v2') {
    out.push(invalid(`${field}.apiVersion`, 'unsupported apiVersion apiVersion for KMS provider, only v1 and v2 are supported'));
  }
  return out;
}
