package atrestpeer

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// AES payloads, the bytes after "k8s:enc:aes{gcm,cbc}:v1:<key>:" (and inside kms envelopes):
//
//	aesgcm: nonce(12) || ciphertext || tag(16), additional data = the etcd key
//	aescbc: iv(16) || AES-CBC(PKCS#7-padded plaintext), 1..16 bytes of padding, always present;
//	        nothing is authenticated, so the etcd key is ignored
const (
	gcmNonceSize = 12
	gcmTagSize   = 16
)

// newAESBlock accepts exactly the AES key sizes the configuration allows (16, 24, 32 bytes).
func newAESBlock(key []byte) (cipher.Block, error) {
	switch len(key) {
	case 16, 24, 32:
		return aes.NewCipher(key)
	default:
		return nil, fmt.Errorf("invalid AES key length %d (want 16, 24 or 32)", len(key))
	}
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := newAESBlock(key)
	if err != nil {
		return nil, err
	}
	// Standard 12-byte nonce and 16-byte tag: the only parameters the stored format uses.
	return cipher.NewGCM(block)
}

// SealGCM encrypts plaintext under key with the given 12-byte nonce and returns
// nonce || ciphertext || tag. Callers supply the nonce so kms v2's counter nonces can share it.
func SealGCM(key, nonce, plaintext, aad []byte) ([]byte, error) {
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	if len(nonce) != gcmNonceSize {
		return nil, fmt.Errorf("AES-GCM nonce must be %d bytes, got %d", gcmNonceSize, len(nonce))
	}
	out := make([]byte, 0, gcmNonceSize+len(plaintext)+gcmTagSize)
	out = append(out, nonce...)
	return aead.Seal(out, nonce, plaintext, aad), nil
}

// SealGCMRandom is SealGCM with a fresh random nonce, as the aesgcm provider writes.
func SealGCMRandom(key, plaintext, aad []byte) ([]byte, error) {
	nonce, err := randomBytes(gcmNonceSize)
	if err != nil {
		return nil, err
	}
	return SealGCM(key, nonce, plaintext, aad)
}

// OpenGCM reads nonce || ciphertext || tag. Go's AEAD releases nothing unless the tag verifies.
func OpenGCM(key, payload, aad []byte) ([]byte, error) {
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	if len(payload) < gcmNonceSize {
		return nil, errors.New(errTooShort)
	}
	plaintext, err := aead.Open(nil, payload[:gcmNonceSize], payload[gcmNonceSize:], aad)
	if err != nil {
		// Also covers a payload shorter than nonce + tag, as upstream reports it.
		return nil, errors.New(errGCMAuthentication)
	}
	return plaintext, nil
}

// SealCBC writes iv(16) || AES-CBC(PKCS#7(plaintext)) with a random IV.
func SealCBC(key, plaintext []byte) ([]byte, error) {
	block, err := newAESBlock(key)
	if err != nil {
		return nil, err
	}
	padding := aes.BlockSize - len(plaintext)%aes.BlockSize // 1..16, never 0
	out := make([]byte, aes.BlockSize+len(plaintext)+padding)
	if _, err := rand.Read(out[:aes.BlockSize]); err != nil {
		return nil, err
	}
	body := out[aes.BlockSize:]
	copy(body, plaintext)
	for i := len(plaintext); i < len(body); i++ {
		body[i] = byte(padding)
	}
	cipher.NewCBCEncrypter(block, out[:aes.BlockSize]).CryptBlocks(body, body)
	return out, nil
}

// OpenCBC reads iv(16) || CBC blocks and removes the PKCS#7 padding, checking it the way the
// format's reader does: the last byte gives the padding length, which must be 1..len(data), and
// every padding byte must equal it. CBC is unauthenticated: a wrong key usually, but not always,
// fails the padding check.
func OpenCBC(key, payload []byte) ([]byte, error) {
	block, err := newAESBlock(key)
	if err != nil {
		return nil, err
	}
	if len(payload) < aes.BlockSize {
		return nil, errors.New(errTooShort)
	}
	iv, body := payload[:aes.BlockSize], payload[aes.BlockSize:]
	if len(body)%aes.BlockSize != 0 {
		return nil, errors.New(errNotBlockMultiple)
	}
	// An IV with no block after it: upstream indexes an empty slice and panics, so there is no
	// upstream text. atrest reports it as too short (the minimum is an IV and one block); the
	// peer agrees, so the differential suite pins that choice.
	if len(body) == 0 {
		return nil, errors.New(errTooShort)
	}
	plain := make([]byte, len(body))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, body)
	padding := int(plain[len(plain)-1])
	if padding == 0 || padding > len(plain) {
		return nil, errors.New(errInvalidPKCS7Data)
	}
	size := len(plain) - padding
	for _, b := range plain[size:] {
		if int(b) != padding {
			return nil, errors.New(errInvalidPKCS7Padding)
		}
	}
	return plain[:size], nil
}

func randomBytes(n int) ([]byte, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	return b, nil
}
