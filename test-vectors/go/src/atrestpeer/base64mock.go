package atrestpeer

import (
	"encoding/base64"
	"fmt"
)

// Base64Wrap is upstream's Base64 mock KMS plugin's Encrypt: the "wrapped" DEK or seed is the
// standard base64 text (with padding) of its bytes. It protects nothing; it makes stored kms
// values reproducible without a real KMS.
func Base64Wrap(dek []byte) []byte {
	return []byte(base64.StdEncoding.EncodeToString(dek))
}

// Base64Unwrap is the mock's Decrypt: standard base64 decoding of the wrapped bytes.
func Base64Unwrap(wrapped []byte) ([]byte, error) {
	dek, err := base64.StdEncoding.DecodeString(string(wrapped))
	if err != nil {
		return nil, fmt.Errorf("base64 mock plugin: %v", err)
	}
	return dek, nil
}
