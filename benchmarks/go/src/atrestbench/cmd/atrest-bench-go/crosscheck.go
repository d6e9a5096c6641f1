package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"atrestbench"
)

// crossCheckRequest comes from the TypeScript side (benchmarks/src/go-crosscheck.ts): the keys
// its configuration uses, the plaintext size, and one value per provider written by atrest
// ("chain5": an aesgcm value, to be read through the 5-provider chain). Bytes are base64.
type crossCheckRequest struct {
	Keys   map[string][]byte `json:"keys"`
	Size   int               `json:"size"`
	Values map[string][]byte `json:"values"`
}

// crossCheckRead is how the Go chain read one atrest value.
type crossCheckRead struct {
	// OK is true when the value decrypted to the deterministic plaintext of the size.
	OK    bool   `json:"ok"`
	Stale bool   `json:"stale"`
	Error string `json:"error,omitempty"`
}

// crossCheckAnswer holds Go's reads of atrest's values and one value per provider written by
// the benchmarked Go chains, for atrest to read.
type crossCheckAnswer struct {
	Reads  map[string]crossCheckRead `json:"reads"`
	Values map[string][]byte         `json:"values"`
}

// crossCheck answers one request read from in.
func crossCheck(in io.Reader, out io.Writer) error {
	var req crossCheckRequest
	if err := json.NewDecoder(in).Decode(&req); err != nil {
		return fmt.Errorf("crosscheck request: %v", err)
	}
	keys := atrestbench.Keys(req.Keys)
	pt := atrestbench.Plaintext(req.Size, atrestbench.DefaultSeed)
	ans := crossCheckAnswer{Reads: map[string]crossCheckRead{}, Values: map[string][]byte{}}
	for name, stored := range req.Values {
		providers, writer := []string{name}, name
		if name == "chain5" {
			providers, writer = atrestbench.Chain5, "aesgcm"
		}
		reader, err := atrestbench.NewChain(providers, keys)
		if err != nil {
			return err
		}
		got, stale, err := reader.TransformFromStorage(context.Background(), stored, atrestbench.ETCDKey)
		r := crossCheckRead{OK: err == nil && bytes.Equal(got, pt), Stale: stale}
		if err != nil {
			r.Error = err.Error()
		}
		ans.Reads[name] = r
		w, err := atrestbench.NewChain([]string{writer}, keys)
		if err != nil {
			return err
		}
		if ans.Values[name], err = w.TransformToStorage(context.Background(), pt, atrestbench.ETCDKey); err != nil {
			return err
		}
	}
	return json.NewEncoder(out).Encode(ans)
}
