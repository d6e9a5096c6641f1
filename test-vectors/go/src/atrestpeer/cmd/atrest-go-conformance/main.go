// Command atrest-go-conformance answers atrest's conformance protocol (docs/conformance-protocol.md)
// with atrestpeer, the repository's independent Go implementation, so that `atrest conformance run`
// can check it like any other implementation, and so that implementers in Go have a worked example.
//
// One JSON request per line on standard input, one answer per line on standard output, in order;
// the process ends with its input. Requests are hello, decrypt, encrypt, validate and resolve.
// Errors are answered with a kind: "config" when the configuration does not parse, validate or
// build, "transform" when reading or writing the value failed (upstream's exact text),
// "bad-request" for a line that is not a request, "unsupported" for another protocol version,
// "internal" for a bug (a panic).
package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	"atrestpeer"
)

const protocolVersion = 1

// providers are all the protocol knows; the peer implements every one of them.
var providers = []string{"identity", "aescbc", "aesgcm", "secretbox", "kmsv1", "kmsv2"}

// valueSite is where a value lives: configuration, group-resource, etcd key and kms mocks.
type valueSite struct {
	Config   *string              `json:"config"`
	Resource *string              `json:"resource"`
	Key      *string              `json:"key"`
	KMS      []atrestpeer.KMSMock `json:"kms"`
	Stored   *string              `json:"stored"`
	Plain    *string              `json:"plaintext"`
}

type request struct {
	ID    *int64 `json:"id"`
	Hello *struct {
		Protocol int `json:"protocol"`
	} `json:"hello"`
	Decrypt  *valueSite `json:"decrypt"`
	Encrypt  *valueSite `json:"encrypt"`
	Validate *struct {
		Config *string `json:"config"`
	} `json:"validate"`
	Resolve *struct {
		Config   *string `json:"config"`
		Resource *string `json:"resource"`
	} `json:"resolve"`
}

// failure is an error answer: a protocol kind and its text.
type failure struct {
	Kind string `json:"kind"`
	Text string `json:"text"`
}

func (f *failure) Error() string { return f.Text }

func fail(kind string, err error) *failure { return &failure{Kind: kind, Text: err.Error()} }

type response struct {
	ID    *int64      `json:"id"`
	OK    interface{} `json:"ok,omitempty"`
	Error *failure    `json:"error,omitempty"`
}

func main() {
	atrestpeer.RunLines("atrest-go-conformance", func(line []byte) interface{} { return serve(line) })
}

// serve answers one line; a panic (a bug here or in the peer) becomes an internal error.
func serve(line []byte) (resp response) {
	var req request
	defer func() {
		if r := recover(); r != nil {
			resp = response{ID: req.ID, Error: &failure{Kind: "internal", Text: fmt.Sprintf("panic: %v", r)}}
		}
	}()
	if err := json.Unmarshal(line, &req); err != nil {
		return response{Error: &failure{Kind: "bad-request", Text: "not a JSON request: " + err.Error()}}
	}
	if req.ID == nil {
		return response{Error: &failure{Kind: "bad-request", Text: `the request has no integer "id"`}}
	}
	ok, f := answer(&req)
	if f != nil {
		return response{ID: req.ID, Error: f}
	}
	return response{ID: req.ID, OK: ok}
}

func answer(req *request) (interface{}, *failure) {
	switch {
	case req.Hello != nil:
		if req.Hello.Protocol != protocolVersion {
			return nil, &failure{"unsupported", fmt.Sprintf("protocol %d is not supported (this is protocol %d)", req.Hello.Protocol, protocolVersion)}
		}
		return map[string]interface{}{"protocol": protocolVersion, "name": "atrest-go-peer", "providers": providers}, nil
	case req.Decrypt != nil:
		return decrypt(req.Decrypt)
	case req.Encrypt != nil:
		return encrypt(req.Encrypt)
	case req.Validate != nil:
		return validate(req.Validate.Config)
	case req.Resolve != nil:
		return resolve(req.Resolve.Config, req.Resolve.Resource)
	}
	return nil, &failure{"bad-request", "the request names no operation (hello, decrypt, encrypt, validate, resolve)"}
}

// transformer parses the site's configuration and builds its resource's transformer; every
// failure here is the configuration's.
func transformer(s *valueSite) (atrestpeer.Transformer, *failure) {
	if s.Config == nil || s.Resource == nil || s.Key == nil {
		return nil, &failure{"bad-request", `"config", "resource" and "key" are required`}
	}
	cfg, err := atrestpeer.ParseEncryptionConfiguration(*s.Config)
	if err != nil {
		return nil, fail("config", err)
	}
	t, err := atrestpeer.TransformerFor(cfg, *s.Resource, s.KMS)
	if err != nil {
		return nil, fail("config", err)
	}
	return t, nil
}

// bytesField decodes a required base64 field of a request (field is its name, for the error).
func bytesField(v *string, field string) ([]byte, *failure) {
	if v == nil {
		return nil, &failure{"bad-request", `"` + field + `" is required`}
	}
	b, err := base64.StdEncoding.DecodeString(*v)
	if err != nil {
		return nil, &failure{"bad-request", `"` + field + `" is not base64: ` + err.Error()}
	}
	return b, nil
}

// siteAndBytes is what decrypt and encrypt both start with: their bytes field, then the site's
// transformer.
func siteAndBytes(s *valueSite, v *string, field string) (atrestpeer.Transformer, []byte, *failure) {
	b, f := bytesField(v, field)
	if f != nil {
		return nil, nil, f
	}
	t, f := transformer(s)
	return t, b, f
}

func decrypt(s *valueSite) (interface{}, *failure) {
	t, stored, f := siteAndBytes(s, s.Stored, "decrypt.stored")
	if f != nil {
		return nil, f
	}
	plaintext, stale, err := t.Read(stored, []byte(*s.Key))
	if err != nil {
		return nil, fail("transform", err)
	}
	return map[string]interface{}{"plaintext": base64.StdEncoding.EncodeToString(plaintext), "stale": stale}, nil
}

func encrypt(s *valueSite) (interface{}, *failure) {
	t, plaintext, f := siteAndBytes(s, s.Plain, "encrypt.plaintext")
	if f != nil {
		return nil, f
	}
	stored, err := t.Write(plaintext, []byte(*s.Key))
	if err != nil {
		return nil, fail("transform", err)
	}
	return map[string]interface{}{"stored": base64.StdEncoding.EncodeToString(stored)}, nil
}

// validate reports findings, never an error, for a configuration that parses: an invalid
// configuration is a list of findings.
func validate(config *string) (interface{}, *failure) {
	if config == nil {
		return nil, &failure{"bad-request", `"validate.config" is required`}
	}
	cfg, err := atrestpeer.ParseEncryptionConfiguration(*config)
	if err != nil {
		return nil, fail("config", err)
	}
	return map[string]interface{}{"errors": atrestpeer.ValidateEncryptionConfiguration(cfg, false)}, nil
}

// resolve names the resource's read chain; like upstream's builder (and atrest's resolveChain)
// it does not validate first, so build errors such as masking come through as config errors.
func resolve(config, resource *string) (interface{}, *failure) {
	if config == nil || resource == nil {
		return nil, &failure{"bad-request", `"resolve.config" and "resolve.resource" are required`}
	}
	cfg, err := atrestpeer.ParseEncryptionConfiguration(*config)
	if err != nil {
		return nil, fail("config", err)
	}
	chain, err := atrestpeer.ResolveChain(cfg, *resource)
	if err != nil {
		return nil, fail("config", err)
	}
	return map[string]interface{}{"chain": chain}, nil
}
