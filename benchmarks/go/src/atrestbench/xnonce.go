package atrestbench

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
)

// The HKDF_SHA256_XNONCE_AES_GCM_SEED payload (kms v2's encryptedData):
//
//	info(32, random) || nonce(12, random) || ciphertext || tag(16)
//
// under key = HKDF-Expand(SHA-256, PRK = seed, info, 32), additional data = the etcd key. A
// 32-byte output is the first HKDF block, T(1) = HMAC-SHA256(seed, info || 0x01): one HMAC.
const (
	xnonceInfoSize = 32
	minSeedSize    = 32
)

// xnonceGCM derives a fresh AES-256-GCM key for every value from one seed. Like atrest it keeps
// no derived key: each read and write pays one HMAC and one cipher set-up.
type xnonceGCM struct{ seed []byte }

// newXNonceGCM copies seed, which must be at least 32 bytes.
func newXNonceGCM(seed []byte) (Transformer, error) {
	if len(seed) < minSeedSize {
		return nil, fmt.Errorf("invalid seed length %d used for key generation", len(seed))
	}
	return &xnonceGCM{seed: append([]byte(nil), seed...)}, nil
}

// aead derives the value's key from info and prepares AES-256-GCM with it.
func (t *xnonceGCM) aead(info []byte) (cipher.AEAD, error) {
	mac := hmac.New(sha256.New, t.seed)
	mac.Write(info)
	mac.Write([]byte{1})
	key := mac.Sum(nil)
	block, err := aes.NewCipher(key)
	wipe(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// TransformFromStorage derives the key from the stored info and opens the rest.
func (t *xnonceGCM) TransformFromStorage(_ context.Context, data []byte, dataCtx DataContext) ([]byte, bool, error) {
	if len(data) < xnonceInfoSize+gcmNonceSize {
		return nil, false, errTooShort
	}
	aead, err := t.aead(data[:xnonceInfoSize])
	if err != nil {
		return nil, false, err
	}
	rest := data[xnonceInfoSize:]
	out, err := aead.Open(nil, rest[:gcmNonceSize], rest[gcmNonceSize:], dataCtx.AuthenticatedData())
	return out, false, err
}

// TransformToStorage draws info and nonce together from crypto/rand into the new output, then
// derives and seals after them.
func (t *xnonceGCM) TransformToStorage(_ context.Context, data []byte, dataCtx DataContext) ([]byte, error) {
	const header = xnonceInfoSize + gcmNonceSize
	out := make([]byte, header, header+len(data)+16)
	if _, err := rand.Read(out); err != nil {
		return nil, err
	}
	aead, err := t.aead(out[:xnonceInfoSize])
	if err != nil {
		return nil, err
	}
	return aead.Seal(out, out[xnonceInfoSize:header], data, dataCtx.AuthenticatedData()), nil
}
