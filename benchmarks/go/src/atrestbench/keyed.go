package atrestbench

import (
	"errors"
	"fmt"
)

// NamedKey is one key of a keyed provider (aescbc, aesgcm, secretbox), as in an
// EncryptionConfiguration.
type NamedKey struct {
	Name   string
	Secret []byte
}

// keyedProvider builds upstream's two-level shape: the provider prefix ("k8s:enc:aesgcm:v1:")
// in front of an inner chain with one entry per key name ("key1:"); the first key writes.
func keyedProvider(prefix string, keys []NamedKey, noKey string, build func(secret []byte) (Transformer, error)) (PrefixTransformer, error) {
	if len(keys) == 0 {
		return PrefixTransformer{}, fmt.Errorf("%s: no keys", prefix)
	}
	entries := make([]PrefixTransformer, 0, len(keys))
	for _, k := range keys {
		t, err := build(k.Secret)
		if err != nil {
			return PrefixTransformer{}, fmt.Errorf("%s key %q: %v", prefix, k.Name, err)
		}
		entries = append(entries, PrefixTransformer{Prefix: []byte(k.Name + ":"), Transformer: t})
	}
	return PrefixTransformer{Prefix: []byte(prefix), Transformer: NewPrefixTransformers(errors.New(noKey), entries...)}, nil
}
