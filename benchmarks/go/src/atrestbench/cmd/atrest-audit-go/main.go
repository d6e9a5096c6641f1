// Command atrest-audit-go is the Go anchor of atrest's auditor: the least a Go program must do to
// read every value of an etcd snapshot and open the aesgcm ones, for comparing with `atrest audit`
// end to end (benchmarks/src/audit-vs-go.ts). It opens the snapshot (a bbolt file) read-only with
// go.etcd.io/bbolt, walks the `key` bucket, decodes each mvccpb.KeyValue by hand, and opens every
// value stored as `k8s:enc:aesgcm:v1:<name>:<nonce><ciphertext><tag>` with AES-GCM, the etcd key as
// additional data, one prepared AEAD per key name and one reused output buffer. It does nothing an
// auditor would do besides: no SHA-256 of the file, no decoding of the plaintext, no report.
//
//	atrest-audit-go [-config FILE] [-key name=BASE64]... SNAPSHOT
//
// Keys come from -key flags and from the aesgcm providers of -config (an EncryptionConfiguration;
// read line by line, enough for the simple configurations the benchmarks write, not a YAML
// parser). Prints one line of JSON: {"values", "tombstones", "decrypted", "failed", "other", "seconds"},
// where values counts put revisions (tombstones apart), failed counts aesgcm values that did not
// open (unknown key name, short value, authentication failure) and other counts values that are
// not aesgcm.
package main

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

const prefix = "k8s:enc:aesgcm:v1:"

type keyFlags map[string][]byte

func (k keyFlags) String() string { return fmt.Sprint(len(k), " key(s)") }

func (k keyFlags) Set(s string) error {
	name, secret, ok := strings.Cut(s, "=")
	if !ok || name == "" {
		return errors.New("want name=BASE64")
	}
	raw, err := base64.StdEncoding.DecodeString(secret)
	if err != nil {
		return err
	}
	k[name] = raw
	return nil
}

var providers = map[string]bool{"aesgcm": true, "aescbc": true, "secretbox": true, "kms": true, "identity": true}

// configKeys adds the keys of the aesgcm providers of an EncryptionConfiguration. A line
// "- <provider>:" starts a provider; under aesgcm, "name:" then "secret:" make a key.
func configKeys(file string, keys keyFlags) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	provider, name := "", ""
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		if p, _, ok := strings.Cut(strings.TrimPrefix(line, "- "), ":"); ok && strings.HasPrefix(line, "- ") && providers[p] {
			provider, name = p, ""
			continue
		}
		if provider != "aesgcm" {
			continue
		}
		line = strings.TrimPrefix(line, "- ")
		if strings.HasPrefix(line, "name:") {
			name = unquote(line[len("name:"):])
		} else if strings.HasPrefix(line, "secret:") && name != "" {
			if err := keys.Set(name + "=" + unquote(line[len("secret:"):])); err != nil {
				return fmt.Errorf("%s: key %s: %w", file, name, err)
			}
			name = ""
		}
	}
	return s.Err()
}

func unquote(v string) string { return strings.Trim(strings.TrimSpace(v), `"'`) }

// varint reads a protobuf varint at b[i:], returning the value and the index after it (-1 on error).
func varint(b []byte, i int) (uint64, int) {
	var v uint64
	for shift := uint(0); shift < 64; shift += 7 {
		if i >= len(b) {
			return 0, -1
		}
		c := b[i]
		i++
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v, i
		}
	}
	return 0, -1
}

// keyValue takes fields 1 (key) and 5 (value) of an mvccpb.KeyValue; the revisions, version and
// lease (varints 2, 3, 4, 6) are read and dropped.
func keyValue(b []byte) (key, value []byte, err error) {
	for i := 0; i < len(b); {
		tag, j := varint(b, i)
		if j < 0 {
			return nil, nil, errors.New("bad tag")
		}
		switch tag & 7 {
		case 0:
			if _, j = varint(b, j); j < 0 {
				return nil, nil, errors.New("bad varint")
			}
		case 2:
			n, k := varint(b, j)
			if k < 0 || n > uint64(len(b)-k) {
				return nil, nil, errors.New("bad length")
			}
			switch tag >> 3 {
			case 1:
				key = b[k : k+int(n)]
			case 5:
				value = b[k : k+int(n)]
			}
			j = k + int(n)
		default:
			return nil, nil, fmt.Errorf("wire type %d", tag&7)
		}
		i = j
	}
	return key, value, nil
}

type summary struct {
	Values     int     `json:"values"`
	Tombstones int     `json:"tombstones"`
	Decrypted  int     `json:"decrypted"`
	Failed     int     `json:"failed"`
	Other      int     `json:"other"`
	Seconds    float64 `json:"seconds"`
}

func run(file string, keys keyFlags) (summary, error) {
	var s summary
	aeads := map[string]cipher.AEAD{}
	for name, k := range keys {
		block, err := aes.NewCipher(k)
		if err != nil {
			return s, fmt.Errorf("key %s: %w", name, err)
		}
		if aeads[name], err = cipher.NewGCM(block); err != nil {
			return s, err
		}
	}
	db, err := bolt.Open(file, 0o400, &bolt.Options{ReadOnly: true})
	if err != nil {
		return s, err
	}
	defer db.Close()
	out := make([]byte, 0, 64<<10)
	err = db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("key"))
		if b == nil {
			return errors.New("no key bucket")
		}
		return b.ForEach(func(rev, v []byte) error {
			// A revision key is 17 bytes (main, '_', sub); a tombstone's has an 18th, 't'.
			if len(rev) == 18 && rev[17] == 't' {
				s.Tombstones++
				return nil
			}
			key, value, err := keyValue(v)
			if err != nil {
				return fmt.Errorf("revision %x: %w", rev, err)
			}
			s.Values++
			if !bytes.HasPrefix(value, []byte(prefix)) {
				s.Other++
				return nil
			}
			rest := value[len(prefix):]
			colon := bytes.IndexByte(rest, ':')
			if colon < 0 {
				s.Failed++
				return nil
			}
			aead := aeads[string(rest[:colon])]
			data := rest[colon+1:]
			if aead == nil || len(data) < aead.NonceSize()+aead.Overhead() {
				s.Failed++
				return nil
			}
			n := aead.NonceSize()
			if out, err = aead.Open(out[:0], data[:n], data[n:], key); err != nil {
				s.Failed++
			} else {
				s.Decrypted++
			}
			return nil
		})
	})
	return s, err
}

func main() {
	start := time.Now()
	keys := keyFlags{}
	config := flag.String("config", "", "an EncryptionConfiguration whose aesgcm keys to use")
	flag.Var(keys, "key", "an aesgcm key, name=BASE64 (repeatable)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: atrest-audit-go [-config FILE] [-key name=BASE64]... SNAPSHOT")
		os.Exit(2)
	}
	if *config != "" {
		if err := configKeys(*config, keys); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	s, err := run(flag.Arg(0), keys)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	s.Seconds = time.Since(start).Seconds()
	line, _ := json.Marshal(s)
	fmt.Println(string(line))
}
