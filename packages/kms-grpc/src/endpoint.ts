/**
 * KMS plugin endpoints as kube-apiserver accepts them: `unix:///absolute/path.sock`, or a Linux
 * abstract socket `unix:///@name` (no file; reachable within the network namespace, with no
 * file-system permissions guarding it).
 *
 * @module
 */
import { AtrestError, ErrorCode } from '@atrest/core';

/** A parsed endpoint. */
export interface KmsEndpoint {
  /** The endpoint as configured. */
  readonly endpoint: string;
  /** Socket file path, or `@name` for an abstract socket. */
  readonly address: string;
  /** True for an abstract socket. */
  readonly abstract: boolean;
  /** The grpc-js target: `unix:/path`, or `unix:\0name` for an abstract socket. */
  readonly target: string;
}

/**
 * Parse a kms `endpoint`.
 *
 * @param endpoint - `unix:///path` or `unix:///@name`
 * @returns the socket address and the grpc-js target
 * @throws AtrestError `ERR_INVALID_ARGUMENT` for an empty endpoint, another scheme, a host part,
 *   or no path
 * @example
 * ```ts
 * import { parseKmsEndpoint } from '@atrest/kms-grpc';
 * parseKmsEndpoint('unix:///var/run/kms.sock').target; // 'unix:/var/run/kms.sock'
 * parseKmsEndpoint('unix:///@kms').abstract; // true
 * ```
 */
export function parseKmsEndpoint(endpoint: string): KmsEndpoint {
  const fail = (why: string): never => {
    throw new AtrestError(ErrorCode.InvalidArgument, `invalid KMS endpoint "${endpoint}": ${why}`, { endpoint });
  };
  if (endpoint === '') fail('remote KMS provider can\'t use empty string as endpoint');
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/]*)(\/.*)?$/.exec(endpoint);
  if (!m) fail('expected unix:///path/to/socket');
  const [, scheme, host, path] = m as RegExpExecArray;
  if (scheme !== 'unix') fail(`unsupported scheme "${scheme}" for remote KMS provider`);
  if (host !== '') fail('a unix endpoint has no host part (use three slashes: unix:///path)');
  if (path === undefined || path === '/') fail('no socket path');
  const p = path as string;
  if (p.startsWith('/@')) {
    const name = p.slice(2);
    if (name === '') fail('empty abstract socket name');
    // grpc-js resolves only `unix:`; it passes the path to net.connect, where a leading NUL byte
    // selects the abstract namespace.
    return { endpoint, address: `@${name}`, abstract: true, target: `unix:\0${name}` };
  }
  return { endpoint, address: p, abstract: false, target: `unix:${p}` };
}
