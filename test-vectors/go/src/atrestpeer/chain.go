package atrestpeer

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// KMSMock is one kms plugin of a conformance request: upstream's Base64 mock, answering for
// the kms provider called Name with API version APIVersion. KeyID (v2) is the key ID the
// plugin reports now.
type KMSMock struct {
	Name       string `json:"name"`
	APIVersion string `json:"apiVersion"`
	Mock       string `json:"mock"`
	KeyID      string `json:"keyID"`
}

// chainEntry is one entry of a prefix chain. read gets the stored bytes after prefix; write
// returns the bytes that follow prefix.
type chainEntry struct {
	prefix string
	read   func(payload, etcdKey []byte) (plaintext []byte, stale bool, err error)
	write  func(plaintext, etcdKey []byte) ([]byte, error)
}

// Chain is upstream's prefix-transformer chain (value.NewPrefixTransformers), the mechanism
// every provider plugs into, and also what a keyed provider is inside: one entry per key name.
type Chain struct {
	entries []chainEntry
	noMatch string
}

// Read is TransformFromStorage. Entries are tried in order, only those whose prefix the value
// starts with; the first success wins and is stale unless entry 0 read it (or the entry itself
// said stale). An entry with an empty prefix (identity) that fails is skipped silently, which
// is how identity refuses "k8s:enc:" data without hiding the real error. When every matching
// entry failed, their errors are combined in chain order; when none matched, noMatch.
func (c *Chain) Read(stored, etcdKey []byte) ([]byte, bool, error) {
	var errs []error
	for i, e := range c.entries {
		if !bytes.HasPrefix(stored, []byte(e.prefix)) {
			continue
		}
		plaintext, stale, err := e.read(stored[len(e.prefix):], etcdKey)
		if err != nil {
			if e.prefix != "" {
				errs = append(errs, err)
			}
			continue
		}
		return plaintext, stale || i != 0, nil
	}
	if len(errs) > 0 {
		return nil, false, reduceErrors(errs)
	}
	return nil, false, errors.New(c.noMatch)
}

// Write is TransformToStorage: always entry 0, its prefix followed by what it writes.
func (c *Chain) Write(plaintext, etcdKey []byte) ([]byte, error) {
	first := c.entries[0]
	payload, err := first.write(plaintext, etcdKey)
	if err != nil {
		return nil, err
	}
	return append([]byte(first.prefix), payload...), nil
}

// aggregateError is upstream's utilerrors aggregate as Reduce(NewAggregate(errs)) renders it.
type aggregateError []error

// Error flattens nested aggregates, keeps each message once, and prints a single remaining
// message bare, otherwise "[a, b]" in order.
func (a aggregateError) Error() string {
	seen := map[string]bool{}
	var msgs []string
	var walk func(errs []error)
	walk = func(errs []error) {
		for _, e := range errs {
			if nested, ok := e.(aggregateError); ok {
				walk(nested)
			} else if !seen[e.Error()] {
				seen[e.Error()] = true
				msgs = append(msgs, e.Error())
			}
		}
	}
	walk(a)
	if len(msgs) == 1 {
		return msgs[0]
	}
	return "[" + strings.Join(msgs, ", ") + "]"
}

func reduceErrors(errs []error) error {
	if len(errs) == 1 {
		return errs[0]
	}
	return aggregateError(errs)
}

// identityEntry reads and writes values unchanged; as a chain entry its empty prefix matches
// everything, and its refusal of "k8s:enc:" values is skipped by the chain.
func identityEntry() chainEntry {
	return chainEntry{
		read: func(stored, _ []byte) ([]byte, bool, error) {
			plaintext, err := DecryptIdentity(stored)
			return plaintext, false, err
		},
		write: func(plaintext, _ []byte) ([]byte, error) { return EncryptIdentity(plaintext), nil },
	}
}

// keyedEntry is an aescbc, aesgcm or secretbox provider: its prefix is the provider's, and
// inside it an inner chain of "<name>:" entries, one per key in configuration order (the first
// writes; a value read by a later key is stale).
func keyedEntry(kind string, keys []KeyConfiguration) (chainEntry, error) {
	noKey := errNoMatchingAESKey
	if kind == ProviderSecretbox {
		noKey = errNoMatchingBoxKey
	}
	inner := &Chain{noMatch: noKey}
	for _, k := range keys {
		secret, err := base64.StdEncoding.DecodeString(k.Secret)
		if err != nil {
			return chainEntry{}, errors.New(errSecretsBase64)
		}
		inner.entries = append(inner.entries, localKeyEntry(kind, k.Name, secret))
	}
	return chainEntry{prefix: LocalPrefix(kind), read: inner.Read, write: inner.Write}, nil
}

// localKeyEntry reads and writes one key's payloads with the peer's ciphers.
func localKeyEntry(kind, name string, secret []byte) chainEntry {
	e := chainEntry{prefix: name + ":"}
	switch kind {
	case ProviderAESCBC:
		e.read = func(p, _ []byte) ([]byte, bool, error) { pt, err := OpenCBC(secret, p); return pt, false, err }
		e.write = func(pt, _ []byte) ([]byte, error) { return SealCBC(secret, pt) }
	case ProviderAESGCM:
		e.read = func(p, ctx []byte) ([]byte, bool, error) { pt, err := OpenGCM(secret, p, ctx); return pt, false, err }
		e.write = func(pt, ctx []byte) ([]byte, error) { return SealGCMRandom(secret, pt, ctx) }
	default:
		e.read = func(p, _ []byte) ([]byte, bool, error) { pt, err := OpenSecretbox(secret, p); return pt, false, err }
		e.write = func(pt, _ []byte) ([]byte, error) { return SealSecretbox(secret, pt) }
	}
	return e
}

// kmsEntry is a kms provider talking to its Base64 mock. The peer's kms functions take whole
// stored values, so the entry puts its prefix back before calling them.
func kmsEntry(kms *KMSConfiguration, mock *KMSMock) chainEntry {
	name := kms.Name
	if kms.APIVersion == "v1" {
		prefix := KMSv1Prefix(name)
		return chainEntry{
			prefix: prefix,
			read: func(p, ctx []byte) ([]byte, bool, error) {
				return DecryptKMSv1(name, append([]byte(prefix), p...), ctx, Base64Unwrap)
			},
			write: func(pt, ctx []byte) ([]byte, error) {
				stored, err := EncryptKMSv1(name, pt, ctx, KMSv1GCM, Base64Wrap)
				if err != nil {
					return nil, err
				}
				return stored[len(prefix):], nil
			},
		}
	}
	prefix := KMSv2Prefix(name)
	return chainEntry{
		prefix: prefix,
		read: func(p, ctx []byte) ([]byte, bool, error) {
			r, err := DecryptKMSv2(name, append([]byte(prefix), p...), ctx, mock.KeyID, Base64Unwrap)
			if err != nil {
				return nil, false, err
			}
			return r.Plaintext, r.Stale, nil
		},
		write: func(pt, ctx []byte) ([]byte, error) {
			w := KMSv2Write{KeyID: mock.KeyID, SourceType: SourceHKDFSeed}
			stored, err := EncryptKMSv2(name, pt, ctx, w, Base64Wrap)
			if err != nil {
				return nil, err
			}
			return stored[len(prefix):], nil
		},
	}
}

// chainItem is a built provider element, or the reason a kms element could not be: without
// any kms mocks in the request, kms providers fail only when a chain that holds them is used.
type chainItem struct {
	entry       chainEntry
	unavailable error
}

// Transformer is what a configuration gives one resource: its chain, or bare identity when no
// rule covers it.
type Transformer interface {
	Read(stored, etcdKey []byte) ([]byte, bool, error)
	Write(plaintext, etcdKey []byte) ([]byte, error)
}

// TransformerFor validates and builds a configuration as kube-apiserver does at startup and
// returns the transformer of resource. mocks nil means "no kms plugins at all". Every error is
// a configuration error (invalid, not buildable, masked, kms plugin missing).
func TransformerFor(cfg *EncryptionConfiguration, resource string, mocks []KMSMock) (Transformer, error) {
	if findings := ValidateEncryptionConfiguration(cfg, false); len(findings) > 0 {
		f := findings[0]
		return nil, fmt.Errorf("invalid configuration: %s: %s (%d findings)", f.Field, f.Detail, len(findings))
	}
	rules, err := planRules(cfg, func(p ProviderConfiguration) (chainItem, error) { return buildItem(p, mocks) })
	if err != nil {
		return nil, err
	}
	gr, ok := lookupRule(rules, resource)
	if !ok {
		return &Chain{entries: []chainEntry{identityEntry()}, noMatch: errIdentityEncrypted}, nil
	}
	chain := &Chain{noMatch: errNoMatchingPrefix}
	for _, item := range rules[gr] {
		if item.unavailable != nil {
			return nil, item.unavailable
		}
		chain.entries = append(chain.entries, item.entry)
	}
	return chain, nil
}

func buildItem(p ProviderConfiguration, mocks []KMSMock) (chainItem, error) {
	kind, err := providerKind(p)
	if err != nil {
		return chainItem{}, err
	}
	switch kind {
	case ProviderIdentity:
		return chainItem{entry: identityEntry()}, nil
	case "kms":
		if mocks == nil {
			return chainItem{unavailable: fmt.Errorf("KMS provider %q (%s) is not available: the request has no kms plugins", p.KMS.Name, p.KMS.APIVersion)}, nil
		}
		for i := range mocks {
			m := &mocks[i]
			if m.Name == p.KMS.Name && m.APIVersion == p.KMS.APIVersion {
				if m.Mock != "base64" {
					return chainItem{}, fmt.Errorf("unknown kms mock %q", m.Mock)
				}
				return chainItem{entry: kmsEntry(p.KMS, m)}, nil
			}
		}
		return chainItem{}, fmt.Errorf("no mock KMS plugin for kms provider %q", p.KMS.Name)
	}
	keys, err := providerKeys(kind, p)
	if err != nil {
		return chainItem{}, err
	}
	entry, err := keyedEntry(kind, keys)
	return chainItem{entry: entry}, err
}
