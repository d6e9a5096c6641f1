package atrestbench

import (
	"context"
	"crypto/aes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
)

// KMS v1 stored value, after "k8s:enc:kms:v1:<name>:":
//
//	uint16 big-endian N || N bytes of wrapped DEK || AES-GCM payload under the DEK
//
// (or an AES-CBC payload from writers before Kubernetes 1.25, read as stale).
const (
	// KMSv1Prefix precedes the provider name.
	KMSv1Prefix = "k8s:enc:kms:v1:"
	// KMSv1CacheSize is upstream's default cachesize.
	KMSv1CacheSize = 1000
	kmsDEKSize     = 32
)

var errKMSv1Malformed = errors.New("invalid data encountered by envelope transformer: failed to read uint16 length prefixed data")

// dekTransformers reads and writes under one DEK: GCM first, CBC for old values.
type dekTransformers struct{ gcm, cbc Transformer }

// kmsV1Transformer is the envelope: a fresh DEK per write, wrapped by the plugin; unwrapped DEKs
// are cached under their wrapped bytes, so reads of known values make no plugin call.
type kmsV1Transformer struct {
	service KMSv1Service
	cache   *lruCache[*dekTransformers]
}

// transformersFor prepares the GCM and CBC transformers of one DEK over one AES key schedule.
func transformersFor(dek []byte) (*dekTransformers, error) {
	block, err := aes.NewCipher(dek)
	if err != nil {
		return nil, err
	}
	gcm, err := newGCMTransformer(block)
	if err != nil {
		return nil, err
	}
	return &dekTransformers{gcm: gcm, cbc: &cbcTransformer{block: block}}, nil
}

// TransformFromStorage splits off the wrapped DEK, finds its transformers (cache, else the
// plugin), and opens the payload: GCM, else CBC (stale).
func (t *kmsV1Transformer) TransformFromStorage(ctx context.Context, data []byte, dataCtx DataContext) ([]byte, bool, error) {
	if len(data) < 2 {
		return nil, false, errKMSv1Malformed
	}
	n := int(binary.BigEndian.Uint16(data))
	if 2+n > len(data) {
		return nil, false, errKMSv1Malformed
	}
	wrapped, payload := data[2:2+n], data[2+n:]
	dt, ok := t.cache.get(wrapped)
	if !ok {
		dek, err := t.service.Decrypt(ctx, wrapped)
		if err != nil {
			return nil, false, fmt.Errorf("error while decrypting key: %v", err)
		}
		dt, err = transformersFor(dek)
		wipe(dek)
		if err != nil {
			return nil, false, err
		}
		t.cache.set(string(wrapped), dt)
	}
	out, _, gcmErr := dt.gcm.TransformFromStorage(ctx, payload, dataCtx)
	if gcmErr == nil {
		return out, false, nil
	}
	out, _, cbcErr := dt.cbc.TransformFromStorage(ctx, payload, dataCtx)
	if cbcErr == nil {
		return out, true, nil
	}
	return nil, false, combineErrors([]error{gcmErr, cbcErr})
}

// TransformToStorage generates a DEK from crypto/rand, has the plugin wrap it, caches its
// transformers, and writes length || wrapped || GCM payload in one new allocation.
func (t *kmsV1Transformer) TransformToStorage(ctx context.Context, data []byte, dataCtx DataContext) ([]byte, error) {
	dek := make([]byte, kmsDEKSize)
	if _, err := rand.Read(dek); err != nil {
		return nil, err
	}
	wrapped, err := t.service.Encrypt(ctx, dek)
	if err != nil {
		return nil, err
	}
	if len(wrapped) > 0xffff {
		return nil, fmt.Errorf("wrapped DEK is %d bytes, more than the 2-byte length prefix holds", len(wrapped))
	}
	dt, err := transformersFor(dek)
	wipe(dek)
	if err != nil {
		return nil, err
	}
	t.cache.set(string(wrapped), dt)
	payload, err := dt.gcm.TransformToStorage(ctx, data, dataCtx)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 2+len(wrapped)+len(payload))
	binary.BigEndian.PutUint16(out, uint16(len(wrapped)))
	copy(out[2:], wrapped)
	copy(out[2+len(wrapped):], payload)
	return out, nil
}

// KMSv1Provider is the chain entry "k8s:enc:kms:v1:<name>:" over service, with a DEK cache of
// cacheSize entries (<= 0 disables it).
func KMSv1Provider(name string, service KMSv1Service, cacheSize int) PrefixTransformer {
	t := &kmsV1Transformer{service: service, cache: newLRU[*dekTransformers](cacheSize, 0)}
	return PrefixTransformer{Prefix: []byte(KMSv1Prefix + name + ":"), Transformer: t}
}

// wipe zeroes key material that is no longer needed.
func wipe(b []byte) {
	for i := range b {
		b[i] = 0
	}
}
