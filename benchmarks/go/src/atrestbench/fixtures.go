package atrestbench

import (
	"crypto/rand"
	"errors"
	"fmt"
)

// The benchmark matrix, named exactly as atrest's TypeScript cases (benchmarks/src/fixtures.ts).
var (
	// Providers benchmarked, in the TypeScript order.
	Providers = []string{"identity", "aescbc", "aesgcm", "secretbox", "kmsv1", "kmsv2"}
	// Sizes benchmarked, in bytes.
	Sizes = []int{1 << 10, 16 << 10, 64 << 10, 1 << 20}
	// Chain5 is the 5-provider chain of the chain5 case; its values sit under the last entry.
	Chain5 = []string{"aescbc", "secretbox", "kmsv1", "kmsv2", "aesgcm"}
)

// The names the TypeScript fixtures use: key name, KMS provider names and the mock's key ID.
const (
	KeyName     = "key1"
	KMSv1Name   = "bench-v1"
	KMSv2Name   = "bench-v2"
	KMSv2KeyID  = "bench-key-1"
	DefaultSeed = 0x9e3779b9
)

// ETCDKey is the etcd key every benchmark value is written under (the AEAD additional data).
var ETCDKey = EtcdKey("/registry/secrets/default/benchmark-value")

// SizeLabel is "1KiB", "64KiB", "1MiB".
func SizeLabel(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%dMiB", n>>20)
	}
	return fmt.Sprintf("%dKiB", n>>10)
}

// Plaintext is n deterministic bytes: the low byte of each step of xorshift32 (13, 17, 5)
// seeded by seed (0 becomes 1), byte for byte the TypeScript fixtures' plaintext().
func Plaintext(n int, seed uint32) []byte {
	out := make([]byte, n)
	x := seed
	if x == 0 {
		x = 1
	}
	for i := range out {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		out[i] = byte(x)
	}
	return out
}

// Keys are the secrets of the keyed providers, one per provider, shared by every chain of a run.
type Keys map[string][]byte

// RandomKeys draws a 32-byte key per keyed provider from crypto/rand.
func RandomKeys() (Keys, error) {
	keys := Keys{}
	for _, p := range []string{"aescbc", "aesgcm", "secretbox"} {
		k := make([]byte, 32)
		if _, err := rand.Read(k); err != nil {
			return nil, err
		}
		keys[p] = k
	}
	return keys, nil
}

// provider builds one chain entry; kms providers get their own Base64 mock and caches.
func provider(name string, keys Keys) (PrefixTransformer, error) {
	key := func() NamedKey { return NamedKey{Name: KeyName, Secret: keys[name]} }
	switch name {
	case "identity":
		return IdentityProvider(), nil
	case "aescbc":
		return AESCBCProvider(key())
	case "aesgcm":
		return AESGCMProvider(key())
	case "secretbox":
		return SecretboxProvider(key())
	case "kmsv1":
		return KMSv1Provider(KMSv1Name, Base64MockV1{}, KMSv1CacheSize), nil
	case "kmsv2":
		return KMSv2Provider(KMSv2Name, Base64MockV2{KeyID: KMSv2KeyID}), nil
	}
	return PrefixTransformer{}, fmt.Errorf("unknown provider %q", name)
}

// NewChain is the resource's transformer for a configuration listing providers in order, as
// kube-apiserver builds it: one prefix chain over the providers' entries.
func NewChain(providers []string, keys Keys) (Transformer, error) {
	entries := make([]PrefixTransformer, 0, len(providers))
	for _, p := range providers {
		e, err := provider(p, keys)
		if err != nil {
			return nil, err
		}
		entries = append(entries, e)
	}
	return NewPrefixTransformers(errors.New("no matching prefix found"), entries...), nil
}
