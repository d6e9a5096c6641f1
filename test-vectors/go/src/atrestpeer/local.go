package atrestpeer

import (
	"bytes"
	"errors"
	"fmt"
)

// encPrefix starts every encrypted stored value; identity refuses to read such values.
const encPrefix = "k8s:enc:"

// Local providers: the key lives in the configuration. A stored value is
// "k8s:enc:<provider>:v1:" + "<key name>:" + payload.
const (
	ProviderIdentity  = "identity"
	ProviderAESCBC    = "aescbc"
	ProviderAESGCM    = "aesgcm"
	ProviderSecretbox = "secretbox"
)

// LocalPrefix is the prefix of a local provider's values, before the key name.
func LocalPrefix(provider string) string {
	return encPrefix + provider + ":v1:"
}

// EncryptIdentity stores the value unchanged, as the identity provider does.
func EncryptIdentity(plaintext []byte) []byte {
	return append([]byte{}, plaintext...)
}

// DecryptIdentity returns the stored value unchanged, refusing values that look encrypted.
func DecryptIdentity(stored []byte) ([]byte, error) {
	if bytes.HasPrefix(stored, []byte(encPrefix)) {
		return nil, errors.New(errIdentityEncrypted)
	}
	return append([]byte{}, stored...), nil
}

// EncryptLocal writes a complete aescbc, aesgcm or secretbox value under one named key.
func EncryptLocal(provider, keyName string, key, plaintext, etcdKey []byte) ([]byte, error) {
	var payload []byte
	var err error
	switch provider {
	case ProviderAESCBC:
		payload, err = SealCBC(key, plaintext)
	case ProviderAESGCM:
		payload, err = SealGCMRandom(key, plaintext, etcdKey)
	case ProviderSecretbox:
		payload, err = SealSecretbox(key, plaintext)
	default:
		return nil, fmt.Errorf("unknown local provider %q", provider)
	}
	if err != nil {
		return nil, err
	}
	prefix := LocalPrefix(provider) + keyName + ":"
	return append([]byte(prefix), payload...), nil
}

// DecryptLocal reads a complete aescbc, aesgcm or secretbox value with one named key, as a
// configuration holding just that provider and key would.
func DecryptLocal(provider, keyName string, key, stored, etcdKey []byte) ([]byte, error) {
	noKey := errNoMatchingAESKey
	switch provider {
	case ProviderAESCBC, ProviderAESGCM:
	case ProviderSecretbox:
		noKey = errNoMatchingBoxKey
	default:
		return nil, fmt.Errorf("unknown local provider %q", provider)
	}
	rest, ok := cutPrefix(stored, LocalPrefix(provider))
	if !ok {
		return nil, errors.New(errNoMatchingPrefix)
	}
	payload, ok := cutPrefix(rest, keyName+":")
	if !ok {
		return nil, errors.New(noKey)
	}
	switch provider {
	case ProviderAESCBC:
		return OpenCBC(key, payload)
	case ProviderAESGCM:
		return OpenGCM(key, payload, etcdKey)
	default:
		return OpenSecretbox(key, payload)
	}
}

// cutPrefix is bytes.CutPrefix, which Go 1.19 does not have yet.
func cutPrefix(b []byte, prefix string) ([]byte, bool) {
	if !bytes.HasPrefix(b, []byte(prefix)) {
		return nil, false
	}
	return b[len(prefix):], true
}
