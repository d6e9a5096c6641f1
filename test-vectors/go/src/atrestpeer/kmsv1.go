package atrestpeer

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// KMS v1 stored value:
//
//	"k8s:enc:kms:v1:<name>:" || uint16 big-endian N || N bytes of wrapped DEK || payload
//
// The DEK is a fresh random 32-byte AES key per write, wrapped by the plugin. The payload is
// AES-GCM as for aesgcm (additional data = etcd key) for current writers, or AES-CBC as for
// aescbc for writers before Kubernetes 1.25. A reader tries GCM first, then CBC with the same
// DEK; a CBC read is stale (the value should be rewritten with GCM).
const kmsDEKSize = 32

// KMSv1Payload selects the payload cipher a kms v1 write uses.
type KMSv1Payload int

const (
	// KMSv1GCM is what current writers produce.
	KMSv1GCM KMSv1Payload = iota
	// KMSv1CBC is what writers before Kubernetes 1.25 produced; reads of it are stale.
	KMSv1CBC
)

// KMSv1Prefix is the prefix of kms v1 values for the provider called name.
func KMSv1Prefix(name string) string {
	return encPrefix + "kms:v1:" + name + ":"
}

// EncryptKMSv1 writes a complete kms v1 value with a fresh DEK wrapped by wrap.
func EncryptKMSv1(name string, plaintext, etcdKey []byte, payload KMSv1Payload, wrap func([]byte) []byte) ([]byte, error) {
	dek, err := randomBytes(kmsDEKSize)
	if err != nil {
		return nil, err
	}
	wrapped := wrap(dek)
	if len(wrapped) == 0 || len(wrapped) > 0xffff {
		return nil, fmt.Errorf("wrapped DEK length %d does not fit the 16-bit length field", len(wrapped))
	}
	var body []byte
	switch payload {
	case KMSv1GCM:
		body, err = SealGCMRandom(dek, plaintext, etcdKey)
	case KMSv1CBC:
		body, err = SealCBC(dek, plaintext)
	default:
		err = fmt.Errorf("unknown kms v1 payload kind %d", payload)
	}
	if err != nil {
		return nil, err
	}
	prefix := KMSv1Prefix(name)
	out := make([]byte, 0, len(prefix)+2+len(wrapped)+len(body))
	out = append(out, prefix...)
	out = append(out, byte(len(wrapped)>>8), byte(len(wrapped)))
	out = append(out, wrapped...)
	return append(out, body...), nil
}

// DecryptKMSv1 reads a complete kms v1 value of the provider called name. stale is true when
// the payload was AES-CBC.
func DecryptKMSv1(name string, stored, etcdKey []byte, unwrap func([]byte) ([]byte, error)) (plaintext []byte, stale bool, err error) {
	rest, ok := cutPrefix(stored, KMSv1Prefix(name))
	if !ok {
		return nil, false, errors.New(errNoMatchingPrefix)
	}
	if len(rest) < 2 {
		return nil, false, errors.New("invalid data encountered by envelope transformer: failed to read uint16 length prefixed data")
	}
	n := int(binary.BigEndian.Uint16(rest))
	if len(rest) < 2+n {
		return nil, false, errors.New("invalid data encountered by envelope transformer: failed to read uint16 length prefixed data")
	}
	wrapped, payload := rest[2:2+n], rest[2+n:]
	dek, err := unwrap(wrapped)
	if err != nil {
		return nil, false, fmt.Errorf("error while decrypting key: %v", err)
	}
	plaintext, gcmErr := OpenGCM(dek, payload, etcdKey)
	if gcmErr == nil {
		return plaintext, false, nil
	}
	plaintext, cbcErr := OpenCBC(dek, payload)
	if cbcErr == nil {
		return plaintext, true, nil
	}
	return nil, false, combineErrors(gcmErr, cbcErr)
}

// combineErrors renders several failures as the chain does: duplicates once, a single message
// bare, otherwise "[a, b]" in order.
func combineErrors(errs ...error) error {
	var msgs []string
	seen := map[string]bool{}
	for _, e := range errs {
		if !seen[e.Error()] {
			seen[e.Error()] = true
			msgs = append(msgs, e.Error())
		}
	}
	if len(msgs) == 1 {
		return errors.New(msgs[0])
	}
	return errors.New("[" + strings.Join(msgs, ", ") + "]")
}
