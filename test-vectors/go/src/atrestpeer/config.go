package atrestpeer

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"gopkg.in/yaml.v3"
)

// EncryptionConfiguration is kube-apiserver's apiserver.config.k8s.io/v1 file, decoded the way
// the conformance adapter needs it: provider members are pointers so that "not set" (absent or
// null, as Go's decoder treats both) differs from "set to {}".
type EncryptionConfiguration struct {
	APIVersion string                  `yaml:"apiVersion"`
	Kind       string                  `yaml:"kind"`
	Resources  []ResourceConfiguration `yaml:"resources"`
}

// ResourceConfiguration is one rule: the group-resources it covers and their provider chain.
type ResourceConfiguration struct {
	Resources []string                `yaml:"resources"`
	Providers []ProviderConfiguration `yaml:"providers"`
}

// ProviderConfiguration is one provider element; validation reports elements that set zero or
// several members.
type ProviderConfiguration struct {
	AESGCM    *KeysConfiguration `yaml:"aesgcm"`
	AESCBC    *KeysConfiguration `yaml:"aescbc"`
	Secretbox *KeysConfiguration `yaml:"secretbox"`
	Identity  *struct{}          `yaml:"identity"`
	KMS       *KMSConfiguration  `yaml:"kms"`
}

// KeysConfiguration holds the named keys of aescbc, aesgcm and secretbox.
type KeysConfiguration struct {
	Keys []KeyConfiguration `yaml:"keys"`
}

// KeyConfiguration is one named key; Secret is the base64 text as written in the file.
type KeyConfiguration struct {
	Name   string `yaml:"name"`
	Secret string `yaml:"secret"`
}

// KMSConfiguration is a kms provider after upstream's v1 defaulting (see applyKMSDefaults).
type KMSConfiguration struct {
	APIVersion string `yaml:"apiVersion"`
	Name       string `yaml:"name"`
	Endpoint   string `yaml:"endpoint"`
	// CacheSize is nil when the file has none and no default applies (any version but v1).
	CacheSize *int32 `yaml:"cachesize"`
	// TimeoutText is the Go duration string from the file; Timeout its value after defaulting.
	TimeoutText *string       `yaml:"timeout"`
	Timeout     time.Duration `yaml:"-"`
}

const (
	configAPIVersion = "apiserver.config.k8s.io/v1"
	configKind       = "EncryptionConfiguration"
)

// ParseEncryptionConfiguration decodes a configuration strictly (unknown and duplicate fields
// are errors, as with kube-apiserver's strict decoder) and applies the kms defaults upstream's
// defaulting applies before validation.
func ParseEncryptionConfiguration(text string) (*EncryptionConfiguration, error) {
	if len(text) == 0 {
		return nil, errors.New("encryption provider configuration is empty")
	}
	dec := yaml.NewDecoder(bytes.NewReader([]byte(text)))
	dec.KnownFields(true)
	var cfg EncryptionConfiguration
	if err := dec.Decode(&cfg); err != nil {
		return nil, fmt.Errorf("could not decode the configuration: %v", err)
	}
	if cfg.APIVersion != configAPIVersion {
		return nil, fmt.Errorf("apiVersion must be %q, got %q", configAPIVersion, cfg.APIVersion)
	}
	if cfg.Kind != configKind {
		return nil, fmt.Errorf("kind must be %q, got %q", configKind, cfg.Kind)
	}
	for i := range cfg.Resources {
		for j := range cfg.Resources[i].Providers {
			if kms := cfg.Resources[i].Providers[j].KMS; kms != nil {
				if err := applyKMSDefaults(kms); err != nil {
					return nil, fmt.Errorf("resources[%d].providers[%d].kms.timeout: %v", i, j, err)
				}
			}
		}
	}
	return &cfg, nil
}

// applyKMSDefaults is upstream's SetDefaults_KMSConfiguration: apiVersion v1, timeout 3s, and
// cachesize 1000 for v1 only (validation refuses a cachesize on v2).
func applyKMSDefaults(kms *KMSConfiguration) error {
	if kms.APIVersion == "" {
		kms.APIVersion = "v1"
	}
	kms.Timeout = 3 * time.Second
	if kms.TimeoutText != nil {
		d, err := time.ParseDuration(*kms.TimeoutText)
		if err != nil {
			return err
		}
		kms.Timeout = d
	}
	if kms.CacheSize == nil && kms.APIVersion == "v1" {
		size := int32(1000)
		kms.CacheSize = &size
	}
	return nil
}
