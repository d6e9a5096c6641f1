/**
 * Strict decoding of `EncryptionConfiguration` files (YAML or JSON).
 *
 * Mirrors what kube-apiserver's strict decoder accepts for `apiserver.config.k8s.io/v1`:
 *
 * - `apiVersion` must be `apiserver.config.k8s.io/v1` and `kind` `EncryptionConfiguration`;
 * - unknown fields, duplicate fields and values of the wrong type are errors (a number where a
 *   string belongs is refused, not converted);
 * - `null` means "not set", as in Go (`identity:` with no value sets no provider);
 * - `timeout` is a Go duration string, `cachesize` a 32-bit integer;
 * - kms defaults are applied afterwards ({@link applyKmsDefaults}).
 *
 * Every failure is an `AtrestError` with code `ERR_CONFIG_PARSE`; its `context` names the field
 * path (`resources[0].providers[1].aesgcm.keys[0].secret`), the source and, where known, line and
 * column. Messages never contain secret values: a wrong-typed value is described by its type only.
 *
 * @module
 */
import { AtrestError, ErrorCode, SecretBytes } from '@atrest/core';
import { parseError, parseYaml, type ParseContext, type YamlMap, type YamlNode } from './_yaml.js';
import { applyKmsDefaults } from './defaults.js';
import { parseGoDuration, type GoDuration } from './duration.js';
import {
  ENCRYPTION_CONFIGURATION_API_VERSION,
  ENCRYPTION_CONFIGURATION_KIND,
  type EncryptionConfiguration,
  type KeyConfiguration,
  type KmsProviderConfig,
  type ProviderConfiguration,
  type ResourceConfiguration,
} from './types.js';

/** Options of {@link parseEncryptionConfiguration}. */
export interface ParseOptions {
  /** A label for the input (usually the file path), reported in errors. */
  readonly source?: string;
}

const encoder = new TextEncoder();

/**
 * Parse an `EncryptionConfiguration` (YAML or JSON), strictly, with upstream's v1 defaults.
 *
 * @param text - the file's contents (a string, or its bytes, which must be UTF-8)
 * @param options - `source`: a label for errors
 * @returns the configuration, deeply frozen; secrets are held in redacting `SecretBytes`
 * @throws AtrestError ERR_CONFIG_PARSE naming the field path and source
 * @example
 * ```ts
 * import { parseEncryptionConfiguration } from '@atrest/config';
 * const cfg = parseEncryptionConfiguration(`
 * apiVersion: apiserver.config.k8s.io/v1
 * kind: EncryptionConfiguration
 * resources:
 *   - resources: [secrets]
 *     providers:
 *       - kms: { name: plugin, endpoint: unix:///run/kms.sock }
 * `);
 * cfg.resources[0]?.providers[0]?.kms?.cachesize; // 1000 (the v1 default)
 * ```
 */
export function parseEncryptionConfiguration(text: string | Uint8Array, options: ParseOptions = {}): EncryptionConfiguration {
  const ctx: ParseContext = { source: options.source };
  let str: string;
  if (typeof text === 'string') str = text;
  else if (text instanceof Uint8Array) {
    try {
      str = new TextDecoder('utf-8', { fatal: true }).decode(text);
    } catch {
      throw parseError('the configuration is not valid UTF-8', ctx);
    }
  } else {
    throw new AtrestError(ErrorCode.InvalidArgument, 'the configuration must be a string or a Uint8Array', {
      source: options.source,
    });
  }
  if (str.length === 0) {
    throw parseError(
      options.source === undefined
        ? 'encryption provider configuration is empty'
        : `encryption provider configuration file ${JSON.stringify(options.source)} is empty`,
      ctx,
    );
  }
  const root = parseYaml(str, ctx);
  if (root === undefined || (root.kind === 'scalar' && root.value === null)) {
    throw parseError('the configuration holds no YAML document (only blank lines or comments)', ctx);
  }
  return deepFreeze(decodeConfiguration(root, ctx));
}

function describe(node: YamlNode): string {
  if (node.kind === 'map') return 'a mapping';
  if (node.kind === 'seq') return 'a list';
  const v = node.value;
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'a boolean';
  if (typeof v === 'number') return 'a number';
  return 'a string';
}

function typeError(node: YamlNode, path: string, expected: string, ctx: ParseContext): AtrestError {
  const label = path === '' ? 'the document' : path;
  return parseError(`${label}: expected ${expected}, got ${describe(node)}`, ctx, path, node.position);
}

const isNull = (node: YamlNode | undefined): boolean =>
  node === undefined || (node.kind === 'scalar' && node.value === null);

function expectMap(node: YamlNode, path: string, ctx: ParseContext, allowed: readonly string[]): YamlMap {
  if (node.kind !== 'map') throw typeError(node, path, 'a mapping', ctx);
  for (const [key, value] of node.entries) {
    if (!allowed.includes(key)) {
      const field = path === '' ? key : `${path}.${key}`;
      throw parseError(`unknown field ${JSON.stringify(field)}`, ctx, field, value.position ?? node.position);
    }
  }
  return node;
}

function child(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function readString(map: YamlMap, key: string, path: string, ctx: ParseContext): string {
  const node = map.entries.get(key);
  if (node === undefined || isNull(node)) return '';
  if (node.kind === 'scalar' && typeof node.value === 'string') return node.value;
  throw typeError(node, child(path, key), 'a string', ctx);
}

function readList(map: YamlMap, key: string, path: string, ctx: ParseContext): readonly YamlNode[] {
  const node = map.entries.get(key);
  if (node === undefined || isNull(node)) return [];
  if (node.kind === 'seq') return node.items;
  throw typeError(node, child(path, key), 'a list', ctx);
}

/** A top-level field that must hold exactly `want`: a parse error at the field saying what it holds. */
function requireValue(map: YamlMap, key: string, value: string, want: string, ctx: ParseContext): void {
  if (value === want) return;
  const got = value === '' ? 'it is missing' : `got ${JSON.stringify(truncate(value))}`;
  throw parseError(`${key} must be ${JSON.stringify(want)}, ${got}`, ctx, key, map.entries.get(key)?.position ?? map.position);
}

function decodeConfiguration(root: YamlNode, ctx: ParseContext): EncryptionConfiguration {
  const map = expectMap(root, '', ctx, ['apiVersion', 'kind', 'resources']);
  const apiVersion = readString(map, 'apiVersion', '', ctx);
  const kind = readString(map, 'kind', '', ctx);
  requireValue(map, 'apiVersion', apiVersion, ENCRYPTION_CONFIGURATION_API_VERSION, ctx);
  requireValue(map, 'kind', kind, ENCRYPTION_CONFIGURATION_KIND, ctx);
  const resources = readList(map, 'resources', '', ctx).map((n, i) => decodeResource(n, `resources[${i}]`, ctx));
  return { apiVersion: ENCRYPTION_CONFIGURATION_API_VERSION, kind: ENCRYPTION_CONFIGURATION_KIND, resources };
}

function decodeResource(node: YamlNode, path: string, ctx: ParseContext): ResourceConfiguration {
  // A null list element decodes to a zero-valued struct in Go.
  if (isNull(node)) return { resources: [], providers: [] };
  const map = expectMap(node, path, ctx, ['resources', 'providers']);
  const resources = readList(map, 'resources', path, ctx).map((n, i) => {
    const p = `${path}.resources[${i}]`;
    if (isNull(n)) return '';
    if (n.kind === 'scalar' && typeof n.value === 'string') return n.value;
    throw typeError(n, p, 'a string', ctx);
  });
  const providers = readList(map, 'providers', path, ctx).map((n, i) =>
    decodeProvider(n, `${path}.providers[${i}]`, ctx),
  );
  return { resources, providers };
}

function decodeProvider(node: YamlNode, path: string, ctx: ParseContext): ProviderConfiguration {
  if (isNull(node)) return {};
  const map = expectMap(node, path, ctx, ['aesgcm', 'aescbc', 'secretbox', 'identity', 'kms']);
  const out: {
    aesgcm?: { keys: KeyConfiguration[] };
    aescbc?: { keys: KeyConfiguration[] };
    secretbox?: { keys: KeyConfiguration[] };
    identity?: Record<string, never>;
    kms?: KmsProviderConfig;
  } = {};
  for (const name of ['aesgcm', 'aescbc', 'secretbox'] as const) {
    const n = map.entries.get(name);
    if (n === undefined || isNull(n)) continue;
    const p = `${path}.${name}`;
    const m = expectMap(n, p, ctx, ['keys']);
    out[name] = { keys: readList(m, 'keys', p, ctx).map((k, i) => decodeKey(k, `${p}.keys[${i}]`, ctx)) };
  }
  const identity = map.entries.get('identity');
  if (identity !== undefined && !isNull(identity)) {
    expectMap(identity, `${path}.identity`, ctx, []);
    out.identity = {};
  }
  const kms = map.entries.get('kms');
  if (kms !== undefined && !isNull(kms)) out.kms = decodeKms(kms, `${path}.kms`, ctx);
  return out;
}

function decodeKey(node: YamlNode, path: string, ctx: ParseContext): KeyConfiguration {
  if (isNull(node)) return { name: '', secret: new SecretBytes(new Uint8Array(0)) };
  const map = expectMap(node, path, ctx, ['name', 'secret']);
  const name = readString(map, 'name', path, ctx);
  const secret = readString(map, 'secret', path, ctx);
  return { name, secret: new SecretBytes(encoder.encode(secret)) };
}

function decodeKms(node: YamlNode, path: string, ctx: ParseContext): KmsProviderConfig {
  const map = expectMap(node, path, ctx, ['apiVersion', 'name', 'endpoint', 'cachesize', 'timeout']);
  const apiVersion = readString(map, 'apiVersion', path, ctx);
  const name = readString(map, 'name', path, ctx);
  const endpoint = readString(map, 'endpoint', path, ctx);
  let cachesize: number | undefined;
  const cs = map.entries.get('cachesize');
  if (cs !== undefined && !isNull(cs)) {
    const p = `${path}.cachesize`;
    if (cs.kind !== 'scalar' || typeof cs.value !== 'number') throw typeError(cs, p, 'an integer', ctx);
    if (!Number.isInteger(cs.value) || cs.value < -(2 ** 31) || cs.value > 2 ** 31 - 1) {
      throw parseError(`${p}: expected a 32-bit integer`, ctx, p, cs.position);
    }
    cachesize = cs.value;
  }
  let timeout: GoDuration | undefined;
  const t = map.entries.get('timeout');
  if (t !== undefined && !isNull(t)) {
    const p = `${path}.timeout`;
    if (t.kind !== 'scalar' || typeof t.value !== 'string') throw typeError(t, p, 'a duration string such as "3s"', ctx);
    try {
      timeout = parseGoDuration(t.value);
    } catch (err) {
      throw parseError(`${p}: ${(err as Error).message}`, ctx, p, t.position);
    }
  }
  return applyKmsDefaults({ apiVersion, name, endpoint, cachesize, timeout });
}

function truncate(s: string): string {
  return s.length > 64 ? `${s.slice(0, 61)}...` : s;
}

function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  if (value instanceof SecretBytes) return value;
  for (const v of Object.values(value as object)) deepFreeze(v);
  return Object.freeze(value);
}
