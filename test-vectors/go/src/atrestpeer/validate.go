package atrestpeer

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
)

// FieldError is one finding of upstream's ValidateEncryptionConfiguration, as field.Error
// reports it minus the rendered value: a field path, "Invalid" or "Required", and the detail.
type FieldError struct {
	Field  string `json:"field"`
	Type   string `json:"type"`
	Detail string `json:"detail"`
}

// Upstream's detail texts, byte for byte (config-validation.json compares them).
const (
	detailMoreThanOne      = "more than one provider specified in a single element, should split into different list elements"
	detailNoProvider       = "provider does not contain any of the expected providers: KMS, AESGCM, AESCBC, Secretbox, Identity"
	detailOverlap          = "using overlapping resources such as 'secrets' and '*.' in the same resource list is not allowed as they will be masked"
	detailDuplicate        = "the same resource cannot be specified multiple times"
	detailCapitals         = "resource name should not contain capital letters"
	detailStar             = "use '*.' to encrypt all the resources from core API group or *.* to encrypt all resources"
	detailNonREST          = "resources which do not have REST API/s cannot be encrypted"
	detailEventsGroup      = "'*.events.k8s.io' objects are stored using the 'events' API group in etcd. Use 'events' instead in the config file"
	detailExtensionsGroup  = "'extensions' group has been removed and cannot be used for encryption"
	detailAcrossGroups     = "encrypting the same resource across groups is not supported"
	detailUnsupportedKMSV  = "unsupported apiVersion apiVersion for KMS provider, only v1 and v2 are supported"
	detailCacheSizeV2      = "cachesize is not supported in v2"
	detailCacheSizeZero    = "cachesize should be a positive value, or negative to disable"
	detailTimeout          = "timeout should be a positive value"
	detailEndpointRequired = "endpoint is a mandatory field for a kms"
)

var (
	aesKeySizes       = []int{16, 24, 32}
	secretboxKeySizes = []int{32}
	nonRESTResources  = map[string]bool{"apiserveripinfo": true, "serviceipallocations": true, "servicenodeportallocations": true}
)

func invalid(field, detail string) FieldError  { return FieldError{field, "Invalid", detail} }
func required(field, detail string) FieldError { return FieldError{field, "Required", detail} }

// ValidateEncryptionConfiguration reports what upstream's validator reports, in its order.
// reload = true is the hot-reload variant, in which kms v1 names must be unique too.
func ValidateEncryptionConfiguration(cfg *EncryptionConfiguration, reload bool) []FieldError {
	out := []FieldError{}
	if len(cfg.Resources) == 0 {
		return append(out, required("resources", "at least one resources is required"))
	}
	kmsNames := map[string]bool{}
	for i, rule := range cfg.Resources {
		r := fmt.Sprintf("resources[%d].resources", i)
		p := fmt.Sprintf("resources[%d].providers", i)
		if len(rule.Resources) == 0 {
			out = append(out, required(r, "at least one "+r+" is required"))
		}
		out = append(out, validateResourceOverlap(rule.Resources, r)...)
		out = append(out, validateResourceNames(rule.Resources, r)...)
		if len(rule.Providers) == 0 {
			out = append(out, required(p, "at least one "+p+" is required"))
		}
		for j, provider := range rule.Providers {
			path := fmt.Sprintf("%s[%d]", p, j)
			out = append(out, validateSingleProvider(provider, path)...)
			// Upstream validates the first member set, in this order, even when several are.
			switch {
			case provider.KMS != nil:
				out = append(out, validateKMS(provider.KMS, path+".kms", kmsNames, reload)...)
				kmsNames[provider.KMS.Name] = true
			case provider.AESGCM != nil:
				out = append(out, validateKeys(provider.AESGCM.Keys, path+".aesgcm.keys", aesKeySizes)...)
			case provider.AESCBC != nil:
				out = append(out, validateKeys(provider.AESCBC.Keys, path+".aescbc.keys", aesKeySizes)...)
			case provider.Secretbox != nil:
				out = append(out, validateKeys(provider.Secretbox.Keys, path+".secretbox.keys", secretboxKeySizes)...)
			}
		}
	}
	return out
}

// validateResourceOverlap reports a duplicate, then an overlap. Upstream compares every ordered
// pair: equal pairs are duplicates; a pair overlaps when the first is "*.*" or both share a
// group and either resource is "*".
func validateResourceOverlap(resources []string, field string) []FieldError {
	if len(resources) < 2 {
		return nil
	}
	grs := make([]GroupResource, len(resources))
	for i, res := range resources {
		grs[i] = ParseGroupResource(res)
	}
	duplicate, overlap := false, false
	for i, a := range grs {
		for j, b := range grs {
			if i == j {
				continue
			}
			if a == b {
				duplicate = true
			}
			if a == anyGroupAnyResource || (a.Group == b.Group && (a.Resource == "*" || b.Resource == "*")) {
				overlap = true
			}
		}
	}
	var out []FieldError
	if duplicate {
		out = append(out, invalid(field, detailDuplicate))
	}
	if overlap {
		out = append(out, invalid(field, detailOverlap))
	}
	return out
}

// validateResourceNames reports the first failing check of each resource name.
func validateResourceNames(resources []string, field string) []FieldError {
	var out []FieldError
	for j, res := range resources {
		f := fmt.Sprintf("%s[%d]", field, j)
		gr := ParseGroupResource(res)
		switch {
		case strings.ToLower(res) != res:
			out = append(out, invalid(f, detailCapitals))
		case res == "*":
			out = append(out, invalid(f, detailStar))
		case nonRESTResources[res]:
			out = append(out, invalid(f, detailNonREST))
		case gr.Group == "events.k8s.io":
			out = append(out, invalid(f, detailEventsGroup))
		case gr.Group == "extensions":
			out = append(out, invalid(f, detailExtensionsGroup))
		case gr.Group == "*" && gr.Resource != "*":
			out = append(out, invalid(f, detailAcrossGroups))
		}
	}
	return out
}

func validateSingleProvider(p ProviderConfiguration, field string) []FieldError {
	found := 0
	for _, set := range []bool{p.KMS != nil, p.AESGCM != nil, p.AESCBC != nil, p.Secretbox != nil, p.Identity != nil} {
		if set {
			found++
		}
	}
	switch {
	case found == 0:
		return []FieldError{invalid(field, detailNoProvider)}
	case found > 1:
		return []FieldError{invalid(field, detailMoreThanOne)}
	}
	return nil
}

func validateKeys(keys []KeyConfiguration, field string, sizes []int) []FieldError {
	if len(keys) == 0 {
		return []FieldError{required(field, "at least one keys is required")}
	}
	var out []FieldError
	for i, key := range keys {
		out = append(out, validateKey(key, fmt.Sprintf("%s[%d]", field, i), sizes)...)
	}
	return out
}

// validateKey never puts the secret into a finding: only its decoded length.
func validateKey(key KeyConfiguration, field string, sizes []int) []FieldError {
	var out []FieldError
	if key.Name == "" {
		out = append(out, required(field+".name", "name is a mandatory field for a key"))
	}
	if key.Secret == "" {
		return append(out, required(field+".secret", "secret is a mandatory field for a key"))
	}
	secret, err := base64.StdEncoding.DecodeString(key.Secret)
	if err != nil {
		return append(out, invalid(field+".secret", "secrets must be base64 encoded"))
	}
	for _, s := range sizes {
		if len(secret) == s {
			return out
		}
	}
	return append(out, invalid(field+".secret", fmt.Sprintf("secret is not of the expected length, got %d, expected one of %v", len(secret), sizes)))
}

// validateKMS checks name, timeout, endpoint, cachesize and apiVersion, in upstream's order.
// v2 names may not hold ':' nor repeat an earlier kms name; v1 names repeat freely unless
// reloading.
func validateKMS(kms *KMSConfiguration, field string, names map[string]bool, reload bool) []FieldError {
	var out []FieldError
	nameField := field + ".name"
	if kms.Name == "" {
		out = append(out, required(nameField, "name is a mandatory field for a provider"))
	}
	if kms.APIVersion != "v1" && strings.Contains(kms.Name, ":") {
		out = append(out, invalid(nameField, fmt.Sprintf("invalid KMS provider name %s, must not contain ':'", kms.Name)))
	}
	if (reload || kms.APIVersion != "v1") && names[kms.Name] {
		out = append(out, invalid(nameField, fmt.Sprintf("duplicate KMS provider name %s, names must be unique", kms.Name)))
	}
	if kms.Timeout <= 0 {
		out = append(out, invalid(field+".timeout", detailTimeout))
	}
	endpointField := field + ".endpoint"
	if kms.Endpoint == "" {
		out = append(out, invalid(endpointField, detailEndpointRequired))
	} else if u, err := url.Parse(kms.Endpoint); err != nil {
		out = append(out, invalid(endpointField, fmt.Sprintf("invalid endpoint for kms provider, error: %v", err)))
	} else if u.Scheme != "unix" {
		out = append(out, invalid(endpointField, fmt.Sprintf("unsupported scheme %q for KMS provider, only unix is supported", u.Scheme)))
	}
	cacheField := field + ".cachesize"
	if kms.APIVersion != "v1" && kms.CacheSize != nil {
		out = append(out, invalid(cacheField, detailCacheSizeV2))
	}
	if kms.APIVersion == "v1" && kms.CacheSize != nil && *kms.CacheSize == 0 {
		out = append(out, invalid(cacheField, detailCacheSizeZero))
	}
	if kms.APIVersion != "v1" && kms.APIVersion != "v2" {
		out = append(out, invalid(field+".apiVersion", detailUnsupportedKMSV))
	}
	return out
}
