// Command atrest-go-peer serves atrestpeer's encrypt and decrypt over JSON lines, so the
// TypeScript differential tests can drive an independent implementation of the Kubernetes
// encryption-at-rest formats.
//
// One JSON object per line on stdin, one answer per line on stdout, in order; the process ends
// at end of input. Byte fields are standard base64 with padding. Requests:
//
//	{"id": 1, "op": "encrypt" | "decrypt" | "ping",
//	 "provider": "identity" | "aescbc" | "aesgcm" | "secretbox" | "kmsv1" | "kmsv2",
//	 "keyName": "key1",                 // local providers: the key name; kms: the provider name
//	 "key": "<b64>",                    // local providers: the secret
//	 "context": "/registry/secrets/ns/name",  // the etcd key (additional data), as text
//	 "data": "<b64>",                   // encrypt: plaintext; decrypt: the full stored value
//	 "keyID": "k1",                     // kmsv2: encrypt writes it; decrypt compares it (stale)
//	 "dekSourceType": "HKDF_SHA256_XNONCE_AES_GCM_SEED" | "AES_GCM_KEY",  // kmsv2 encrypt
//	 "annotations": {"a.example.com": "<b64>"},                           // kmsv2 encrypt
//	 "payload": "gcm" | "cbc"}          // kmsv1 encrypt (cbc = pre-1.25 writers)
//
// Answers: {"id": 1, "ok": true, "data": "<b64>", "stale": false, ...} where encrypt's data is
// the full stored value (prefix included) and decrypt's is the plaintext; kmsv2 decrypt adds
// "keyID", "dekSourceType" and "annotations". Failures: {"id": 1, "ok": false, "error": "..."}.
// A malformed line gets a failure answer too; the process never stops on bad input.
package main

import (
	"encoding/json"
	"fmt"

	"atrestpeer"
)

type request struct {
	ID            json.RawMessage   `json:"id,omitempty"`
	Op            string            `json:"op"`
	Provider      string            `json:"provider"`
	KeyName       string            `json:"keyName"`
	Key           []byte            `json:"key"`
	Context       string            `json:"context"`
	Data          []byte            `json:"data"`
	KeyID         string            `json:"keyID"`
	DEKSourceType string            `json:"dekSourceType"`
	Annotations   map[string][]byte `json:"annotations"`
	Payload       string            `json:"payload"`
}

type response struct {
	ID            json.RawMessage   `json:"id,omitempty"`
	OK            bool              `json:"ok"`
	Data          *[]byte           `json:"data,omitempty"`
	Stale         *bool             `json:"stale,omitempty"`
	KeyID         string            `json:"keyID,omitempty"`
	DEKSourceType string            `json:"dekSourceType,omitempty"`
	Annotations   map[string][]byte `json:"annotations,omitempty"`
	Error         string            `json:"error,omitempty"`
}

var sourceTypeNames = map[int32]string{
	atrestpeer.SourceAESGCMKey: "AES_GCM_KEY",
	atrestpeer.SourceHKDFSeed:  "HKDF_SHA256_XNONCE_AES_GCM_SEED",
}

func main() {
	atrestpeer.RunLines("atrest-go-peer", func(line []byte) interface{} { return serve(line) })
}

// serve answers one request line; a panic (a peer bug) becomes a failure answer.
func serve(line []byte) (resp response) {
	var req request
	defer func() {
		if r := recover(); r != nil {
			resp = response{ID: req.ID, Error: fmt.Sprintf("internal error: %v", r)}
		}
	}()
	if err := json.Unmarshal(line, &req); err != nil {
		return response{ID: req.ID, Error: "bad request: " + err.Error()}
	}
	resp, err := handle(&req)
	if err != nil {
		return response{ID: req.ID, Error: err.Error()}
	}
	resp.ID = req.ID
	resp.OK = true
	return resp
}

func handle(req *request) (response, error) {
	ctx := []byte(req.Context)
	switch req.Op {
	case "ping":
		return response{}, nil
	case "encrypt":
		stored, err := encrypt(req, ctx)
		if err != nil {
			return response{}, err
		}
		return response{Data: &stored}, nil
	case "decrypt":
		return decrypt(req, ctx)
	default:
		return response{}, fmt.Errorf("unknown op %q", req.Op)
	}
}

func encrypt(req *request, ctx []byte) ([]byte, error) {
	switch req.Provider {
	case atrestpeer.ProviderIdentity:
		return atrestpeer.EncryptIdentity(req.Data), nil
	case atrestpeer.ProviderAESCBC, atrestpeer.ProviderAESGCM, atrestpeer.ProviderSecretbox:
		return atrestpeer.EncryptLocal(req.Provider, req.KeyName, req.Key, req.Data, ctx)
	case "kmsv1":
		payload := atrestpeer.KMSv1GCM
		switch req.Payload {
		case "", "gcm":
		case "cbc":
			payload = atrestpeer.KMSv1CBC
		default:
			return nil, fmt.Errorf("unknown kms v1 payload %q", req.Payload)
		}
		return atrestpeer.EncryptKMSv1(req.KeyName, req.Data, ctx, payload, atrestpeer.Base64Wrap)
	case "kmsv2":
		w := atrestpeer.KMSv2Write{KeyID: req.KeyID, SourceType: atrestpeer.SourceHKDFSeed, Annotations: req.Annotations}
		switch req.DEKSourceType {
		case "", "HKDF_SHA256_XNONCE_AES_GCM_SEED":
		case "AES_GCM_KEY":
			w.SourceType = atrestpeer.SourceAESGCMKey
		default:
			return nil, fmt.Errorf("unknown dekSourceType %q", req.DEKSourceType)
		}
		return atrestpeer.EncryptKMSv2(req.KeyName, req.Data, ctx, w, atrestpeer.Base64Wrap)
	default:
		return nil, fmt.Errorf("unknown provider %q", req.Provider)
	}
}

func decrypt(req *request, ctx []byte) (response, error) {
	stale := false
	var plaintext []byte
	var err error
	switch req.Provider {
	case atrestpeer.ProviderIdentity:
		plaintext, err = atrestpeer.DecryptIdentity(req.Data)
	case atrestpeer.ProviderAESCBC, atrestpeer.ProviderAESGCM, atrestpeer.ProviderSecretbox:
		plaintext, err = atrestpeer.DecryptLocal(req.Provider, req.KeyName, req.Key, req.Data, ctx)
	case "kmsv1":
		plaintext, stale, err = atrestpeer.DecryptKMSv1(req.KeyName, req.Data, ctx, atrestpeer.Base64Unwrap)
	case "kmsv2":
		r, err := atrestpeer.DecryptKMSv2(req.KeyName, req.Data, ctx, req.KeyID, atrestpeer.Base64Unwrap)
		if err != nil {
			return response{}, err
		}
		return response{
			Data:          nonNil(r.Plaintext),
			Stale:         &r.Stale,
			KeyID:         r.KeyID,
			DEKSourceType: sourceTypeNames[r.SourceType],
			Annotations:   r.Annotations,
		}, nil
	default:
		return response{}, fmt.Errorf("unknown provider %q", req.Provider)
	}
	if err != nil {
		return response{}, err
	}
	return response{Data: nonNil(plaintext), Stale: &stale}, nil
}

// nonNil makes an empty plaintext answer "data": "" rather than omit the field.
func nonNil(b []byte) *[]byte {
	if b == nil {
		b = []byte{}
	}
	return &b
}
