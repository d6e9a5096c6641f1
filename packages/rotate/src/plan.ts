/**
 * Planning a key rotation: the three configuration files kube-apiserver is given in turn.
 *
 * Stage 1 adds the new key where it is read but not yet written with (second); stage 2 makes it
 * the write key (first); stage 3 drops the old write key. Only the rotated rules' text changes:
 * every other rule, comment and provider stays byte for byte as written.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { AtrestError, ErrorCode } from '@atrest/core';
import { loadEncryptionConfiguration } from '@atrest/config';
import { Document, isMap, isScalar, isSeq, parseDocument, type Node, type YAMLMap, type YAMLSeq } from 'yaml';

/** Providers a rotation can write with. */
export const ROTATABLE = ['aesgcm', 'aescbc', 'secretbox'] as const;
/** One of {@link ROTATABLE}. */
export type RotatableProvider = (typeof ROTATABLE)[number];

/** What to plan. */
export interface PlanOptions {
  /** The provider the new key is for; default: the kind of each rule's current write provider. */
  readonly provider?: RotatableProvider;
  /** Rotate only the rule naming this resource (as written in the rule, e.g. `secrets`). */
  readonly resource?: string;
  /** Random bytes (default `crypto.randomBytes`); for tests. */
  readonly random?: (n: number) => Uint8Array;
  /** The date in new key names (default now). */
  readonly now?: Date;
  /** Label for errors. */
  readonly source?: string;
}

/** One rotated rule. */
export interface RotatedRule {
  /** The rule's `resources`, as written. */
  readonly resources: readonly string[];
  /** The old write key, `provider:name`. */
  readonly oldKey: string;
  /** The new key, `provider:name` (never its secret). */
  readonly newKey: string;
}

/** A rule left alone, and why. */
export interface SkippedRule {
  readonly resources: readonly string[];
  readonly reason: string;
}

/** The planned files' text and what they change. */
export interface RotationPlan {
  /** The texts of stage-1.yaml, stage-2.yaml and stage-3.yaml. */
  readonly stages: readonly [string, string, string];
  readonly rotated: readonly RotatedRule[];
  readonly skipped: readonly SkippedRule[];
}

const fail = (source: string, message: string): never => {
  throw new AtrestError(ErrorCode.ConfigInvalid, `${source}: ${message}`);
};

const scalarText = (n: unknown): string | undefined => (isScalar(n) ? String(n.value) : undefined);

/** The single provider kind of a `providers` entry (`aescbc`, `kms`, ...). */
function kindOf(entry: unknown): string | undefined {
  if (!isMap(entry) || entry.items.length !== 1) return undefined;
  return scalarText(entry.items[0]?.key);
}

function rulesOf(doc: Document, source: string): YAMLSeq {
  const rules = doc.get('resources', true);
  if (!isSeq(rules)) return fail(source, 'resources: not a list of rules');
  return rules;
}

function resourcesOf(rule: unknown): string[] {
  const r = isMap(rule) ? rule.get('resources', true) : undefined;
  return isSeq(r) ? r.items.map((i) => scalarText(i) ?? '?') : [];
}

function providersOf(rule: YAMLMap, source: string): YAMLSeq {
  const p = rule.get('providers', true);
  if (!isSeq(p)) return fail(source, `rule for ${resourcesOf(rule).join(',')}: providers is not a list`);
  return p;
}

/** The `keys` list of a provider entry of kind `kind`. */
function keysOf(entry: YAMLMap, kind: string, source: string): YAMLSeq {
  const body = entry.get(kind, true);
  const keys = isMap(body) ? body.get('keys', true) : undefined;
  if (!isSeq(keys)) return fail(source, `${kind} provider without a keys list`);
  return keys;
}

const keyName = (k: unknown): string | undefined => (isMap(k) ? scalarText(k.get('name', true)) : undefined);

/** `key-<yyyymmdd>-<4 hex>`, not yet used in the rule. */
function newKeyName(rule: YAMLMap, now: Date, random: (n: number) => Uint8Array, source: string): string {
  const used = new Set<string>();
  for (const p of providersOf(rule, source).items) {
    const kind = kindOf(p);
    const body = kind === undefined || !isMap(p) ? undefined : p.get(kind, true);
    const keys = isMap(body) ? body.get('keys', true) : undefined;
    if (isSeq(keys)) for (const k of keys.items) used.add(keyName(k) ?? '');
  }
  const date = now.toISOString().slice(0, 10).replaceAll('-', '');
  for (;;) {
    const name = `key-${date}-${Buffer.from(random(2)).toString('hex')}`;
    if (!used.has(name)) return name;
  }
}

interface RulePlan {
  readonly index: number;
  readonly kind: string;
  readonly oldName: string;
  readonly newKind: RotatableProvider;
  readonly newName: string;
  readonly secret: string;
}

/** Apply stage `stage` of `p` to the rule node (a fresh parse of the original text). */
function applyStage(doc: Document, rule: YAMLMap, p: RulePlan, stage: 1 | 2 | 3, source: string): void {
  const providers = providersOf(rule, source);
  const first = providers.items[0] as YAMLMap;
  const key = doc.createNode({ name: p.newName, secret: p.secret });
  if (p.kind === p.newKind) {
    const keys = keysOf(first, p.kind, source);
    if (stage === 1) keys.items.splice(1, 0, key);
    else if (stage === 2) keys.items.unshift(key);
    else keys.items.splice(0, 1, key);
    return;
  }
  const entry = doc.createNode({ [p.newKind]: { keys: [{ name: p.newName, secret: p.secret }] } });
  if (stage === 1) {
    providers.items.splice(1, 0, entry);
    return;
  }
  providers.items.unshift(entry);
  if (stage === 3) {
    const keys = keysOf(first, p.kind, source);
    keys.items.shift();
    if (keys.items.length === 0) providers.items.splice(providers.items.indexOf(first), 1);
  }
}

/** The text of `node` alone, laid out to start at `column` of a line. */
function nodeText(node: Node, column: number, inFlow: boolean): string {
  if (inFlow) return JSON.stringify(node.toJSON());
  // A comment before the rule lies outside its source range and stays where it is.
  const { commentBefore, spaceBefore } = node;
  node.commentBefore = null;
  node.spaceBefore = false;
  const d = new Document(null, { version: '1.1' });
  d.contents = node;
  const text = d.toString({ lineWidth: 0 }).replace(/\n$/, '');
  node.commentBefore = commentBefore;
  node.spaceBefore = spaceBefore;
  return text.replaceAll('\n', `\n${' '.repeat(column)}`);
}

/** The original text with stage `stage` applied to the planned rules' text only. */
function stageText(text: string, plans: readonly RulePlan[], stage: 1 | 2 | 3, source: string): string {
  const doc = parseDocument(text, { version: '1.1', keepSourceTokens: false });
  const rules = rulesOf(doc, source);
  let out = text;
  for (const p of [...plans].sort((a, b) => b.index - a.index)) {
    const rule = rules.items[p.index] as YAMLMap;
    const [start, valueEnd] = rule.range ?? fail(source, 'rule without a source range');
    let end = valueEnd; // a block map's range runs on over the line break and the next item's indentation
    while (end > start && /\s/.test(text[end - 1] as string)) end--;
    applyStage(doc, rule, p, stage, source);
    const column = start - (text.lastIndexOf('\n', start - 1) + 1);
    out = out.slice(0, start) + nodeText(rule, column, rules.flow === true) + out.slice(end);
  }
  return out;
}

/**
 * Plan a rotation of the write key of every rule whose write provider is aescbc, aesgcm or
 * secretbox (or of the one rule naming `options.resource`). Rules written with kms or identity
 * are left alone and listed in {@link RotationPlan.skipped}.
 * @param text - the current EncryptionConfiguration (YAML or JSON)
 * @param options - the new key's provider, the rule to rotate
 * @returns the three stage files' text; each loads with `loadEncryptionConfiguration`
 * @throws AtrestError ERR_CONFIG_INVALID when nothing can be rotated or the text is no config
 * @example
 * ```ts
 * import { planRotation } from '@atrest/rotate';
 * const current = `apiVersion: apiserver.config.k8s.io/v1
 * kind: EncryptionConfiguration
 * resources:
 *   - resources: [secrets]
 *     providers:
 *       - aescbc: { keys: [{ name: key1, secret: c2VjcmV0IGlzIHNlY3VyZSwgaXMgaXQ/IHllcywgaXQgaXM= }] }
 *       - identity: {}
 * `;
 * const plan = planRotation(current, { provider: 'aesgcm' });
 * console.log(plan.rotated[0]?.newKey); // 'aesgcm:key-20261205-1a2b' (a name: stage files hold the secret, never printed)
 * ```
 */
export function planRotation(text: string, options: PlanOptions = {}): RotationPlan {
  const source = options.source ?? 'config';
  const random = options.random ?? randomBytes;
  const now = options.now ?? new Date();
  loadEncryptionConfiguration(text, { source }); // the current file must be valid to begin with
  const doc = parseDocument(text, { version: '1.1' });
  const rules = rulesOf(doc, source);
  const plans: RulePlan[] = [];
  const rotated: RotatedRule[] = [];
  const skipped: SkippedRule[] = [];
  rules.items.forEach((rule, index) => {
    const resources = resourcesOf(rule);
    if (options.resource !== undefined && !resources.includes(options.resource)) return;
    if (!isMap(rule)) return fail(source, `resources[${index}]: not a rule`);
    const first = providersOf(rule, source).items[0];
    const kind = kindOf(first) ?? '?';
    if (!(ROTATABLE as readonly string[]).includes(kind)) {
      skipped.push({ resources, reason: `written with ${kind}: not rotated (a KMS key is rotated in the KMS; identity has no key)` });
      return;
    }
    const oldName = keyName(keysOf(first as YAMLMap, kind, source).items[0]) ?? fail(source, `resources[${index}]: first key has no name`);
    const newKind = options.provider ?? (kind as RotatableProvider);
    const newName = newKeyName(rule, now, random, source);
    const secret = Buffer.from(random(32)).toString('base64');
    plans.push({ index, kind, oldName, newKind, newName, secret });
    rotated.push({ resources, oldKey: `${kind}:${oldName}`, newKey: `${newKind}:${newName}` });
  });
  if (options.resource !== undefined && plans.length === 0) {
    const why = skipped[0]?.reason;
    fail(source, why === undefined ? `no rule names resource "${options.resource}"` : `the rule for "${options.resource}" is ${why}`);
  }
  if (plans.length === 0) fail(source, 'no rule is written with aescbc, aesgcm or secretbox: nothing to rotate');
  const stages = ([1, 2, 3] as const).map((s) => {
    const out = stageText(text, plans, s, source);
    loadEncryptionConfiguration(out, { source: `stage-${s}.yaml` });
    return out;
  }) as unknown as [string, string, string];
  return { stages, rotated, skipped };
}
