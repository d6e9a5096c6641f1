/**
 * The identity provider: values stored as they are, with no prefix and no encryption.
 *
 * Byte layout: the stored value *is* the plaintext. Nothing is encrypted or authenticated; anyone
 * who can read etcd (or a backup of it) reads the value.
 *
 * Read refuses values that start with `k8s:enc:`, because such a value was almost certainly written
 * by an encrypting provider that is no longer configured, and returning its ciphertext as if it
 * were the object would corrupt the caller. In a `PrefixChain` that refusal is silent (the
 * identity entry has an empty prefix, and the chain skips the errors of empty-prefix entries), so
 * the real error of an earlier entry is what the caller sees. A plaintext that itself starts with
 * `k8s:enc:` therefore cannot be stored with identity and read back; upstream has the same
 * limitation.
 *
 * @module
 */
import { AtrestError, type ChainEntry, ErrorCode, type ReadResult, type Transformer, utf8 } from '@atrest/core';
import { checkBytes, checkOut, checkReadArguments, hasPrefix } from '@atrest/core/internal';

/** The prefix every encrypting provider's values start with, which identity refuses to read. */
const ENCRYPTED_PREFIX = utf8('k8s:enc:');
const EMPTY_PREFIX = new Uint8Array(0);

/** Upstream's text for a value identity refuses. */
const IDENTITY_ENCRYPTED = 'identity transformer tried to read encrypted data';

/** The checks of a read: the arguments, and identity's refusal of `k8s:enc:` data. */
function checkReadable(data: Uint8Array, context: Uint8Array): void {
  checkReadArguments(data, 0, context);
  if (hasPrefix(data, ENCRYPTED_PREFIX)) {
    throw new AtrestError(ErrorCode.IdentityEncrypted, IDENTITY_ENCRYPTED, { provider: 'identity', length: data.length });
  }
}

const identityTransformer: Transformer = Object.freeze({
  read(data: Uint8Array, context: Uint8Array): ReadResult {
    checkReadable(data, context);
    // Upstream returns the stored slice itself; so do we (no copy: the value is not secret here).
    return { plaintext: data, stale: false, source: 'identity' };
  },
  readInto(data: Uint8Array, context: Uint8Array, out: Uint8Array): ReadResult {
    checkReadable(data, context);
    checkOut(out, data.length, data, 'data');
    out.set(data, 0);
    return { plaintext: out.subarray(0, data.length), stale: false, source: 'identity' };
  },
  write(plaintext: Uint8Array, context: Uint8Array): Uint8Array {
    checkBytes(plaintext, 'plaintext');
    checkBytes(context, 'context');
    return plaintext;
  },
});

/**
 * The identity transformer, also what kube-apiserver uses for a resource no rule matches.
 *
 * `read` returns `data` itself (not a copy), never stale; `readInto` copies it into `out`;
 * `write` returns `plaintext` itself.
 *
 * @returns a shared, stateless transformer
 * @throws AtrestError `ERR_IDENTITY_ENCRYPTED` (`identity transformer tried to read encrypted data`)
 *   from `read` when the value starts with `k8s:enc:`
 * @example
 * ```ts
 * import { identity } from '@atrest/identity';
 * import { readSync, utf8 } from '@atrest/core';
 * readSync(identity(), utf8('{"kind":"Secret"}'), utf8('/registry/secrets/default/db')).stale; // false
 * ```
 */
export function identity(): Transformer {
  return identityTransformer;
}

/**
 * The identity provider as a chain entry: empty prefix, so it matches every value; its refusals
 * of `k8s:enc:` data are skipped silently by `PrefixChain`.
 *
 * @returns `{ prefix: empty, transformer: identity(), name: 'identity' }`
 * @example
 * ```ts
 * import { identityProvider } from '@atrest/identity';
 * import { AtrestError, ErrorCode, PrefixChain } from '@atrest/core';
 * const chain = new PrefixChain([identityProvider()], () => new AtrestError(ErrorCode.NoMatchingPrefix, 'no matching prefix found'));
 * ```
 */
export function identityProvider(): ChainEntry {
  return { prefix: EMPTY_PREFIX, transformer: identityTransformer, name: 'identity' };
}
