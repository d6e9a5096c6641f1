package atrestbench

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"

	"golang.org/x/crypto/nacl/secretbox"
)

// The secretbox payload: nonce(24) || tag(16) || ciphertext (XSalsa20-Poly1305); nothing but
// the value is authenticated.
const (
	secretboxNonceSize = 24
	// SecretboxPrefix is the provider prefix; a key name follows.
	SecretboxPrefix = "k8s:enc:secretbox:v1:"
)

// Upstream's (misleading) text for a failed authentication.
var errSecretboxOpen = errors.New("output array was not large enough for encryption")

type secretboxTransformer struct{ key [32]byte }

// TransformFromStorage opens nonce || box.
func (t *secretboxTransformer) TransformFromStorage(_ context.Context, data []byte, _ DataContext) ([]byte, bool, error) {
	if len(data) < secretboxNonceSize+secretbox.Overhead {
		return nil, false, errTooShort
	}
	var nonce [secretboxNonceSize]byte
	copy(nonce[:], data)
	out, ok := secretbox.Open(nil, data[secretboxNonceSize:], &nonce, &t.key)
	if !ok {
		return nil, false, errSecretboxOpen
	}
	return out, false, nil
}

// TransformToStorage allocates nonce || box once, with a nonce from crypto/rand.
func (t *secretboxTransformer) TransformToStorage(_ context.Context, data []byte, _ DataContext) ([]byte, error) {
	var nonce [secretboxNonceSize]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return nil, err
	}
	out := make([]byte, secretboxNonceSize, secretboxNonceSize+secretbox.Overhead+len(data))
	copy(out, nonce[:])
	return secretbox.Seal(out, data, &nonce, &t.key), nil
}

// SecretboxProvider is the chain entry "k8s:enc:secretbox:v1:" with one inner entry per key.
func SecretboxProvider(keys ...NamedKey) (PrefixTransformer, error) {
	return keyedProvider(SecretboxPrefix, keys, "no matching key was found for the provided Secretbox transformer", func(secret []byte) (Transformer, error) {
		if len(secret) != 32 {
			return nil, fmt.Errorf("secretbox key is %d bytes, want 32", len(secret))
		}
		t := &secretboxTransformer{}
		copy(t.key[:], secret)
		return t, nil
	})
}
