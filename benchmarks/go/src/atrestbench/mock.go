package atrestbench

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
)

// KMSv1Service is a kms v1 plugin: it wraps and unwraps DEKs.
type KMSv1Service interface {
	Encrypt(ctx context.Context, dek []byte) ([]byte, error)
	Decrypt(ctx context.Context, wrapped []byte) ([]byte, error)
}

// KMSv2EncryptResponse is a kms v2 plugin's Encrypt answer.
type KMSv2EncryptResponse struct {
	Ciphertext  []byte
	KeyID       string
	Annotations map[string][]byte
}

// KMSv2DecryptRequest is what a kms v2 Decrypt sends: the stored envelope fields.
type KMSv2DecryptRequest struct {
	Ciphertext  []byte
	KeyID       string
	Annotations map[string][]byte
}

// KMSv2Service is a kms v2 plugin.
type KMSv2Service interface {
	// Status reports the key ID new writes should use.
	Status(ctx context.Context) (keyID string, err error)
	Encrypt(ctx context.Context, uid string, plaintext []byte) (*KMSv2EncryptResponse, error)
	Decrypt(ctx context.Context, uid string, req *KMSv2DecryptRequest) ([]byte, error)
}

// Base64MockV1 is upstream's Base64 mock kms v1 plugin: wrapping is base64 text. Testing only.
type Base64MockV1 struct{}

// Encrypt returns the standard base64 text of dek.
func (Base64MockV1) Encrypt(_ context.Context, dek []byte) ([]byte, error) {
	out := make([]byte, base64.StdEncoding.EncodedLen(len(dek)))
	base64.StdEncoding.Encode(out, dek)
	return out, nil
}

// Decrypt decodes base64 text.
func (Base64MockV1) Decrypt(_ context.Context, wrapped []byte) ([]byte, error) {
	return base64Decode(wrapped)
}

// Base64MockV2 is upstream's Base64 mock kms v2 plugin reporting a fixed key ID. Testing only.
type Base64MockV2 struct{ KeyID string }

// Status reports the mock's key ID.
func (m Base64MockV2) Status(context.Context) (string, error) { return m.KeyID, nil }

// Encrypt wraps plaintext as base64 text under the mock's key ID.
func (m Base64MockV2) Encrypt(ctx context.Context, uid string, plaintext []byte) (*KMSv2EncryptResponse, error) {
	if uid == "" {
		return nil, errors.New("uid is required")
	}
	wrapped, _ := Base64MockV1{}.Encrypt(ctx, plaintext)
	return &KMSv2EncryptResponse{Ciphertext: wrapped, KeyID: m.KeyID}, nil
}

// Decrypt decodes base64 text; key ID and annotations are ignored, as upstream's mock does.
func (m Base64MockV2) Decrypt(_ context.Context, uid string, req *KMSv2DecryptRequest) ([]byte, error) {
	if uid == "" {
		return nil, errors.New("uid is required")
	}
	return base64Decode(req.Ciphertext)
}

func base64Decode(text []byte) ([]byte, error) {
	out := make([]byte, base64.StdEncoding.DecodedLen(len(text)))
	n, err := base64.StdEncoding.Decode(out, text)
	if err != nil {
		return nil, err
	}
	return out[:n], nil
}

// newUID is a random request ID for plugin calls (they happen on cache misses and seed
// rotation only, never per value).
func newUID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}
