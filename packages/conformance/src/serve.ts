/**
 * atrest's own adapter for the conformance protocol: answers protocol requests with atrest in
 * process (`atrest conformance serve` wires it to standard input and output).
 *
 * @module
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { AtrestError, utf8 } from '@atrest/core';
import { parseEncryptionConfiguration, resolveChain, validateEncryptionConfiguration } from '@atrest/config';
import { fromBase64, toBase64 } from './_b64.js';
import { observeError } from './_errors.js';
import {
  decodeRequest,
  encodeLine,
  PROTOCOL_PROVIDERS,
  PROTOCOL_VERSION,
  type ProtocolErrorKind,
  type ProtocolRequest,
  type ProtocolResponse,
  type ValueSite,
} from './protocol.js';
import { transformerForCase, type ValuesRunOptions } from './run-values.js';

class Failure extends Error {
  constructor(
    readonly kind: ProtocolErrorKind,
    text: string,
  ) {
    super(text);
  }
}

/** Run `fn`; anything it throws becomes a protocol error of `kind` (non-atrest errors: internal). */
async function stage<T>(kind: ProtocolErrorKind, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof Failure) throw err;
    throw new Failure(err instanceof AtrestError ? kind : 'internal', observeError(err).error);
  }
}

async function answer(request: ProtocolRequest, options: ValuesRunOptions): Promise<unknown> {
  if ('hello' in request) {
    if (request.hello.protocol !== PROTOCOL_VERSION) {
      throw new Failure('unsupported', `protocol ${request.hello.protocol} is not supported (this is protocol ${PROTOCOL_VERSION})`);
    }
    return { protocol: PROTOCOL_VERSION, name: 'atrest', providers: [...PROTOCOL_PROVIDERS] };
  }
  if ('decrypt' in request || 'encrypt' in request) {
    const site: ValueSite = 'decrypt' in request ? request.decrypt : request.encrypt;
    const t = await stage('config', () => transformerForCase(site, options));
    if ('decrypt' in request) {
      const r = await stage('transform', () => t.read(fromBase64(request.decrypt.stored), utf8(site.key)));
      return { plaintext: toBase64(r.plaintext), stale: r.stale };
    }
    const stored = await stage('transform', () => t.write(fromBase64(request.encrypt.plaintext), utf8(site.key)));
    return { stored: toBase64(stored) };
  }
  if ('validate' in request) {
    const cfg = await stage('config', () => parseEncryptionConfiguration(request.validate.config));
    const issues = await stage('config', () => validateEncryptionConfiguration(cfg, { reload: false }));
    return { errors: issues.map((i) => ({ field: i.field, type: i.type, detail: i.detail })) };
  }
  const { config, resource } = request.resolve;
  return { chain: await stage('config', () => resolveChain(parseEncryptionConfiguration(config), resource)) };
}

/**
 * Answer one protocol line with atrest.
 *
 * @param line - one request line (without its newline)
 * @param options - crypto backend (kms always uses the protocol's Base64 mock)
 * @returns the answer line, newline-terminated
 * @example
 * ```ts
 * import { answerLine } from '@atrest/conformance';
 * await answerLine('{"id":0,"hello":{"protocol":1}}');
 * // '{"id":0,"ok":{"protocol":1,"name":"atrest","providers":["identity",...]}}\n'
 * ```
 */
export async function answerLine(line: string, options: Pick<ValuesRunOptions, 'backend'> = {}): Promise<string> {
  const decoded = decodeRequest(line);
  if ('error' in decoded) return encodeLine(decoded.error);
  const { id } = decoded.request;
  let response: ProtocolResponse;
  try {
    response = { id, ok: await answer(decoded.request, options) };
  } catch (err) {
    const e = err instanceof Failure ? err : new Failure('internal', observeError(err).error);
    response = { id, error: { kind: e.kind, text: e.message } };
  }
  return encodeLine(response);
}

/**
 * Speak the protocol on a stream pair until the input ends: one answer per line, in order.
 *
 * @param input - where requests arrive (standard input)
 * @param write - where answers go (standard output)
 * @param options - crypto backend
 * @example
 * ```ts
 * import { serveConformance } from '@atrest/conformance';
 * await serveConformance(process.stdin, (s) => process.stdout.write(s));
 * ```
 */
export async function serveConformance(
  input: Readable,
  write: (line: string) => unknown,
  options: Pick<ValuesRunOptions, 'backend'> = {},
): Promise<void> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    write(await answerLine(line, options));
  }
}
