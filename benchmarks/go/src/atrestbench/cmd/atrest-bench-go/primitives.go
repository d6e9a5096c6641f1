package main

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"time"

	"golang.org/x/crypto/nacl/secretbox"

	"atrestbench"
)

// primitives times the building blocks alone: no chain, no prefix, outputs preallocated where
// the API allows. They are not compared with atrest; they tell where a Go figure comes from. When
// a primitive alone is slower here than another toolchain's full transformer path, the toolchain
// (or the machine) makes the difference, not the transformer around it.
func primitives(round time.Duration, rounds int) ([]result, error) {
	rec := &recorder{round: round, rounds: rounds}
	add := rec.measure
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	var boxKey [32]byte
	copy(boxKey[:], key)
	nonce := make([]byte, 24)
	var boxNonce [24]byte
	aad := []byte(atrestbench.ETCDKey)
	steps := []struct {
		name string
		op   func() error
	}{
		{"primitive/crypto-rand/12B/go", func() error { _, err := rand.Read(nonce[:12]); return err }},
		{"primitive/hmac-sha256/33B/go", func() error { h := hmac.New(sha256.New, key); h.Write(nonce); h.Sum(nil); return nil }},
		{"primitive/aes-key-setup/32B/go", func() error { b, _ := aes.NewCipher(key); _, err := cipher.NewGCM(b); return err }},
	}
	for _, s := range steps {
		if err := add(s.name, s.op); err != nil {
			return nil, err
		}
	}
	for _, size := range []int{1 << 10, 64 << 10} {
		label := atrestbench.SizeLabel(size)
		pt := atrestbench.Plaintext(size, atrestbench.DefaultSeed)
		buf := make([]byte, size+32)
		sealed := aead.Seal(nil, nonce[:12], pt, aad)
		box := secretbox.Seal(nil, pt, &boxNonce, &boxKey)
		cbcBuf := make([]byte, size)
		iv := make([]byte, 16)
		sized := []struct {
			name string
			op   func() error
		}{
			{"alloc", func() error { _ = make([]byte, size); return nil }},
			{"aesgcm-seal", func() error { aead.Seal(buf[:0], nonce[:12], pt, aad); return nil }},
			{"aesgcm-open", func() error { _, err := aead.Open(buf[:0], nonce[:12], sealed, aad); return err }},
			{"aescbc-encrypt", func() error { cipher.NewCBCEncrypter(block, iv).CryptBlocks(cbcBuf, cbcBuf); return nil }},
			{"aescbc-decrypt", func() error { cipher.NewCBCDecrypter(block, iv).CryptBlocks(cbcBuf, cbcBuf); return nil }},
			{"secretbox-seal", func() error { secretbox.Seal(buf[:0], pt, &boxNonce, &boxKey); return nil }},
			{"secretbox-open", func() error {
				if _, ok := secretbox.Open(buf[:0], box, &boxNonce, &boxKey); !ok {
					return fmt.Errorf("secretbox open failed")
				}
				return nil
			}},
		}
		for _, s := range sized {
			if err := add("primitive/"+s.name+"/"+label+"/go", s.op); err != nil {
				return nil, err
			}
		}
	}
	return rec.results, nil
}
