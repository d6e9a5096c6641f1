package atrestpeer

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync/atomic"

	"golang.org/x/crypto/hkdf"
)

// KMS v2 stored value: "k8s:enc:kms:v2:<name>:" || EncryptedObject (proto.go), where
// encryptedDEKSource is the plugin-wrapped 32-byte source and encryptedData depends on the
// source type:
//
//	AES_GCM_KEY:                      nonce(12) || ciphertext || tag, key = the source
//	HKDF_SHA256_XNONCE_AES_GCM_SEED:  info(32) || nonce(12) || ciphertext || tag,
//	                                  key = HKDF-Expand(SHA-256, PRK = seed, info, 32)
//
// The additional data is the etcd key in both. A read is stale when the stored key ID differs
// from the plugin's current one, or the source type is not the HKDF seed type (readers keep the
// KDF on, so AES_GCM_KEY values are always rewritten).
const (
	kmsV2InfoSize       = 32
	kmsV2MaxKeyIDSize   = 1024
	kmsV2MaxSourceSize  = 1024
	kmsV2MaxAnnotations = 32 * 1024
)

// counterNonce is the 64-bit counter of AES_GCM_KEY writes. Upstream's writer counts per DEK
// from 1000000001; the peer uses a fresh DEK per write anyway, so one process-wide counter
// starting at the same number keeps the nonces shaped like upstream's.
var counterNonce uint64 = 1000000000

// KMSv2Prefix is the prefix of kms v2 values for the provider called name.
func KMSv2Prefix(name string) string {
	return encPrefix + "kms:v2:" + name + ":"
}

// KMSv2Write describes one kms v2 write.
type KMSv2Write struct {
	KeyID       string            // the key ID the plugin reports for this write
	SourceType  int32             // SourceHKDFSeed (what current writers use) or SourceAESGCMKey
	Annotations map[string][]byte // the plugin's annotations, stored as they are
}

// KMSv2Read is what a kms v2 read reports besides the plaintext.
type KMSv2Read struct {
	Plaintext   []byte
	Stale       bool
	KeyID       string
	SourceType  int32
	Annotations map[string][]byte
}

// EncryptKMSv2 writes a complete kms v2 value with a fresh 32-byte source wrapped by wrap.
func EncryptKMSv2(name string, plaintext, etcdKey []byte, w KMSv2Write, wrap func([]byte) []byte) ([]byte, error) {
	source, err := randomBytes(32)
	if err != nil {
		return nil, err
	}
	var data []byte
	switch w.SourceType {
	case SourceHKDFSeed:
		info, err := randomBytes(kmsV2InfoSize)
		if err != nil {
			return nil, err
		}
		key, err := expandSeed(source, info)
		if err != nil {
			return nil, err
		}
		sealed, err := SealGCMRandom(key, plaintext, etcdKey)
		if err != nil {
			return nil, err
		}
		data = append(info, sealed...)
	case SourceAESGCMKey:
		nonce, err := randomBytes(gcmNonceSize)
		if err != nil {
			return nil, err
		}
		// 4 random bytes || little-endian 64-bit counter.
		binary.LittleEndian.PutUint64(nonce[4:], atomic.AddUint64(&counterNonce, 1))
		data, err = SealGCM(source, nonce, plaintext, etcdKey)
		if err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("unknown encryptedDEKSourceType: %d", w.SourceType)
	}
	obj := &EncryptedObject{
		EncryptedData:          data,
		KeyID:                  w.KeyID,
		EncryptedDEKSource:     wrap(source),
		Annotations:            w.Annotations,
		EncryptedDEKSourceType: w.SourceType,
	}
	if err := validateEncryptedObject(obj); err != nil {
		return nil, err
	}
	return append([]byte(KMSv2Prefix(name)), obj.Marshal()...), nil
}

// DecryptKMSv2 reads a complete kms v2 value of the provider called name; currentKeyID is the
// key ID the plugin reports now (a different stored key ID makes the read stale).
func DecryptKMSv2(name string, stored, etcdKey []byte, currentKeyID string, unwrap func([]byte) ([]byte, error)) (*KMSv2Read, error) {
	rest, ok := cutPrefix(stored, KMSv2Prefix(name))
	if !ok {
		return nil, errors.New(errNoMatchingPrefix)
	}
	obj, err := UnmarshalEncryptedObject(rest)
	if err != nil {
		return nil, err
	}
	if err := validateEncryptedObject(obj); err != nil {
		return nil, err
	}
	source, err := unwrap(obj.EncryptedDEKSource)
	if err != nil {
		return nil, fmt.Errorf("failed to decrypt DEK: %v", err)
	}
	if len(source) != 32 {
		return nil, fmt.Errorf("unwrapped DEK source is %d bytes, want 32", len(source))
	}
	var plaintext []byte
	switch obj.EncryptedDEKSourceType {
	case SourceAESGCMKey:
		plaintext, err = OpenGCM(source, obj.EncryptedData, etcdKey)
	case SourceHKDFSeed:
		if len(obj.EncryptedData) < kmsV2InfoSize {
			return nil, errors.New(errTooShort)
		}
		key, kerr := expandSeed(source, obj.EncryptedData[:kmsV2InfoSize])
		if kerr != nil {
			return nil, kerr
		}
		plaintext, err = OpenGCM(key, obj.EncryptedData[kmsV2InfoSize:], etcdKey)
	}
	if err != nil {
		return nil, err
	}
	return &KMSv2Read{
		Plaintext:   plaintext,
		Stale:       obj.KeyID != currentKeyID || obj.EncryptedDEKSourceType != SourceHKDFSeed,
		KeyID:       obj.KeyID,
		SourceType:  obj.EncryptedDEKSourceType,
		Annotations: obj.Annotations,
	}, nil
}

// expandSeed is HKDF-Expand only (RFC 5869 section 2.3, no extract step): the seed is already
// uniformly random, and the format defines the key this way.
func expandSeed(seed, info []byte) ([]byte, error) {
	key := make([]byte, 32)
	if _, err := io.ReadFull(hkdf.Expand(sha256.New, seed, info), key); err != nil {
		return nil, err
	}
	return key, nil
}

// validateEncryptedObject applies the envelope's limits: a known source type, non-empty data, a
// wrapped source and key ID of 1..1024 bytes, annotation keys that are fully qualified domain
// names, annotations of at most 32 KiB in total (keys and values).
func validateEncryptedObject(o *EncryptedObject) error {
	switch o.EncryptedDEKSourceType {
	case SourceAESGCMKey, SourceHKDFSeed:
	default:
		return fmt.Errorf("unknown encryptedDEKSourceType: %d", o.EncryptedDEKSourceType)
	}
	if len(o.EncryptedData) == 0 {
		return errors.New("encrypted data is empty")
	}
	if n := len(o.EncryptedDEKSource); n == 0 || n > kmsV2MaxSourceSize {
		return fmt.Errorf("encrypted DEK source is %d bytes, want 1..%d", n, kmsV2MaxSourceSize)
	}
	if n := len(o.KeyID); n == 0 || n > kmsV2MaxKeyIDSize {
		return fmt.Errorf("key ID is %d bytes, want 1..%d", n, kmsV2MaxKeyIDSize)
	}
	total := 0
	for k, v := range o.Annotations {
		if !isFullyQualifiedDomainName(k) {
			return fmt.Errorf("annotation key %q is not a fully qualified domain name", k)
		}
		total += len(k) + len(v)
	}
	if total > kmsV2MaxAnnotations {
		return fmt.Errorf("annotations total %d bytes, more than %d", total, kmsV2MaxAnnotations)
	}
	return nil
}

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// isFullyQualifiedDomainName: an optional trailing dot, then at most 253 characters of at least
// two dot-separated RFC 1123 labels (lowercase alphanumerics and inner '-', 1..63 characters).
func isFullyQualifiedDomainName(name string) bool {
	name = strings.TrimSuffix(name, ".")
	if len(name) == 0 || len(name) > 253 {
		return false
	}
	labels := strings.Split(name, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if len(l) > 63 || !dnsLabel.MatchString(l) {
			return false
		}
	}
	return true
}
