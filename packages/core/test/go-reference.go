// Generates go-reference.json: what Go 1.19 answers for strconv.Quote (%q) and
// base64.StdEncoding, the Go behaviour @atrest/core/go reproduces for config and kms.
// Inputs are hex so that invalid UTF-8 survives JSON.
// Regenerate: GO111MODULE=off go run go-reference.go > go-reference.json

package main

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"strconv"
)

func main() {
	quotes := []string{"", "abc", "a\"b\\c", "\a\b\f\n\r\t\v", "\x00\x01\x1f\x7f", "é", "日本語", "😀",
		"\u00a0", "\u00ad", "\u200b", "\u2028", "\u3000", "\ufeff", "\ue000", "\U000e0001", "\U0010ffff",
		"\ufffd", "\xff", "\xc3", "a\xc3(b", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\xaf", "\u0378",
		"\U0001f1e6", "x\u0301", "example.com", "MY.domain", "\u0085", "\u061c"}
	type Q struct {
		In  string `json:"in"`
		Out string `json:"out"`
	}
	var qs []Q
	for _, s := range quotes {
		qs = append(qs, Q{In: hex.EncodeToString([]byte(s)), Out: strconv.Quote(s)})
	}
	decodes := []string{"QQ==", "QR==", "QUI=", "QUJD", "QUJD\nREVG", "QU\r\nJD", "Q===", "=", "QQ", "QQ=",
		"QQ==QQ==", "QQ==\n", "-_-_", "QUJD QUJD", "", "QQ=\n=", "AAAAAA==", "QUJD=", "QQ=\nX", "QUJ\n",
		"Q", "QUJDR", "QUJDRA", "QUJDREU", "\n\n", "QQ\n==", "QUI=\r\nx", "QUJD\x00", "Zm9vYmFy", "////", "+/+/"}
	type B struct {
		In  string `json:"in"`
		Out string `json:"out,omitempty"`
		Err string `json:"err,omitempty"`
	}
	var bs []B
	for _, s := range decodes {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			bs = append(bs, B{In: s, Err: err.Error()})
		} else {
			bs = append(bs, B{In: s, Out: hex.EncodeToString(b)})
		}
	}
	type E struct {
		In  string `json:"in"`
		Out string `json:"out"`
	}
	var es []E
	for n := 0; n <= 7; n++ {
		b := bytes.Repeat([]byte{0xfb, 0xff, 0x3e}, 3)[:n]
		b = append([]byte{}, b...)
		es = append(es, E{In: hex.EncodeToString(b), Out: base64.StdEncoding.EncodeToString(b)})
	}
	json.NewEncoder(os.Stdout).Encode(map[string]interface{}{"quote": qs, "base64Decode": bs, "base64Encode": es})
}
