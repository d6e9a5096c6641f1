/**
 * {@link classifyValue} for an audit of every revision of a snapshot: the same classification,
 * with the work that repeats from value to value done once.
 *
 * - Classifications are interned: every value under `aesgcm:key2` that reads fresh shares one
 *   {@link Classification}, named by a small integer the audit keeps per key.
 * - The envelope of a value under a local provider depends on its prefix alone
 *   (`k8s:enc:aesgcm:v1:key2:`): the bytes are compared with the prefixes seen before, and
 *   `inspectEnvelope` (text decoding, prefix parsing) runs only for a new one. KMS values are
 *   inspected one by one (their key ID and DEK fingerprint are per value).
 * - The etcd key goes to the transformer as the bytes stored in the snapshot (kube-apiserver's
 *   authenticated data), and the object is only checked to decode (with its TypeMeta read, which
 *   the audit compares with the key's resource), or summarized when the audit keeps details, never
 *   decoded in full.
 * - Plaintexts of encrypted values go into one reused buffer (the chain's `readInto`), not a new
 *   allocation per value, and are wiped from it as soon as the object check is done. A value whose read is still pending
 *   (a KMS plugin call) holds the buffer; a read that starts meanwhile gets memory of its own.
 *
 * @module
 */
import { isPromise, type ReadResult, toAtrestError, type Transformer } from '@atrest/core';
import { decodeObjectSummary, objectTypeMeta } from '@atrest/kube-objects';
import { type Classification, classificationBase, type ObjectSummary } from './classify.js';
import { inspectEnvelope } from './envelope.js';

/** What one value classified as. @internal */
export interface Outcome {
  /** Index of the interned classification ({@link Classifier.classification}). */
  readonly cls: number;
  /** Set when the plaintext is not a decodable Kubernetes object. */
  readonly decodeError?: string;
  /** With details only: the object's identity. */
  readonly object?: ObjectSummary;
  /** kms: fingerprint of the wrapped DEK. */
  readonly fingerprint?: string;
  /** The object's own TypeMeta, when it decodes and names one. */
  readonly apiVersion?: string;
  readonly kind?: string;
}

type BaseFields = Omit<Classification, 'stale' | 'status' | 'error'>;

/** The classifications that share envelope fields, by outcome. */
class Base {
  readonly fields: BaseFields;
  /** Index by `status * 2 + stale` for readable values (status 0 encrypted, 1 plaintext). */
  readonly readable = [-1, -1, -1, -1];
  readonly failed = new Map<string, number>();
  constructor(fields: BaseFields) {
    this.fields = fields;
  }
}

const ENC = [...'k8s:enc:'].map((c) => c.charCodeAt(0));
const COLON = 0x3a;
/** inspectEnvelope reads at most this many bytes of a value. */
const HEAD = 300;
const LOCAL_PROVIDERS = new Set(['aescbc', 'aesgcm', 'secretbox']);
/** Distinct local-provider prefixes remembered (a config has a handful). */
const MAX_PREFIXES = 64;

/**
 * The length of the prefix `k8s:enc:<provider>:<version>:<name>:` when it is ASCII within the
 * first {@link HEAD} bytes, or 0.
 */
function asciiPrefixLength(value: Uint8Array): number {
  if (value.length < ENC.length) return 0;
  for (let i = 0; i < ENC.length; i++) if (value[i] !== ENC[i]) return 0;
  const limit = Math.min(value.length, HEAD);
  let colons = 0;
  for (let i = ENC.length; i < limit; i++) {
    const b = value[i] as number;
    if (b >= 0x80) return 0;
    if (b === COLON && ++colons === 3) return i + 1;
  }
  return 0;
}

/** @internal */
export class Classifier {
  readonly #classes: Classification[] = [];
  readonly #byKey = new Map<string, number>();
  readonly #bases = new Map<string, Base>();
  readonly #prefixes: { bytes: Uint8Array; base: Base }[] = [];
  readonly #identity: Base;
  readonly #details: boolean;
  /** The kms DEK fingerprint of the value `#envelope` last looked at. */
  #fingerprint: string | undefined;
  /** Plaintext memory reused from value to value (see the module doc). */
  #scratch = new Uint8Array(0);
  #scratchInUse = false;

  /** @param details - summarize objects (name, namespace...), not only check that they decode */
  constructor(details: boolean) {
    this.#details = details;
    this.#identity = this.#base(classificationBase(inspectEnvelope(new Uint8Array(0))));
  }

  /** The interned classification `index` (shared: copy before handing it out to be kept). */
  classification(index: number): Classification {
    return this.#classes[index] as Classification;
  }

  #base(fields: BaseFields): Base {
    const key = JSON.stringify(fields);
    let b = this.#bases.get(key);
    if (b === undefined) {
      b = new Base(fields);
      this.#bases.set(key, b);
    }
    return b;
  }

  #intern(c: Classification): number {
    const key = JSON.stringify(c);
    let i = this.#byKey.get(key);
    if (i === undefined) {
      i = this.#classes.length;
      this.#classes.push(c);
      this.#byKey.set(key, i);
    }
    return i;
  }

  /** The envelope fields of `value` (and for kms, the DEK fingerprint in `#fingerprint`). */
  #envelope(value: Uint8Array): Base {
    this.#fingerprint = undefined;
    const n = asciiPrefixLength(value);
    if (n === 0 && !(value.length >= ENC.length && ENC.every((c, i) => value[i] === c))) return this.#identity;
    if (n > 0) {
      for (const p of this.#prefixes) {
        if (p.bytes.length !== n) continue;
        let i = 0;
        while (i < n && p.bytes[i] === value[i]) i++;
        if (i === n) return p.base;
      }
    }
    const envelope = inspectEnvelope(value);
    const base = this.#base(classificationBase(envelope));
    // A local provider's envelope is its prefix: remember it (kms values carry per-value fields).
    if (n > 0 && LOCAL_PROVIDERS.has(envelope.provider) && envelope.prefix.length === n && this.#prefixes.length < MAX_PREFIXES) {
      this.#prefixes.push({ bytes: value.slice(0, n), base });
    }
    this.#fingerprint = envelope.kms?.wrappedDEKFingerprint;
    return base;
  }

  #readable(base: Base, r: ReadResult, fingerprint: string | undefined): Outcome {
    const plaintext = r.source === 'identity';
    const slot = (plaintext ? 2 : 0) + (r.stale ? 1 : 0);
    let cls = base.readable[slot] as number;
    if (cls < 0) {
      cls = this.#intern({ ...base.fields, stale: r.stale, status: plaintext ? 'plaintext' : 'encrypted' });
      base.readable[slot] = cls;
    }
    let object: ObjectSummary | undefined;
    let decodeError: string | undefined;
    let apiVersion = '';
    let kind = '';
    try {
      if (this.#details) {
        const s = decodeObjectSummary(r.plaintext);
        object = { apiVersion: s.apiVersion, kind: s.kind, namespace: s.namespace, name: s.name, uid: s.uid };
        ({ apiVersion, kind } = s);
      } else ({ apiVersion, kind } = objectTypeMeta(r.plaintext));
    } catch (err) {
      decodeError = toAtrestError(err).message;
    }
    return {
      cls,
      ...(decodeError !== undefined ? { decodeError } : {}),
      ...(object !== undefined ? { object } : {}),
      ...(fingerprint !== undefined ? { fingerprint } : {}),
      ...(kind !== '' ? { apiVersion, kind } : {}),
    };
  }

  #failed(base: Base, error: unknown, fingerprint: string | undefined): Outcome {
    const message = toAtrestError(error).message;
    let cls = base.failed.get(message);
    if (cls === undefined) {
      cls = this.#intern({ ...base.fields, stale: null, status: 'undecryptable', error: message });
      base.failed.set(message, cls);
    }
    return fingerprint === undefined ? { cls } : { cls, fingerprint };
  }

  /**
   * Classify one stored value.
   * @param transformer - the resource's transformer
   * @param key - the etcd key bytes (the authenticated data; only read during the call)
   * @param value - the stored bytes (only read until the result settles)
   * @returns the outcome; a promise only when a KMS plugin had to be called
   */
  classify(transformer: Transformer, key: Uint8Array, value: Uint8Array): Outcome | Promise<Outcome> {
    const base = this.#envelope(value);
    const fingerprint = this.#fingerprint;
    // A value that is not an envelope can only be read by identity, which allocates nothing.
    const out = base === this.#identity ? undefined : this.#takeScratch(transformer, value.length);
    let r;
    try {
      r = out === undefined ? transformer.read(value, key) : (transformer.readInto as NonNullable<Transformer['readInto']>)(value, key, out);
    } catch (error) {
      this.#releaseScratch(out, 0);
      return this.#failed(base, error, fingerprint);
    }
    if (isPromise(r)) {
      return r.then(
        (result) => this.#checked(base, result, fingerprint, out),
        (error: unknown) => {
          this.#releaseScratch(out, 0);
          return this.#failed(base, error, fingerprint);
        },
      );
    }
    return this.#checked(base, r, fingerprint, out);
  }

  /** The outcome of a value read into `out` (or into its own memory), `out` wiped afterwards. */
  #checked(base: Base, r: ReadResult, fingerprint: string | undefined, out: Uint8Array | undefined): Outcome {
    try {
      return this.#readable(base, r, fingerprint);
    } finally {
      this.#releaseScratch(out, r.plaintext.length);
    }
  }

  /** The reused buffer, at least `length` bytes, or undefined (no `readInto`, or a read holds it). */
  #takeScratch(transformer: Transformer, length: number): Uint8Array | undefined {
    if (transformer.readInto === undefined || this.#scratchInUse) return undefined;
    if (this.#scratch.length < length) this.#scratch = new Uint8Array(Math.max(length, 2 * this.#scratch.length, 64 * 1024));
    this.#scratchInUse = true;
    return this.#scratch;
  }

  /** Zero the plaintext's bytes and free the buffer (a failed read has zeroed what it wrote). */
  #releaseScratch(out: Uint8Array | undefined, used: number): void {
    if (out === undefined) return;
    out.fill(0, 0, used);
    this.#scratchInUse = false;
  }
}
