package atrestbench

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
)

// AES payloads (after the prefixes, and inside kms envelopes):
//
//	aesgcm: nonce(12) || ciphertext || tag(16); additional data = the etcd key
//	aescbc: iv(16) || AES-CBC(PKCS#7(plaintext)); nothing authenticated
const (
	gcmNonceSize = 12
	// AESGCMPrefix and AESCBCPrefix are the provider prefixes; a key name follows.
	AESGCMPrefix = "k8s:enc:aesgcm:v1:"
	AESCBCPrefix = "k8s:enc:aescbc:v1:"
)

var (
	errTooShort         = errors.New("the stored data was shorter than the required size")
	errNotBlockMultiple = errors.New("the stored data is not a multiple of the block size")
	errInvalidPKCS7     = errors.New("invalid PKCS7 data (empty or not padded)")
	errInvalidPadding   = errors.New("invalid padding on input")
)

const errNoMatchingAESKey = "no matching key was found for the provided AES transformer"

// gcmTransformer seals with a random 96-bit nonce per write under one prepared AEAD.
type gcmTransformer struct{ aead cipher.AEAD }

// newGCMTransformer prepares AES-GCM (standard 12-byte nonce, 16-byte tag) for block.
func newGCMTransformer(block cipher.Block) (Transformer, error) {
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &gcmTransformer{aead: aead}, nil
}

// TransformFromStorage opens nonce || ciphertext || tag; nothing is released unless the tag verifies.
func (t *gcmTransformer) TransformFromStorage(_ context.Context, data []byte, dataCtx DataContext) ([]byte, bool, error) {
	if len(data) < gcmNonceSize {
		return nil, false, errTooShort
	}
	out, err := t.aead.Open(nil, data[:gcmNonceSize], data[gcmNonceSize:], dataCtx.AuthenticatedData())
	return out, false, err
}

// TransformToStorage allocates nonce || ciphertext || tag once, fills the nonce from
// crypto/rand and seals after it.
func (t *gcmTransformer) TransformToStorage(_ context.Context, data []byte, dataCtx DataContext) ([]byte, error) {
	out := make([]byte, gcmNonceSize, gcmNonceSize+len(data)+t.aead.Overhead())
	if _, err := rand.Read(out); err != nil {
		return nil, err
	}
	// Seal appends after the nonce; the nonce bytes are only read.
	return t.aead.Seal(out, out[:gcmNonceSize], data, dataCtx.AuthenticatedData()), nil
}

// cbcTransformer is AES-CBC with PKCS#7 padding and a random IV per write. It authenticates
// nothing, and its distinct padding errors are a padding oracle if exposed.
type cbcTransformer struct{ block cipher.Block }

// TransformFromStorage decrypts iv || blocks and checks the padding.
func (t *cbcTransformer) TransformFromStorage(_ context.Context, data []byte, _ DataContext) ([]byte, bool, error) {
	if len(data) < aes.BlockSize {
		return nil, false, errTooShort
	}
	iv, body := data[:aes.BlockSize], data[aes.BlockSize:]
	if len(body)%aes.BlockSize != 0 {
		return nil, false, errNotBlockMultiple
	}
	if len(body) == 0 {
		return nil, false, errTooShort
	}
	out := make([]byte, len(body))
	cipher.NewCBCDecrypter(t.block, iv).CryptBlocks(out, body)
	pad := int(out[len(out)-1])
	if pad == 0 || pad > len(out) {
		return nil, false, errInvalidPKCS7
	}
	n := len(out) - pad
	for _, b := range out[n:] {
		if int(b) != pad {
			return nil, false, errInvalidPadding
		}
	}
	return out[:n], false, nil
}

// TransformToStorage writes a random IV, then the padded plaintext encrypted in place.
func (t *cbcTransformer) TransformToStorage(_ context.Context, data []byte, _ DataContext) ([]byte, error) {
	pad := aes.BlockSize - len(data)%aes.BlockSize // 1..16: padding is always present
	out := make([]byte, aes.BlockSize+len(data)+pad)
	if _, err := rand.Read(out[:aes.BlockSize]); err != nil {
		return nil, err
	}
	body := out[aes.BlockSize:]
	copy(body, data)
	for i := len(data); i < len(body); i++ {
		body[i] = byte(pad)
	}
	cipher.NewCBCEncrypter(t.block, out[:aes.BlockSize]).CryptBlocks(body, body)
	return out, nil
}

// AESGCMProvider is the chain entry "k8s:enc:aesgcm:v1:" with one inner entry per key.
func AESGCMProvider(keys ...NamedKey) (PrefixTransformer, error) {
	return keyedProvider(AESGCMPrefix, keys, errNoMatchingAESKey, func(secret []byte) (Transformer, error) {
		block, err := aes.NewCipher(secret)
		if err != nil {
			return nil, err
		}
		return newGCMTransformer(block)
	})
}

// AESCBCProvider is the chain entry "k8s:enc:aescbc:v1:" with one inner entry per key.
func AESCBCProvider(keys ...NamedKey) (PrefixTransformer, error) {
	return keyedProvider(AESCBCPrefix, keys, errNoMatchingAESKey, func(secret []byte) (Transformer, error) {
		block, err := aes.NewCipher(secret)
		if err != nil {
			return nil, err
		}
		return &cbcTransformer{block: block}, nil
	})
}
