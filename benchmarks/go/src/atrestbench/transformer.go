package atrestbench

import (
	"bytes"
	"context"
	"errors"
	"strings"
)

// DataContext is what a transformer authenticates besides the value itself.
type DataContext interface {
	// AuthenticatedData is the additional data of AEAD providers: the etcd key.
	AuthenticatedData() []byte
}

// EtcdKey is a DataContext holding an etcd key.
type EtcdKey []byte

// AuthenticatedData returns the key itself.
func (k EtcdKey) AuthenticatedData() []byte { return k }

// Transformer turns stored bytes into plaintext and back.
type Transformer interface {
	// TransformFromStorage reads a stored value; stale is true when it should be rewritten.
	TransformFromStorage(ctx context.Context, data []byte, dataCtx DataContext) (out []byte, stale bool, err error)
	// TransformToStorage writes a value; the result is a fresh allocation.
	TransformToStorage(ctx context.Context, data []byte, dataCtx DataContext) (out []byte, err error)
}

// PrefixTransformer is one entry of a chain: values starting with Prefix belong to Transformer,
// which sees them without the prefix.
type PrefixTransformer struct {
	Prefix      []byte
	Transformer Transformer
}

// prefixTransformers is the chain: the first entry writes, every entry whose prefix matches may
// read, in order.
type prefixTransformers struct {
	entries []PrefixTransformer
	noMatch error
}

// NewPrefixTransformers returns a chain over entries; noMatch is the error when no prefix
// matches.
func NewPrefixTransformers(noMatch error, entries ...PrefixTransformer) Transformer {
	return &prefixTransformers{entries: entries, noMatch: noMatch}
}

// TransformFromStorage tries every entry whose prefix matches. A value read by any entry but
// the first is stale (it was written under an older configuration). Failures of prefixed
// entries are reported together when nothing reads the value; an empty-prefix entry (identity)
// that fails is skipped silently, as upstream does.
func (c *prefixTransformers) TransformFromStorage(ctx context.Context, data []byte, dataCtx DataContext) ([]byte, bool, error) {
	var errs []error
	for i, e := range c.entries {
		if !bytes.HasPrefix(data, e.Prefix) {
			continue
		}
		out, stale, err := e.Transformer.TransformFromStorage(ctx, data[len(e.Prefix):], dataCtx)
		if err != nil {
			if len(e.Prefix) != 0 {
				errs = append(errs, err)
			}
			continue
		}
		return out, stale || i != 0, nil
	}
	if len(errs) > 0 {
		return nil, false, combineErrors(errs)
	}
	return nil, false, c.noMatch
}

// TransformToStorage writes with the first entry and prepends its prefix in a new allocation.
// An empty prefix (identity) returns the entry's output unchanged.
func (c *prefixTransformers) TransformToStorage(ctx context.Context, data []byte, dataCtx DataContext) ([]byte, error) {
	first := c.entries[0]
	out, err := first.Transformer.TransformToStorage(ctx, data, dataCtx)
	if err != nil || len(first.Prefix) == 0 {
		return out, err
	}
	prefixed := make([]byte, len(first.Prefix)+len(out))
	copy(prefixed, first.Prefix)
	copy(prefixed[len(first.Prefix):], out)
	return prefixed, nil
}

// combineErrors reports several failures as one: duplicates once, one message bare, else
// "[a, b]".
func combineErrors(errs []error) error {
	var msgs []string
	seen := map[string]bool{}
	for _, e := range errs {
		if m := e.Error(); !seen[m] {
			seen[m] = true
			msgs = append(msgs, m)
		}
	}
	if len(msgs) == 1 {
		return errs[0]
	}
	return errors.New("[" + strings.Join(msgs, ", ") + "]")
}
