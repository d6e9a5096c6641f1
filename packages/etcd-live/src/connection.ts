/**
 * How to reach etcd: typed connection options and their parsing from etcdctl-style flags and
 * `ETCDCTL_*` environment variables, so operators can reuse the command lines they already have.
 * Flags win over the environment, as in etcdctl.
 * @module
 */
import { LiveOptionsError } from './errors.js';

/** Where and how to connect to etcd. */
export interface EtcdConnectionOptions {
  /** Client URLs, all `http://` or all `https://` (etcd3 refuses a mix). */
  readonly endpoints: readonly string[];
  /** CA bundle that signed etcd's server certificate (file path). */
  readonly cacert?: string;
  /** Client certificate (file path); needs `key`. */
  readonly cert?: string;
  /** Client private key (file path); needs `cert`. */
  readonly key?: string;
  /** etcd user name for password auth. */
  readonly user?: string;
  /** Its password. */
  readonly password?: string;
  /** Do not verify the server's certificate chain or name (like etcdctl's flag: for tests only). */
  readonly insecureSkipTlsVerify?: boolean;
  /** How long to wait for a connection, in ms (etcdctl's default: 2000). */
  readonly dialTimeoutMs: number;
  /** How long one request may take, in ms (etcdctl's default: 5000). */
  readonly commandTimeoutMs: number;
}

/** etcdctl-style flags as a CLI parser hands them over (`--endpoints` → `endpoints`, etc.). */
export interface EtcdFlags {
  readonly endpoints?: string;
  readonly cacert?: string;
  readonly cert?: string;
  readonly key?: string;
  /** `name` or `name:password`. */
  readonly user?: string;
  readonly insecureSkipTlsVerify?: boolean;
  /** A Go duration such as `2s`, `500ms`, `1m`. */
  readonly dialTimeout?: string;
  readonly commandTimeout?: string;
}

/** The parsed options, and whether the CLI still has to prompt for a password. */
export interface ParsedConnectionOptions {
  readonly options: EtcdConnectionOptions;
  /** True when `--user name` had no `:password`: the CLI prompts and sets `password`. */
  readonly passwordMissing: boolean;
}

/** Default dial timeout (etcdctl's `--dial-timeout`). */
export const DEFAULT_DIAL_TIMEOUT_MS = 2000;
/** Default command timeout (etcdctl's `--command-timeout`). */
export const DEFAULT_COMMAND_TIMEOUT_MS = 5000;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parse a Go-style duration (`2s`, `1.5s`, `500ms`, `1m30s`) to milliseconds.
 *
 * @param text - the duration
 * @param flag - the flag name, for the error
 * @returns milliseconds, at least 1
 * @throws LiveOptionsError when it is not a positive duration
 * @example
 * ```ts
 * import { parseDuration } from '@atrest/etcd-live';
 * parseDuration('1m30s', '--dial-timeout'); // 90000
 * ```
 */
export function parseDuration(text: string, flag: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let at = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * (UNITS[m[2] as string] as number);
    at = re.lastIndex;
  }
  if (text.length === 0 || at !== text.length || !(total >= 1) || !Number.isFinite(total)) {
    throw new LiveOptionsError(flag, `"${text}" is not a positive duration such as 2s or 500ms`);
  }
  return Math.round(total);
}

/** An endpoint as error messages may show it: any `user:password@` replaced, since it may hold a password. */
function shown(e: string): string {
  return e.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/@]*@/i, (_m, scheme: string | undefined) => `${scheme ?? ''}***@`);
}

function parseEndpoints(text: string, flag: string): string[] {
  const list = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (list.length === 0) throw new LiveOptionsError(flag, 'no endpoint given');
  for (const raw of list) {
    const e = shown(raw);
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new LiveOptionsError(flag, `"${e}" is not a URL such as https://127.0.0.1:2379`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new LiveOptionsError(flag, `"${e}" must start with http:// or https://`);
    if (!url.port) throw new LiveOptionsError(flag, `"${e}" has no port (etcd's client port is usually 2379)`);
    if (url.username || url.password) throw new LiveOptionsError(flag, `"${e}" must not hold a user name or password; use --user`);
    if (url.pathname !== '/' || url.search || url.hash) {
      throw new LiveOptionsError(flag, `"${e}" must be scheme://host:port only`);
    }
  }
  const secure = list.filter((e) => e.startsWith('https:')).length;
  if (secure !== 0 && secure !== list.length) throw new LiveOptionsError(flag, 'mixes http:// and https:// endpoints; use one scheme');
  // Keep the user's spelling minus a trailing slash: it is what error messages show.
  return list.map((e) => e.replace(/\/$/, ''));
}

/**
 * Merge etcdctl-style flags with `ETCDCTL_ENDPOINTS`, `ETCDCTL_CACERT`, `ETCDCTL_CERT`,
 * `ETCDCTL_KEY`, `ETCDCTL_USER` (flags win) and validate them.
 *
 * @param flags - parsed command-line flags
 * @param env - the environment (default `process.env`)
 * @returns the options and whether a password still has to be prompted for
 * @throws LiveOptionsError naming the flag or variable at fault
 * @example
 * ```ts
 * import { connectionOptionsFrom } from '@atrest/etcd-live';
 * const { options, passwordMissing } = connectionOptionsFrom(
 *   { endpoints: 'https://127.0.0.1:2379', cacert: '/etc/kubernetes/pki/etcd/ca.crt',
 *     cert: '/etc/kubernetes/pki/etcd/healthcheck-client.crt', key: '/etc/kubernetes/pki/etcd/healthcheck-client.key' },
 *   process.env,
 * );
 * ```
 */
export function connectionOptionsFrom(flags: EtcdFlags, env: Readonly<Record<string, string | undefined>> = process.env): ParsedConnectionOptions {
  const pick = (flag: keyof EtcdFlags, flagName: string, envName: string | undefined): { value: string | undefined; from: string } => {
    const f = flags[flag];
    if (typeof f === 'string') return { value: f, from: flagName };
    const v = envName ? env[envName] : undefined;
    return { value: v === '' ? undefined : v, from: envName ?? flagName };
  };
  const ep = pick('endpoints', '--endpoints', 'ETCDCTL_ENDPOINTS');
  // etcdctl's default endpoint.
  const endpoints = parseEndpoints(ep.value ?? 'http://127.0.0.1:2379', ep.from);
  const secure = endpoints[0]?.startsWith('https:') ?? false;

  const files: { cacert?: string; cert?: string; key?: string } = {};
  const fileFlags: [keyof EtcdFlags & ('cacert' | 'cert' | 'key'), string, string][] = [
    ['cacert', '--cacert', 'ETCDCTL_CACERT'],
    ['cert', '--cert', 'ETCDCTL_CERT'],
    ['key', '--key', 'ETCDCTL_KEY'],
  ];
  const froms: Record<string, string> = {};
  for (const [name, flagName, envName] of fileFlags) {
    const { value, from } = pick(name, flagName, envName);
    if (value === undefined) continue;
    if (value.trim() === '') throw new LiveOptionsError(from, 'is empty');
    if (!secure) {
      // A stray ETCDCTL_CACERT in the environment must not break a plain-HTTP run; a flag typed now is a mistake worth saying.
      if (from.startsWith('--')) throw new LiveOptionsError(from, 'is only used with https:// endpoints; use https:// in --endpoints');
      continue;
    }
    files[name] = value;
    froms[name] = from;
  }
  if ((files.cert === undefined) !== (files.key === undefined)) {
    throw new LiveOptionsError(froms.cert ?? froms.key ?? '--cert', '--cert and --key go together: give both or neither');
  }

  let user: string | undefined;
  let password: string | undefined;
  let passwordMissing = false;
  const u = pick('user', '--user', 'ETCDCTL_USER');
  if (u.value !== undefined) {
    const colon = u.value.indexOf(':');
    user = colon < 0 ? u.value : u.value.slice(0, colon);
    if (colon >= 0) password = u.value.slice(colon + 1);
    else passwordMissing = true;
    if (user === '') throw new LiveOptionsError(u.from, 'has an empty user name (expected name or name:password)');
  }

  const insecureSkipTlsVerify = flags.insecureSkipTlsVerify === true;
  if (insecureSkipTlsVerify && !secure) throw new LiveOptionsError('--insecure-skip-tls-verify', 'is only used with https:// endpoints');

  const dialTimeoutMs = flags.dialTimeout === undefined ? DEFAULT_DIAL_TIMEOUT_MS : parseDuration(flags.dialTimeout, '--dial-timeout');
  const commandTimeoutMs = flags.commandTimeout === undefined ? DEFAULT_COMMAND_TIMEOUT_MS : parseDuration(flags.commandTimeout, '--command-timeout');

  return {
    options: {
      endpoints,
      ...files,
      ...(user !== undefined ? { user } : {}),
      ...(password !== undefined ? { password } : {}),
      ...(insecureSkipTlsVerify ? { insecureSkipTlsVerify } : {}),
      dialTimeoutMs,
      commandTimeoutMs,
    },
    passwordMissing,
  };
}
