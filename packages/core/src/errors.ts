/**
 * Typed errors with stable codes.
 *
 * Every error atrest raises is an {@link AtrestError}. Its `message` is, where kube-apiserver has
 * one, **exactly upstream's text** (`cipher: message authentication failed`), so conformance
 * vectors can compare messages byte for byte. Where it happened (provider, key name, field path,
 * byte lengths, etcd key) lives in `context`, and {@link AtrestError.describe} renders both.
 *
 * No error ever carries key material or plaintext: `context` holds names and numbers only.
 *
 * @module
 */

/** Stable, documented error codes. Match on these, not on messages. */
export const ErrorCode = {
  /** No chain entry's prefix matched the stored value (upstream: `no matching prefix found`). */
  NoMatchingPrefix: 'ERR_NO_MATCHING_PREFIX',
  /** A bare identity transformer was given a value that starts with `k8s:enc:`. */
  IdentityEncrypted: 'ERR_IDENTITY_ENCRYPTED',
  /** A provider's prefix matched but none of its key names did. */
  NoMatchingKey: 'ERR_NO_MATCHING_KEY',
  /** Authenticated decryption failed: tampered data, wrong key, or wrong etcd key. */
  Authentication: 'ERR_AUTHENTICATION',
  /** The stored payload is shorter than the format's fixed overhead. */
  TooShort: 'ERR_TOO_SHORT',
  /** A CBC payload is not a whole number of 16-byte blocks. (A payload that is only an IV is ERR_TOO_SHORT.) */
  BlockSize: 'ERR_BLOCK_SIZE',
  /** CBC padding byte is 0 or larger than the data. */
  Pkcs7Data: 'ERR_PKCS7_DATA',
  /** CBC padding bytes disagree. */
  Pkcs7Padding: 'ERR_PKCS7_PADDING',
  /** Several chain entries matched and all failed; see `errors`. */
  Aggregate: 'ERR_AGGREGATE',
  /** A key is malformed: bad base64, wrong size. */
  InvalidKey: 'ERR_INVALID_KEY',
  /** A caller passed an argument of the wrong kind or size. */
  InvalidArgument: 'ERR_INVALID_ARGUMENT',
  /** A synchronous read/write reached a provider that can only answer asynchronously. */
  AsyncProvider: 'ERR_ASYNC_PROVIDER',
  /** The configuration file could not be parsed (syntax, wrong kind, unknown field, wrong type). */
  ConfigParse: 'ERR_CONFIG_PARSE',
  /** The configuration parsed but failed upstream's validation; see `issues`. */
  ConfigInvalid: 'ERR_CONFIG_INVALID',
  /** The configuration validated but upstream refuses to build transformers from it. */
  ConfigBuild: 'ERR_CONFIG_BUILD',
  /** A provider named in a configuration is not available in this build. */
  ProviderUnavailable: 'ERR_PROVIDER_UNAVAILABLE',
  /** A KMS envelope or plugin answer is malformed. */
  KmsInvalid: 'ERR_KMS_INVALID',
  /** A KMS plugin call failed (unavailable, deadline exceeded, refused). */
  KmsPlugin: 'ERR_KMS_PLUGIN',
  /** A counter-nonce writer has used every nonce of its key; the key must be replaced. */
  NonceExhausted: 'ERR_NONCE_EXHAUSTED',
  /** No etcd answered at the endpoints (refused, no route, or the dial timeout passed). */
  EtcdUnreachable: 'ERR_ETCD_UNREACHABLE',
  /** The TLS handshake with etcd failed (untrusted server, missing/expired/untrusted client certificate). */
  EtcdTls: 'ERR_ETCD_TLS',
  /** etcd rejected the user name or password. */
  EtcdAuth: 'ERR_ETCD_AUTH',
  /** etcd's RBAC denied the read. */
  EtcdPermission: 'ERR_ETCD_PERMISSION',
  /** A revision being read was compacted away. */
  EtcdCompacted: 'ERR_ETCD_COMPACTED',
  /** An etcd request did not finish within the command timeout. */
  EtcdTimeout: 'ERR_ETCD_TIMEOUT',
  /** The etcd connection was already closed. */
  EtcdClosed: 'ERR_ETCD_CLOSED',
  /** Any other failure of an etcd call. */
  Etcd: 'ERR_ETCD',
  /** Input data (a vector file, a snapshot, an object) is malformed. */
  InvalidData: 'ERR_INVALID_DATA',
  /** A bug: an error that is not an AtrestError escaped a provider. */
  Internal: 'ERR_INTERNAL',
} as const;

/** One of the {@link ErrorCode} values. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Where an error happened: names and numbers only, never secrets. */
export type ErrorContext = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * The error type of every atrest package.
 *
 * @example
 * ```ts
 * import { AtrestError, ErrorCode } from '@atrest/core';
 * try {
 *   // ... transformer.read(...)
 * } catch (e) {
 *   if (e instanceof AtrestError && e.code === ErrorCode.Authentication) console.error(e.describe());
 * }
 * ```
 */
export class AtrestError extends Error {
  /** Stable machine-readable code. */
  readonly code: ErrorCode;
  /** Where it happened (provider, key name, field path, lengths); never secrets. */
  readonly context: ErrorContext;

  /**
   * @param code - stable code
   * @param message - the message; upstream's exact text where upstream has one
   * @param context - where it happened; must not contain secrets
   * @param options - standard `cause`
   */
  constructor(code: ErrorCode, message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AtrestError';
    this.code = code;
    this.context = Object.freeze({ ...context });
  }

  /**
   * The message followed by its context, for people:
   * `cipher: message authentication failed (provider=aesgcm, key=key1)`.
   */
  describe(): string {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(this.context)) if (v !== undefined) parts.push(`${k}=${String(v)}`);
    return parts.length === 0 ? this.message : `${this.message} (${parts.join(', ')})`;
  }
}

/**
 * Several errors combined the way upstream's `utilerrors.Reduce(utilerrors.NewAggregate(errs))`
 * renders them: duplicate messages kept once, nested aggregates flattened, a single remaining
 * message bare, otherwise `[a, b]` in order.
 *
 * @example
 * ```ts
 * import { AtrestError, AtrestAggregateError, ErrorCode, reduceErrors } from '@atrest/core';
 * const a = new AtrestError(ErrorCode.Authentication, 'cipher: message authentication failed');
 * const b = new AtrestError(ErrorCode.BlockSize, 'the stored data is not a multiple of the block size');
 * reduceErrors([a, b])?.message; // '[cipher: message authentication failed, the stored data is not a multiple of the block size]'
 * ```
 */
export class AtrestAggregateError extends AtrestError {
  /** The errors combined, in chain order. */
  readonly errors: readonly AtrestError[];

  /** @param errors - two or more errors, in order */
  constructor(errors: readonly AtrestError[]) {
    super(ErrorCode.Aggregate, aggregateMessage(errors));
    this.name = 'AtrestAggregateError';
    this.errors = Object.freeze([...errors]);
  }
}

function flatten(errors: readonly AtrestError[], into: AtrestError[]): AtrestError[] {
  for (const e of errors) {
    if (e instanceof AtrestAggregateError) flatten(e.errors, into);
    else into.push(e);
  }
  return into;
}

function aggregateMessage(errors: readonly AtrestError[]): string {
  const seen = new Set<string>();
  for (const e of flatten(errors, [])) seen.add(e.message);
  const msgs = [...seen];
  if (msgs.length === 1) return msgs[0] as string;
  return `[${msgs.join(', ')}]`;
}

/**
 * Combine errors as upstream does: `undefined` for none, the error itself for one, otherwise an
 * {@link AtrestAggregateError}.
 *
 * @param errors - errors in chain order
 * @returns the reduced error, or undefined when `errors` is empty
 * @example
 * ```ts
 * import { reduceErrors } from '@atrest/core';
 * reduceErrors([]); // undefined
 * ```
 */
export function reduceErrors(errors: readonly AtrestError[]): AtrestError | undefined {
  if (errors.length === 0) return undefined;
  if (errors.length === 1) return errors[0];
  return new AtrestAggregateError(errors);
}

/**
 * Make any thrown value an {@link AtrestError}. Non-atrest errors become `ERR_INTERNAL`, keeping
 * only the original's type name in `context` (`kind`). Neither its text nor the error itself is
 * kept: a foreign error may echo its input (key bytes, plaintext), and `util.inspect` prints causes.
 *
 * @param err - anything thrown
 * @returns an AtrestError
 * @example
 * ```ts
 * import { toAtrestError } from '@atrest/core';
 * toAtrestError(new TypeError('x')).code; // 'ERR_INTERNAL'
 * ```
 */
export function toAtrestError(err: unknown): AtrestError {
  if (err instanceof AtrestError) return err;
  const kind = err instanceof Error ? err.name : typeof err;
  return new AtrestError(ErrorCode.Internal, `internal error (${kind})`, { kind });
}
