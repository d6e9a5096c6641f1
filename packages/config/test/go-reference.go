// Generates go-reference.json: what Go 1.19 (the toolchain the upstream vectors were made with)
// answers for url.Parse and time.ParseDuration on tricky inputs. (Go's base64, which config
// uses through @atrest/core/go, is pinned by core's own go-reference.)
// Regenerate: GO111MODULE=off go run go-reference.go > go-reference.json

package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"time"
)

// answers records Go's answer for each input: the fields `f` reports, or the error text as "err".
func answers(inputs []string, f func(string) (map[string]string, error)) []map[string]string {
	var out []map[string]string
	for _, s := range inputs {
		fields, err := f(s)
		if err != nil {
			fields = map[string]string{"err": err.Error()}
		}
		fields["in"] = s
		out = append(out, fields)
	}
	return out
}

func main() {
	urls := []string{"unix:///tmp/kms.sock", "::", "/var/run/kms.sock", "tcp://127.0.0.1:9000", "", "unix://", "UNIX:///x", "unix:/x", "unix:x", "unix://h:p/x", "unix://[::1/x", "unix://[::1]:x/", "unix://a b/x", "unix:///a%zz", "unix:///a%2", "unix:///a#%zz", "a:b", "1unix:///x", "unix\x01:///x", "http://u@h/x", "http://u s@h/", "unix://%41/x", "unix://%c3%a9/x", "unix:///é", "unix://é/", "*", "unix:///x?q=%zz", "c:/x", "//host/x", "///x", "unix://[fe80::1%25en0]/x", "unix://[fe80::1%25%zz]/x", "unix://h%/x", "unix:///x\"y", "x:%ZZ", "-x:y"}
	durs := []string{"3s", "1m30s", "500ms", "0", "-0", "+0", "", "-", "1", "1d", ".s", "1.s", ".5s", "1.5h", "-1s", "1h2m3.5s", "10µs", "10μs", "10us", "9223372036854775807ns", "9223372036854775808ns", "-9223372036854775808ns", "2562047h", "2562048h", "1.0000000000000000000001s", "0.333333333333h", "3s1", "s", "1e3s", "1 s", "é", "1.2.3s", "00001s", "1m0.000000001s"}
	json.NewEncoder(os.Stdout).Encode(map[string]interface{}{
		"urls": answers(urls, func(s string) (map[string]string, error) {
			u, err := url.Parse(s)
			if err != nil || u.Scheme == "" {
				return map[string]string{}, err
			}
			return map[string]string{"scheme": u.Scheme}, nil
		}),
		"durations": answers(durs, func(s string) (map[string]string, error) {
			d, err := time.ParseDuration(s)
			return map[string]string{"ns": fmt.Sprint(int64(d)), "str": d.String()}, err
		}),
	})
}
