package main

import (
	"bytes"
	"context"
	"fmt"

	"atrestbench"
	"atrestpeer"
)

// crossValidate checks one provider at one size against atrest's independent Go peer
// (test-vectors/go): the peer reads what the benchmarked chain writes, and the chain reads what
// the peer writes, both to the right plaintext and not stale. A benchmark of wrong bytes
// measures nothing.
func crossValidate(provider string, size int, keys atrestbench.Keys) error {
	pt := atrestbench.Plaintext(size, atrestbench.DefaultSeed)
	chain, err := atrestbench.NewChain([]string{provider}, keys)
	if err != nil {
		return err
	}
	stored, err := chain.TransformToStorage(context.Background(), pt, atrestbench.ETCDKey)
	if err != nil {
		return err
	}
	got, stale, err := peerDecrypt(provider, keys[provider], stored)
	if err != nil || stale || !bytes.Equal(got, pt) {
		return fmt.Errorf("cross-validation: the peer cannot read %s %d B written by the benchmark chain (stale=%v, err=%v)", provider, size, stale, err)
	}
	fromPeer, err := peerEncrypt(provider, keys[provider], pt)
	if err != nil {
		return err
	}
	return expectRead(chain, fromPeer, pt, false, fmt.Sprintf("%s %d B written by the peer", provider, size))
}

// expectRead reads stored with t and checks the plaintext and the stale flag.
func expectRead(t atrestbench.Transformer, stored, want []byte, wantStale bool, what string) error {
	got, stale, err := t.TransformFromStorage(context.Background(), stored, atrestbench.ETCDKey)
	if err != nil || stale != wantStale || !bytes.Equal(got, want) {
		return fmt.Errorf("cross-validation: %s: stale=%v (want %v), plaintext equal=%v, err=%v", what, stale, wantStale, bytes.Equal(got, want), err)
	}
	return nil
}

func peerEncrypt(provider string, key, pt []byte) ([]byte, error) {
	etcdKey := []byte(atrestbench.ETCDKey)
	switch provider {
	case "identity":
		return atrestpeer.EncryptIdentity(pt), nil
	case "kmsv1":
		return atrestpeer.EncryptKMSv1(atrestbench.KMSv1Name, pt, etcdKey, atrestpeer.KMSv1GCM, atrestpeer.Base64Wrap)
	case "kmsv2":
		w := atrestpeer.KMSv2Write{KeyID: atrestbench.KMSv2KeyID, SourceType: atrestpeer.SourceHKDFSeed}
		return atrestpeer.EncryptKMSv2(atrestbench.KMSv2Name, pt, etcdKey, w, atrestpeer.Base64Wrap)
	default:
		return atrestpeer.EncryptLocal(provider, atrestbench.KeyName, key, pt, etcdKey)
	}
}

func peerDecrypt(provider string, key, stored []byte) ([]byte, bool, error) {
	etcdKey := []byte(atrestbench.ETCDKey)
	switch provider {
	case "identity":
		pt, err := atrestpeer.DecryptIdentity(stored)
		return pt, false, err
	case "kmsv1":
		return atrestpeer.DecryptKMSv1(atrestbench.KMSv1Name, stored, etcdKey, atrestpeer.Base64Unwrap)
	case "kmsv2":
		r, err := atrestpeer.DecryptKMSv2(atrestbench.KMSv2Name, stored, etcdKey, atrestbench.KMSv2KeyID, atrestpeer.Base64Unwrap)
		if err != nil {
			return nil, false, err
		}
		return r.Plaintext, r.Stale, nil
	default:
		pt, err := atrestpeer.DecryptLocal(provider, atrestbench.KeyName, key, stored, etcdKey)
		return pt, false, err
	}
}
