package atrestpeer

import (
	"errors"
	"fmt"
)

// Upstream's texts for provider elements its builder cannot turn into transformers.
const (
	errNoProvider      = "provider does not contain any of the expected providers: KMS, AESGCM, AESCBC, Secretbox, Identity"
	errInvalidKeyName  = "key with invalid name provided"
	errSecretsBase64   = "secrets must be base64 encoded"
	errAESNoKeys       = "aes provider has no valid keys"
	errSecretboxNoKeys = "secretbox provider has no valid keys"
)

// providerKind is the member upstream's builder picks for an element: its switch tries aesgcm,
// aescbc, secretbox, kms, identity in that order, so an element with several members (which
// validation reports) still builds as the first of them.
func providerKind(p ProviderConfiguration) (string, error) {
	switch {
	case p.AESGCM != nil:
		return ProviderAESGCM, nil
	case p.AESCBC != nil:
		return ProviderAESCBC, nil
	case p.Secretbox != nil:
		return ProviderSecretbox, nil
	case p.KMS != nil:
		if p.KMS.APIVersion != "v1" && p.KMS.APIVersion != "v2" {
			return "", fmt.Errorf("could not configure KMS plugin %q, unsupported KMS API version %q", p.KMS.Name, p.KMS.APIVersion)
		}
		return "kms", nil
	case p.Identity != nil:
		return ProviderIdentity, nil
	}
	return "", errors.New(errNoProvider)
}

// providerKeys returns the keys of a keyed provider element after upstream's build checks:
// at least one key, each with a name and a secret (decoding comes later, in chain.go).
func providerKeys(kind string, p ProviderConfiguration) ([]KeyConfiguration, error) {
	var keys []KeyConfiguration
	noKeys := errAESNoKeys
	switch kind {
	case ProviderAESGCM:
		keys = p.AESGCM.Keys
	case ProviderAESCBC:
		keys = p.AESCBC.Keys
	case ProviderSecretbox:
		keys, noKeys = p.Secretbox.Keys, errSecretboxNoKeys
	}
	if len(keys) == 0 {
		return nil, errors.New(noKeys)
	}
	for _, k := range keys {
		if k.Name == "" {
			return nil, errors.New(errInvalidKeyName)
		}
		if k.Secret == "" {
			return nil, fmt.Errorf("key %s has no provided secret", k.Name)
		}
	}
	return keys, nil
}

// planRules walks the rules as kube-apiserver does when it builds its transformer map: for each
// rule, first build its provider elements, then for each of its resources refuse the
// configuration when an earlier rule already claimed "*.<group>" or "*.*" (the later rule would
// be masked), else append the rule's items to that group-resource's list. Several rules naming
// the same group-resource therefore get their providers concatenated in rule order.
func planRules[T any](cfg *EncryptionConfiguration, build func(p ProviderConfiguration) (T, error)) (map[GroupResource][]T, error) {
	rules := map[GroupResource][]T{}
	for _, rule := range cfg.Resources {
		items := make([]T, 0, len(rule.Providers))
		for _, p := range rule.Providers {
			item, err := build(p)
			if err != nil {
				return nil, err
			}
			items = append(items, item)
		}
		for _, res := range rule.Resources {
			gr := ParseGroupResource(res)
			for _, masking := range []GroupResource{{Group: gr.Group, Resource: "*"}, anyGroupAnyResource} {
				if _, ok := rules[masking]; ok {
					return nil, fmt.Errorf("resource %q is masked by earlier rule %q", gr.String(), masking.String())
				}
			}
			rules[gr] = append(rules[gr], items...)
		}
	}
	return rules, nil
}

// lookupRule is upstream's lookup: the exact group-resource, then "*.<group>", then "*.*".
// ok is false when no rule covers the resource (it is then stored as plaintext).
func lookupRule[T any](rules map[GroupResource][]T, resource string) (GroupResource, bool) {
	gr := ParseGroupResource(resource)
	for _, candidate := range []GroupResource{gr, {Group: gr.Group, Resource: "*"}, anyGroupAnyResource} {
		if _, ok := rules[candidate]; ok {
			return candidate, true
		}
	}
	return GroupResource{}, false
}

// entryNames are the chain entry names one provider element contributes, in read order.
func entryNames(p ProviderConfiguration) ([]string, error) {
	kind, err := providerKind(p)
	if err != nil {
		return nil, err
	}
	switch kind {
	case ProviderIdentity:
		return []string{ProviderIdentity}, nil
	case "kms":
		return []string{"kms:" + p.KMS.APIVersion + ":" + p.KMS.Name}, nil
	}
	keys, err := providerKeys(kind, p)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = kind + ":" + k.Name
	}
	return names, nil
}

// ResolveChain is a resource's read chain by entry name ("aesgcm:key1", "kms:v2:plugin",
// "identity"); the first writes. A resource no rule covers gets bare identity. A masked rule
// fails the configuration whatever resource is asked for, as upstream refuses to start.
func ResolveChain(cfg *EncryptionConfiguration, resource string) ([]string, error) {
	rules, err := planRules(cfg, entryNames)
	if err != nil {
		return nil, err
	}
	gr, ok := lookupRule(rules, resource)
	if !ok {
		return []string{ProviderIdentity}, nil
	}
	var chain []string
	for _, names := range rules[gr] {
		chain = append(chain, names...)
	}
	return chain, nil
}
