package atrestpeer

import (
	"errors"
	"fmt"

	"golang.org/x/crypto/nacl/secretbox"
)

// The secretbox payload: nonce(24) || NaCl secretbox (XSalsa20-Poly1305; the 16-byte tag comes
// first, then the ciphertext). The etcd key is not authenticated.
const (
	secretboxKeySize   = 32
	secretboxNonceSize = 24
)

func secretboxKey(key []byte) (*[secretboxKeySize]byte, error) {
	if len(key) != secretboxKeySize {
		return nil, fmt.Errorf("invalid secretbox key length %d (want 32)", len(key))
	}
	var k [secretboxKeySize]byte
	copy(k[:], key)
	return &k, nil
}

// SealSecretbox writes nonce(24) || tag(16) || ciphertext with a random nonce.
func SealSecretbox(key, plaintext []byte) ([]byte, error) {
	k, err := secretboxKey(key)
	if err != nil {
		return nil, err
	}
	var nonce [secretboxNonceSize]byte
	random, err := randomBytes(secretboxNonceSize)
	if err != nil {
		return nil, err
	}
	copy(nonce[:], random)
	out := make([]byte, 0, secretboxNonceSize+secretbox.Overhead+len(plaintext))
	out = append(out, nonce[:]...)
	return secretbox.Seal(out, plaintext, &nonce, k), nil
}

// OpenSecretbox reads nonce(24) || tag(16) || ciphertext.
func OpenSecretbox(key, payload []byte) ([]byte, error) {
	k, err := secretboxKey(key)
	if err != nil {
		return nil, err
	}
	if len(payload) < secretboxNonceSize+secretbox.Overhead {
		return nil, errors.New(errTooShort)
	}
	var nonce [secretboxNonceSize]byte
	copy(nonce[:], payload[:secretboxNonceSize])
	plaintext, ok := secretbox.Open(nil, payload[secretboxNonceSize:], &nonce, k)
	if !ok {
		// Upstream's (misleading) wording for an authentication failure.
		return nil, errors.New(errSecretboxOpen)
	}
	if plaintext == nil {
		plaintext = []byte{}
	}
	return plaintext, nil
}
