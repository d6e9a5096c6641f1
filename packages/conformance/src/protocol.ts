/**
 * The atrest conformance protocol, version 1: line-delimited JSON between a runner and an
 * implementation under test (see `docs/conformance-protocol.md`).
 *
 * The runner writes one request per line on the implementation's standard input; the
 * implementation writes exactly one answer line per request on its standard output, in order,
 * echoing the request's `id`. Bytes are standard base64 with padding.
 *
 * @module
 */
import type { FieldIssue } from '@atrest/config';
import type { VectorKmsEntry } from './types.js';

/** The protocol version this package speaks. */
export const PROTOCOL_VERSION = 1;

/** Provider names an implementation may declare in its handshake. */
export const PROTOCOL_PROVIDERS = ['identity', 'aescbc', 'aesgcm', 'secretbox', 'kmsv1', 'kmsv2'] as const;

/** One of {@link PROTOCOL_PROVIDERS}. */
export type ProtocolProvider = (typeof PROTOCOL_PROVIDERS)[number];

/**
 * Error kinds:
 * - `config`: the configuration did not parse, validate or build (text: the implementation's
 *   message; compared exactly with upstream's where a vector has a text);
 * - `transform`: reading or writing the value failed (text compared exactly with upstream's);
 * - `unsupported`: the request needs something the implementation does not implement;
 * - `bad-request`: the request line is not a valid protocol request;
 * - `internal`: anything else (a bug).
 */
export type ProtocolErrorKind = 'config' | 'transform' | 'unsupported' | 'bad-request' | 'internal';

/** The error kinds, for checking answers. */
export const PROTOCOL_ERROR_KINDS: readonly ProtocolErrorKind[] = ['config', 'transform', 'unsupported', 'bad-request', 'internal'];

/** Where a value lives: the configuration, the group-resource, the etcd key and the kms mocks. */
export interface ValueSite {
  /** EncryptionConfiguration YAML. */
  readonly config: string;
  /** Group-resource as configs write it: `secrets`, `deployments.apps`. */
  readonly resource: string;
  /** The etcd key (authenticated data), as text. */
  readonly key: string;
  /** The Base64 mock kms plugins the config's kms providers talk to (absent: none). */
  readonly kms?: readonly VectorKmsEntry[];
}

/** Every request the runner sends; exactly one operation member besides `id`. */
export type ProtocolRequest =
  | { readonly id: number; readonly hello: { readonly protocol: number } }
  | { readonly id: number; readonly decrypt: ValueSite & { readonly stored: string } }
  | { readonly id: number; readonly encrypt: ValueSite & { readonly plaintext: string } }
  | { readonly id: number; readonly validate: { readonly config: string } }
  | { readonly id: number; readonly resolve: { readonly config: string; readonly resource: string } };

/** The handshake answer. */
export interface HelloResult {
  readonly protocol: number;
  readonly name: string;
  readonly providers: readonly string[];
}

/** `ok` of each operation. */
export interface ProtocolResults {
  readonly hello: HelloResult;
  readonly decrypt: { readonly plaintext: string; readonly stale: boolean };
  readonly encrypt: { readonly stored: string };
  readonly validate: { readonly errors: readonly FieldIssue[] };
  readonly resolve: { readonly chain: readonly string[] };
}

/** An operation name. */
export type ProtocolOp = keyof ProtocolResults;

/** An error answer's body. */
export interface ProtocolError {
  readonly kind: ProtocolErrorKind;
  readonly text: string;
}

/** Every answer: `ok` or `error`. `id` is null only when a request's id could not be read. */
export type ProtocolResponse =
  | { readonly id: number | null; readonly ok: unknown }
  | { readonly id: number | null; readonly error: ProtocolError };

const OPS: readonly ProtocolOp[] = ['hello', 'decrypt', 'encrypt', 'validate', 'resolve'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Encode one message as a protocol line (JSON, newline-terminated; JSON never holds a raw newline).
 *
 * @param message - a request or response
 * @returns the line
 * @example
 * ```ts
 * import { encodeLine } from '@atrest/conformance';
 * encodeLine({ id: 0, hello: { protocol: 1 } }); // '{"id":0,"hello":{"protocol":1}}\n'
 * ```
 */
export function encodeLine(message: ProtocolRequest | ProtocolResponse): string {
  return `${JSON.stringify(message)}\n`;
}

/**
 * Decode a request line, or say why it is not one.
 *
 * @param line - one line, without its newline
 * @returns the request and its operation, or an error answer to send back
 * @example
 * ```ts
 * import { decodeRequest } from '@atrest/conformance';
 * decodeRequest('{"id":3,"validate":{"config":""}}'); // { op: 'validate', request: {...} }
 * ```
 */
export function decodeRequest(line: string): { op: ProtocolOp; request: ProtocolRequest } | { error: ProtocolResponse } {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return { error: { id: null, error: { kind: 'bad-request', text: 'the line is not JSON' } } };
  }
  const id = isObject(v) && Number.isSafeInteger(v.id) ? (v.id as number) : null;
  const bad = (text: string) => ({ error: { id, error: { kind: 'bad-request' as const, text } } });
  if (!isObject(v) || id === null) return bad('a request is an object with an integer "id"');
  const ops = OPS.filter((op) => Object.hasOwn(v, op));
  if (ops.length !== 1) return bad(`a request has exactly one of ${OPS.join(', ')}`);
  const op = ops[0] as ProtocolOp;
  const body = v[op];
  if (!isObject(body)) return bad(`"${op}" must be an object`);
  const strings: Record<ProtocolOp, string[]> = {
    hello: [],
    decrypt: ['config', 'resource', 'key', 'stored'],
    encrypt: ['config', 'resource', 'key', 'plaintext'],
    validate: ['config'],
    resolve: ['config', 'resource'],
  };
  for (const f of strings[op]) if (typeof body[f] !== 'string') return bad(`"${op}.${f}" must be a string`);
  if (op === 'hello' && typeof body.protocol !== 'number') return bad('"hello.protocol" must be a number');
  if (body.kms !== undefined && !Array.isArray(body.kms)) return bad(`"${op}.kms" must be an array`);
  return { op, request: v as unknown as ProtocolRequest };
}

/**
 * Decode an answer line as the runner does; anything that is not a well-formed answer is reported
 * as a protocol violation (never thrown).
 *
 * @param line - one line from the implementation, without its newline
 * @returns the answer, or a description of what is wrong with it
 * @example
 * ```ts
 * import { decodeResponse } from '@atrest/conformance';
 * decodeResponse('{"id":1,"ok":{"chain":["identity"]}}'); // { response: { id: 1, ok: {...} } }
 * decodeResponse('hello'); // { violation: 'the line is not JSON: "hello"' }
 * ```
 */
export function decodeResponse(line: string): { response: ProtocolResponse } | { violation: string } {
  const shown = JSON.stringify(line.length > 80 ? `${line.slice(0, 80)}...` : line);
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return { violation: `the line is not JSON: ${shown}` };
  }
  if (!isObject(v) || !(v.id === null || Number.isSafeInteger(v.id))) return { violation: `an answer needs an integer "id": ${shown}` };
  const hasOk = Object.hasOwn(v, 'ok');
  const hasError = Object.hasOwn(v, 'error');
  if (hasOk === hasError) return { violation: `an answer has exactly one of "ok" and "error": ${shown}` };
  if (hasError) {
    const e = v.error;
    if (!isObject(e) || typeof e.text !== 'string' || !PROTOCOL_ERROR_KINDS.includes(e.kind as ProtocolErrorKind)) {
      return { violation: `"error" must be {"kind": ${PROTOCOL_ERROR_KINDS.join('|')}, "text": string}: ${shown}` };
    }
  }
  return { response: v as unknown as ProtocolResponse };
}
