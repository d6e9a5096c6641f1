// Generates go-reference.json: what Go 1.19 (the toolchain the upstream vectors were made with)
// answers for url.Parse, time.ParseDuration and base64.StdEncoding on tricky inputs.
// Regenerate: GO111MODULE=off go run go-reference.go > go-reference.json

package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"time"
)

func main() {
	urls := []string{"unix:///tmp/kms.sock", "::", "/var/run/kms.sock", "tcp://127.0.0.1:9000", "", "unix://", "UNIX:///x", "unix:/x", "unix:x", "unix://h:p/x", "unix://[::1/x", "unix://[::1]:x/", "unix://a b/x", "unix:///a%zz", "unix:///a%2", "unix:///a#%zz", "a:b", "1unix:///x", "unix\x01:///x", "http://u@h/x", "http://u s@h/", "unix://%41/x", "unix://%c3%a9/x", "unix:///é", "unix://é/", "*", "unix:///x?q=%zz", "c:/x", "//host/x", "///x", "unix://[fe80::1%25en0]/x", "unix://[fe80::1%25%zz]/x", "unix://h%/x", "unix:///x\"y", "x:%ZZ", "-x:y"}
	type U struct {
		In     string `json:"in"`
		Scheme string `json:"scheme,omitempty"`
		Err    string `json:"err,omitempty"`
	}
	var us []U
	for _, s := range urls {
		u, err := url.Parse(s)
		if err != nil {
			us = append(us, U{In: s, Err: err.Error()})
		} else {
			us = append(us, U{In: s, Scheme: u.Scheme})
		}
	}
	durs := []string{"3s", "1m30s", "500ms", "0", "-0", "+0", "", "-", "1", "1d", ".s", "1.s", ".5s", "1.5h", "-1s", "1h2m3.5s", "10µs", "10μs", "10us", "9223372036854775807ns", "9223372036854775808ns", "-9223372036854775808ns", "2562047h", "2562048h", "1.0000000000000000000001s", "0.333333333333h", "3s1", "s", "1e3s", "1 s", "é", "1.2.3s", "00001s", "1m0.000000001s"}
	type D struct {
		In  string `json:"in"`
		Ns  string `json:"ns,omitempty"`
		Str string `json:"str,omitempty"`
		Err string `json:"err,omitempty"`
	}
	var ds []D
	for _, s := range durs {
		d, err := time.ParseDuration(s)
		if err != nil {
			ds = append(ds, D{In: s, Err: err.Error()})
		} else {
			ds = append(ds, D{In: s, Ns: fmt.Sprint(int64(d)), Str: d.String()})
		}
	}
	b64s := []string{"QQ==", "QR==", "QUI=", "QUJD", "QUJD\nREVG", "QU\r\nJD", "Q===", "=", "QQ", "QQ=", "QQ==QQ==", "QQ==\n", "-_-_", "QUJD QUJD", "", "QQ=\n=", "AAAAAA=="}
	type B struct {
		In  string `json:"in"`
		Out string `json:"out,omitempty"`
		Ok  bool   `json:"ok"`
	}
	var bs []B
	for _, s := range b64s {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			bs = append(bs, B{In: s})
		} else {
			bs = append(bs, B{In: s, Ok: true, Out: fmt.Sprintf("%x", b)})
		}
	}
	json.NewEncoder(os.Stdout).Encode(map[string]interface{}{"urls": us, "durations": ds, "base64": bs})
}
