/**
 * Strict YAML reading for configuration files (internal).
 *
 * kube-apiserver turns a config file into JSON with `sigs.k8s.io/yaml` (go-yaml v2, YAML 1.1
 * scalar rules: `yes`/`no`/`on`/`off` are booleans, `0755` is an integer) and then decodes it
 * strictly. This module does the first half: it parses the text with the `yaml` package under
 * YAML 1.1 rules and converts the syntax tree into a small, library-independent tree of
 * {@link YamlNode}s, refusing what a strict decoder refuses:
 *
 * - syntax errors, several documents in one file, unknown tags (`!!binary`, `!foo`);
 * - duplicate keys in one mapping;
 * - keys that are not scalars.
 *
 * Timestamps and sexagesimal numbers are read as strings, as go-yaml v2 does when decoding into
 * a generic value. Merge keys (`<<`) are not expanded, so they fail as unknown fields. Anchors and
 * aliases work, with a bound on expansion. JSON is YAML, so JSON files go through the same path.
 *
 * Error messages never quote the source text: the `yaml` package's own messages include a code
 * frame of the offending line, which could be a line holding a secret. Only the error code, the
 * line and column, and the field path are reported.
 *
 * @module
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import { AtrestError, ErrorCode } from '@atrest/core';

/** Where a node starts in the source: 1-based line and column. */
export interface YamlPosition {
  readonly line: number;
  readonly column: number;
}

/** A scalar: string, number, boolean or null, as YAML 1.1 resolves plain scalars. */
export interface YamlScalar {
  readonly kind: 'scalar';
  readonly value: string | number | boolean | null;
  readonly position: YamlPosition | undefined;
}

/** A sequence. */
export interface YamlSeq {
  readonly kind: 'seq';
  readonly items: readonly YamlNode[];
  readonly position: YamlPosition | undefined;
}

/** A mapping with string keys, in source order, without duplicates. */
export interface YamlMap {
  readonly kind: 'map';
  readonly entries: ReadonlyMap<string, YamlNode>;
  readonly position: YamlPosition | undefined;
}

/** Any node of the converted tree. */
export type YamlNode = YamlScalar | YamlSeq | YamlMap;

/** Extra context every parse error carries. */
export interface ParseContext {
  /** File name or other label of the input, for messages. */
  readonly source: string | undefined;
}

// Alias expansion is bounded so that a small file cannot expand into a huge tree
// ("billion laughs"). Real EncryptionConfiguration files are small.
const MAX_ALIAS_EXPANSIONS = 100;
const MAX_NODES = 200_000;

/**
 * Build an ERR_CONFIG_PARSE error.
 * @param message - what is wrong; never contains secret values
 * @param ctx - the input's label
 * @param field - field path, when known
 * @param position - where in the source, when known
 */
export function parseError(
  message: string,
  ctx: ParseContext,
  field?: string,
  position?: YamlPosition,
): AtrestError {
  return new AtrestError(ErrorCode.ConfigParse, message, {
    source: ctx.source,
    field: field === undefined || field === '' ? undefined : field,
    line: position?.line,
    column: position?.column,
  });
}

/** Tags a strict config decoder understands; anything else is refused. */
const ALLOWED_TAGS = new Set([
  'tag:yaml.org,2002:map',
  'tag:yaml.org,2002:seq',
  'tag:yaml.org,2002:str',
  'tag:yaml.org,2002:null',
  'tag:yaml.org,2002:bool',
  'tag:yaml.org,2002:int',
  'tag:yaml.org,2002:float',
]);

/**
 * Parse YAML (or JSON) text into a {@link YamlNode} tree.
 *
 * @param text - the whole file
 * @param ctx - the input's label, for errors
 * @returns the root node, or `undefined` when the file holds no document (only comments/blank)
 * @throws AtrestError ERR_CONFIG_PARSE on any syntax problem, duplicate key, unknown tag,
 *   several documents, or excessive alias expansion
 */
export function parseYaml(text: string, ctx: ParseContext): YamlNode | undefined {
  const lineCounter = new LineCounter();
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, {
      version: '1.1',
      // Timestamps, sexagesimal numbers, binary, sets and pairs are not resolved: go-yaml v2
      // hands them to a generic decoder as strings, or (explicit tags) they are refused below.
      customTags: (tags) =>
        tags.filter((t) => typeof t === 'object' && ALLOWED_TAGS.has(t.tag) && !('format' in t && t.format === 'TIME')),
      merge: false,
      uniqueKeys: false, // duplicates are detected below, where the field path is known
      prettyErrors: false,
      strict: true,
      lineCounter,
    }) as Document.Parsed[];
  } catch {
    // The parser reports problems through `errors`; a throw here is unexpected input.
    throw parseError('the configuration is not valid YAML', ctx, undefined, undefined);
  }
  const pos = (offset: number | undefined): YamlPosition | undefined => {
    if (offset === undefined) return undefined;
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  if (!Array.isArray(docs)) throw parseError('the configuration is not valid YAML', ctx);
  for (const doc of docs) {
    const problem = doc.errors[0] ?? doc.warnings[0];
    if (problem !== undefined) {
      const at = pos(problem.pos[0]);
      const where = at === undefined ? '' : ` at line ${at.line}, column ${at.column}`;
      const what = problem.code === 'TAG_RESOLVE_FAILED' ? 'unsupported YAML tag' : 'YAML syntax error';
      throw parseError(`${what} (${problem.code})${where}`, ctx, undefined, at);
    }
  }
  if (docs.length === 0) return undefined;
  if (docs.length > 1) {
    const at = pos(docs[1]?.range[0]);
    throw parseError('the configuration holds more than one YAML document', ctx, undefined, at);
  }
  const doc = docs[0] as Document.Parsed;
  if (doc.contents === null) return undefined;
  const budget = { aliases: 0, nodes: 0 };
  return convert(doc, doc.contents, '', ctx, pos, budget);
}

function convert(
  doc: Document.Parsed,
  node: unknown,
  path: string,
  ctx: ParseContext,
  pos: (offset: number | undefined) => YamlPosition | undefined,
  budget: { aliases: number; nodes: number },
): YamlNode {
  if (++budget.nodes > MAX_NODES) throw parseError('the configuration is too large', ctx, path);
  if (isAlias(node)) {
    const at = pos(node.range?.[0]);
    if (++budget.aliases > MAX_ALIAS_EXPANSIONS) {
      throw parseError('the configuration uses too many YAML aliases', ctx, path, at);
    }
    const target = node.resolve(doc);
    if (target === undefined) throw parseError('unresolved YAML alias', ctx, path, at);
    return convert(doc, target, path, ctx, pos, budget);
  }
  const n = node as Node | null;
  const position = pos(n?.range?.[0]);
  if (n !== null && n.tag !== undefined && !ALLOWED_TAGS.has(expandTag(n.tag))) {
    throw parseError(`unsupported YAML tag on ${describePath(path)}`, ctx, path, position);
  }
  if (isScalar(n)) {
    const v = n.value;
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return { kind: 'scalar', value: v, position };
    if (typeof v === 'number') return { kind: 'scalar', value: v, position };
    if (typeof v === 'bigint') return { kind: 'scalar', value: Number(v), position };
    throw parseError(`unsupported YAML value on ${describePath(path)}`, ctx, path, position);
  }
  if (isSeq(n)) {
    const items: YamlNode[] = [];
    n.items.forEach((item, i) => items.push(convert(doc, item, `${path}[${i}]`, ctx, pos, budget)));
    return { kind: 'seq', items, position };
  }
  if (isMap(n)) {
    const entries = new Map<string, YamlNode>();
    for (const pair of n.items) {
      let keyNode: unknown = pair.key;
      if (isAlias(keyNode)) keyNode = keyNode.resolve(doc);
      const keyPos = pos((keyNode as Node | null)?.range?.[0]) ?? position;
      if (!isScalar(keyNode)) throw parseError(`a mapping key in ${describePath(path)} is not a scalar`, ctx, path, keyPos);
      // go-yaml turns non-string scalar keys (`on:`, `1:`) into their text; they then fail as
      // unknown fields, which is the strict decoder's behaviour too.
      const key = keyNode.value === null ? 'null' : String(keyNode.value);
      const childPath = path === '' ? key : `${path}.${key}`;
      if (entries.has(key)) throw parseError(`duplicate field "${childPath}"`, ctx, childPath, keyPos);
      const value: YamlNode =
        pair.value === null || pair.value === undefined
          ? { kind: 'scalar', value: null, position: keyPos }
          : convert(doc, pair.value, childPath, ctx, pos, budget);
      entries.set(key, value);
    }
    return { kind: 'map', entries, position };
  }
  throw parseError(`unsupported YAML node on ${describePath(path)}`, ctx, path, position);
}

function expandTag(tag: string): string {
  return tag.startsWith('!!') ? `tag:yaml.org,2002:${tag.slice(2)}` : tag;
}

/**
 * A field path for messages: the path itself, or `the document` for the root.
 * @param path - field path such as `resources[0].providers`
 */
export function describePath(path: string): string {
  return path === '' ? 'the document' : `"${path}"`;
}
