package atrestbench

import (
	"context"
	"crypto/aes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// KMS v2 stored value: "k8s:enc:kms:v2:<name>:" || EncryptedObject (proto.go). Writers use one
// seed per plugin key ID (HKDF_SHA256_XNONCE_AES_GCM_SEED), wrapped once; a read is stale when
// its key ID is not the plugin's current one or its source type is not the seed type.
const (
	// KMSv2Prefix precedes the provider name.
	KMSv2Prefix = "k8s:enc:kms:v2:"

	kmsV2StatusInterval = time.Minute      // poll Status this often while healthy
	kmsV2StatusRetry    = 10 * time.Second // after a failed poll
	kmsV2WriteMaxTTL    = 3 * time.Minute  // writes refused this long after the last healthy poll
	kmsV2CacheTTL       = 24 * time.Hour
	kmsV2CacheSize      = 1000
	kmsV2SeedSize       = 32
)

// kmsV2State is what writes use: the seed's transformer and its wrapped form.
type kmsV2State struct {
	transformer        Transformer
	keyID              string
	encryptedDEKSource []byte
	annotations        map[string][]byte
	cacheKey           string
	expiresAt          time.Time
}

// kmsV2Transformer is the kms v2 envelope with the plugin probe that keeps its write state.
// Status is polled lazily, before an operation, when the last poll is old enough (no timers).
type kmsV2Transformer struct {
	service  KMSv2Service
	cache    *lruCache[Transformer]
	state    *kmsV2State
	lastPoll time.Time
	lastOK   bool
}

// KMSv2Provider is the chain entry "k8s:enc:kms:v2:<name>:" over service.
func KMSv2Provider(name string, service KMSv2Service) PrefixTransformer {
	t := &kmsV2Transformer{service: service, cache: newLRU[Transformer](kmsV2CacheSize, kmsV2CacheTTL)}
	return PrefixTransformer{Prefix: []byte(KMSv2Prefix + name + ":"), Transformer: t}
}

// ensureState polls Status when due; a failed poll is tolerated while a state exists.
func (t *kmsV2Transformer) ensureState(ctx context.Context, forWrite bool) error {
	now := time.Now()
	elapsed := now.Sub(t.lastPoll)
	due := elapsed >= kmsV2StatusRetry
	if t.state != nil && t.lastOK {
		due = elapsed >= kmsV2StatusInterval || (forWrite && now.After(t.state.expiresAt) && elapsed >= kmsV2StatusRetry)
	}
	if due {
		if err := t.poll(ctx, now); err != nil && t.state == nil {
			return err
		}
	}
	if t.state == nil {
		return errors.New("got unexpected nil transformer")
	}
	return nil
}

// poll asks the plugin for its key ID and generates a new seed when it changed.
func (t *kmsV2Transformer) poll(ctx context.Context, now time.Time) error {
	t.lastPoll, t.lastOK = now, false
	keyID, err := t.service.Status(ctx)
	if err != nil {
		return err
	}
	if t.state != nil && t.state.keyID == keyID {
		t.state.expiresAt = now.Add(kmsV2WriteMaxTTL)
		t.lastOK = true
		return nil
	}
	fresh, err := t.generateState(ctx, now.Add(kmsV2WriteMaxTTL))
	if err != nil {
		return err
	}
	if fresh.keyID != keyID {
		return fmt.Errorf("plugin encrypted with key ID %q, status reports %q", fresh.keyID, keyID)
	}
	t.state, t.lastOK = fresh, true
	t.cache.set(fresh.cacheKey, fresh.transformer)
	return nil
}

// generateState draws a seed from crypto/rand and has the plugin wrap it once.
func (t *kmsV2Transformer) generateState(ctx context.Context, expiresAt time.Time) (*kmsV2State, error) {
	seed := make([]byte, kmsV2SeedSize)
	defer wipe(seed)
	if _, err := rand.Read(seed); err != nil {
		return nil, err
	}
	tr, err := newXNonceGCM(seed)
	if err != nil {
		return nil, err
	}
	uid, err := newUID()
	if err != nil {
		return nil, err
	}
	resp, err := t.service.Encrypt(ctx, uid, seed)
	if err != nil {
		return nil, fmt.Errorf("failed to encrypt DEK, error: %v", err)
	}
	template := &EncryptedObject{
		EncryptedData:          []byte{0}, // any non-empty value passes validation
		KeyID:                  resp.KeyID,
		EncryptedDEKSource:     resp.Ciphertext,
		Annotations:            resp.Annotations,
		EncryptedDEKSourceType: sourceHKDFSeed,
	}
	if err := template.Validate(); err != nil {
		return nil, err
	}
	return &kmsV2State{
		transformer:        tr,
		keyID:              resp.KeyID,
		encryptedDEKSource: resp.Ciphertext,
		annotations:        resp.Annotations,
		cacheKey:           string(cacheKey(template)),
		expiresAt:          expiresAt,
	}, nil
}

// TransformFromStorage decodes the envelope, finds the unwrapped source by its cache key (else
// asks the plugin), and opens the payload.
func (t *kmsV2Transformer) TransformFromStorage(ctx context.Context, data []byte, dataCtx DataContext) ([]byte, bool, error) {
	obj, err := UnmarshalEncryptedObject(data)
	if err != nil {
		return nil, false, err
	}
	if err := obj.Validate(); err != nil {
		return nil, false, err
	}
	if err := t.ensureState(ctx, false); err != nil {
		return nil, false, err
	}
	key := cacheKey(obj)
	tr, ok := t.cache.get(key)
	if !ok {
		if tr, err = t.unwrap(ctx, obj); err != nil {
			return nil, false, err
		}
		t.cache.set(string(key), tr)
	}
	out, _, err := tr.TransformFromStorage(ctx, obj.EncryptedData, dataCtx)
	if err != nil {
		return nil, false, err
	}
	stale := obj.KeyID != t.state.keyID || obj.EncryptedDEKSourceType != sourceHKDFSeed
	return out, stale, nil
}

// unwrap asks the plugin for the source and builds its transformer.
func (t *kmsV2Transformer) unwrap(ctx context.Context, obj *EncryptedObject) (Transformer, error) {
	uid, err := newUID()
	if err != nil {
		return nil, err
	}
	source, err := t.service.Decrypt(ctx, uid, &KMSv2DecryptRequest{Ciphertext: obj.EncryptedDEKSource, KeyID: obj.KeyID, Annotations: obj.Annotations})
	if err != nil {
		return nil, fmt.Errorf("failed to decrypt DEK, error: %v", err)
	}
	defer wipe(source)
	if obj.EncryptedDEKSourceType == sourceHKDFSeed {
		return newXNonceGCM(source)
	}
	block, err := aes.NewCipher(source)
	if err != nil {
		return nil, err
	}
	return newGCMTransformer(block)
}

// TransformToStorage seals under the current seed and encodes the envelope.
func (t *kmsV2Transformer) TransformToStorage(ctx context.Context, data []byte, dataCtx DataContext) ([]byte, error) {
	if err := t.ensureState(ctx, true); err != nil {
		return nil, err
	}
	state := t.state
	if time.Now().After(state.expiresAt) {
		return nil, fmt.Errorf("encryptedDEKSource expired at %s", state.expiresAt.Format(time.RFC3339))
	}
	// Re-inserted on every write, as upstream does, so reads of fresh values never miss.
	t.cache.set(state.cacheKey, state.transformer)
	sealed, err := state.transformer.TransformToStorage(ctx, data, dataCtx)
	if err != nil {
		return nil, err
	}
	obj := &EncryptedObject{
		EncryptedData:          sealed,
		KeyID:                  state.keyID,
		EncryptedDEKSource:     state.encryptedDEKSource,
		Annotations:            state.annotations,
		EncryptedDEKSourceType: sourceHKDFSeed,
	}
	if err := obj.Validate(); err != nil {
		return nil, err
	}
	return obj.Marshal(), nil
}

// cacheKey is upstream's DEK cache key layout: source type (uint32 BE), then 16-bit-length-
// prefixed wrapped source and key ID, then, with annotations, their count (uint32 BE) and each
// key and value length-prefixed in sorted key order. Keying on all of them means a value reusing
// a wrapped source under another key ID or type cannot be served the wrong transformer.
func cacheKey(o *EncryptedObject) []byte {
	keys := o.sortedAnnotationKeys()
	size := 4 + 2 + len(o.EncryptedDEKSource) + 2 + len(o.KeyID)
	if len(keys) > 0 {
		size += 4
		for _, k := range keys {
			size += 4 + len(k) + len(o.Annotations[k])
		}
	}
	out := make([]byte, 0, size)
	out = binary.BigEndian.AppendUint32(out, uint32(o.EncryptedDEKSourceType))
	out = binary.BigEndian.AppendUint16(out, uint16(len(o.EncryptedDEKSource)))
	out = append(out, o.EncryptedDEKSource...)
	out = binary.BigEndian.AppendUint16(out, uint16(len(o.KeyID)))
	out = append(out, o.KeyID...)
	if len(keys) > 0 {
		out = binary.BigEndian.AppendUint32(out, uint32(len(keys)))
		for _, k := range keys {
			out = binary.BigEndian.AppendUint16(out, uint16(len(k)))
			out = append(out, k...)
			out = binary.BigEndian.AppendUint16(out, uint16(len(o.Annotations[k])))
			out = append(out, o.Annotations[k]...)
		}
	}
	return out
}
