// Prints, as JSON, the hash kube-apiserver reports for each file named on the command line: the
// value of the hash label of apiserver_encryption_config_controller_last_config_info, which
// upstream computes (computeEncryptionConfigHash in
// staging/src/k8s.io/apiserver/pkg/server/options/encryptionconfig/config.go) as the fixed prefix
// "k8s:enc:unstable:1:" and the lowercase hex SHA-256 of the file's bytes as read from disk.
// Written for atrest from that description; config-hash.test.ts runs it when Go is installed.
// Run: GO111MODULE=off go run config-hash.go FILE...

package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
)

type result struct {
	File string `json:"file"`
	Hash string `json:"hash"`
}

func main() {
	out := []result{}
	for _, name := range os.Args[1:] {
		data, err := os.ReadFile(name)
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(data)
		out = append(out, result{File: name, Hash: "k8s:enc:unstable:1:" + hex.EncodeToString(sum[:])})
	}
	enc := json.NewEncoder(os.Stdout)
	if err := enc.Encode(out); err != nil {
		panic(err)
	}
}
