// Package atrestbench is the Go anchor of atrest's benchmarks: kube-apiserver's
// encryption-at-rest value transformers written again, from the stored-value formats
// (docs/formats.md), with the Go standard library and golang.org/x/crypto/nacl/secretbox only.
//
// The shape is upstream's k8s.io/apiserver/pkg/storage/value: a Transformer interface
// (TransformFromStorage / TransformToStorage with an authenticated-data context), a prefix
// chain (PrefixTransformers) whose entries are the providers ("k8s:enc:aesgcm:v1:"), and for
// keyed providers an inner chain of key names ("key1:"). A write returns a fresh allocation with
// the prefixes prepended, a read slices the prefixes off and allocates only the plaintext.
//
// The per-operation work deliberately matches atrest's TypeScript providers, so the two sides of
// a benchmark measure the same thing:
//
//   - every write draws its nonce (IV, DEK, HKDF info) from crypto/rand;
//   - aesgcm and aescbc prepare the block cipher once per key; secretbox takes the key as is;
//   - kms v1 writes a fresh DEK per write, wrapped by the plugin, and caches its GCM and CBC
//     readers under the wrapped bytes (an LRU of 1000), so reads of fresh values do not call
//     the plugin;
//   - kms v2 wraps one seed per key ID and, per write, draws a 32-byte info and 12-byte nonce,
//     derives the key with one HMAC (HKDF-Expand-SHA256) and seals with AES-256-GCM; reads
//     decode the EncryptedObject, find the unwrapped seed in the cache by upstream's cache key,
//     derive and open. Like atrest, derived keys are not cached.
//
// KMS plugins are upstream's Base64 mock: the wrapped DEK or seed is its base64 text.
package atrestbench
