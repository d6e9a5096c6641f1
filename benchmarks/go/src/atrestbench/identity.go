package atrestbench

import (
	"bytes"
	"context"
	"errors"
)

// encPrefix starts every encrypted value; identity refuses to read such values.
var encPrefix = []byte("k8s:enc:")

var errIdentityEncrypted = errors.New("identity transformer tried to read encrypted data")

// identityTransformer stores values as they are. Like upstream and atrest, neither direction
// copies: the value is not secret here.
type identityTransformer struct{}

// TransformFromStorage returns data itself unless it looks encrypted.
func (identityTransformer) TransformFromStorage(_ context.Context, data []byte, _ DataContext) ([]byte, bool, error) {
	if bytes.HasPrefix(data, encPrefix) {
		return nil, false, errIdentityEncrypted
	}
	return data, false, nil
}

// TransformToStorage returns data itself.
func (identityTransformer) TransformToStorage(_ context.Context, data []byte, _ DataContext) ([]byte, error) {
	return data, nil
}

// IdentityProvider is the chain entry of the identity provider: an empty prefix.
func IdentityProvider() PrefixTransformer {
	return PrefixTransformer{Prefix: []byte{}, Transformer: identityTransformer{}}
}
