// Command atrest-bench-go is the Go anchor of atrest's benchmarks: the provider x size matrix
// of benchmarks/src/run.ts, through kube-apiserver-shaped transformers (package atrestbench),
// on one core, timed like benchmarks/src/_harness.ts.
//
//	atrest-bench-go [--filter REGEX] [--time-ms 300] [--rounds 5] [--json FILE]
//	atrest-bench-go primitives [--time-ms 300] [--rounds 5] [--json FILE]
//	atrest-bench-go crosscheck < request.json > answer.json
//
// Case names are provider/size/op/go (aesgcm/1KiB/encrypt/go) and chain5/1KiB/decrypt/go, the
// same names as the TypeScript cases with "go" as the backend. Before a case is timed, the
// independent peer (test-vectors/go, atrestpeer) must read what the benchmarked chain writes and
// the chain must read what the peer writes. Progress goes to stderr; the JSON document
//
//	{"go": "go1.19.8", "options": {...}, "results": [{"name", "opsPerSec", "rounds"}, ...]}
//
// goes to stdout, or to --json FILE. The primitives mode times the building blocks alone
// (primitive/<what>/<size>/go, see primitives.go); the crosscheck mode exchanges values with the
// TypeScript side (see crosscheck.go).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"time"

	"atrestbench"
)

// options are echoed in the JSON document.
type options struct {
	TimeMs     float64 `json:"timeMs"`
	Rounds     int     `json:"rounds"`
	Filter     string  `json:"filter"`
	GOMAXPROCS int     `json:"gomaxprocs"`
}

type result struct {
	Name string `json:"name"`
	atrestbench.Measurement
}

// recorder times cases one after another and keeps their results; each is logged to stderr as
// it finishes.
type recorder struct {
	round   time.Duration
	rounds  int
	results []result
}

func (r *recorder) measure(name string, op func() error) error {
	m, err := atrestbench.Measure(op, r.round, r.rounds)
	if err != nil {
		return fmt.Errorf("%s: %v", name, err)
	}
	r.results = append(r.results, result{Name: name, Measurement: m})
	fmt.Fprintf(os.Stderr, "%-40s %12.0f ops/s\n", name, m.OpsPerSec)
	return nil
}

type document struct {
	Go      string   `json:"go"`
	Options options  `json:"options"`
	Results []result `json:"results"`
}

func main() {
	runtime.GOMAXPROCS(1)
	if len(os.Args) > 1 && os.Args[1] == "crosscheck" {
		if err := crossCheck(os.Stdin, os.Stdout); err != nil {
			fail(err)
		}
		return
	}
	args, mode := os.Args[1:], "matrix"
	if len(args) > 0 && args[0] == "primitives" {
		args, mode = args[1:], "primitives"
	}
	fs := flag.NewFlagSet("atrest-bench-go", flag.ExitOnError)
	filter := fs.String("filter", ".", "regular expression over case names")
	timeMs := fs.Float64("time-ms", 300, "milliseconds per round")
	rounds := fs.Int("rounds", 5, "rounds per case; the median is reported")
	jsonOut := fs.String("json", "", "write the JSON document to this file instead of stdout")
	_ = fs.Parse(args) // ExitOnError: a bad flag exits with status 2
	re, err := regexp.Compile(*filter)
	if err != nil {
		fail(err)
	}
	opts := options{TimeMs: *timeMs, Rounds: *rounds, Filter: *filter, GOMAXPROCS: runtime.GOMAXPROCS(0)}
	round := time.Duration(*timeMs * float64(time.Millisecond))
	var results []result
	if mode == "primitives" {
		results, err = primitives(round, *rounds)
	} else {
		results, err = run(re, round, *rounds)
	}
	if err != nil {
		fail(err)
	}
	out, err := json.MarshalIndent(document{Go: runtime.Version(), Options: opts, Results: results}, "", "  ")
	if err != nil {
		fail(err)
	}
	out = append(out, '\n')
	if *jsonOut != "" {
		err = os.WriteFile(*jsonOut, out, 0o644)
	} else {
		_, err = os.Stdout.Write(out)
	}
	if err != nil {
		fail(err)
	}
}

// run times every case whose name matches re, after cross-validating it.
func run(re *regexp.Regexp, round time.Duration, rounds int) ([]result, error) {
	keys, err := atrestbench.RandomKeys()
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	var dataCtx atrestbench.DataContext = atrestbench.ETCDKey // converted once, not per op
	rec := &recorder{round: round, rounds: rounds}
	measure := rec.measure
	for _, p := range atrestbench.Providers {
		for _, size := range atrestbench.Sizes {
			prefix := p + "/" + atrestbench.SizeLabel(size)
			enc, dec := prefix+"/encrypt/go", prefix+"/decrypt/go"
			if !re.MatchString(enc) && !re.MatchString(dec) {
				continue
			}
			if err := crossValidate(p, size, keys); err != nil {
				return nil, err
			}
			chain, err := atrestbench.NewChain([]string{p}, keys)
			if err != nil {
				return nil, err
			}
			pt := atrestbench.Plaintext(size, atrestbench.DefaultSeed)
			stored, err := chain.TransformToStorage(ctx, pt, dataCtx)
			if err != nil {
				return nil, err
			}
			// Each encrypt is a full write: fresh random nonce (and DEK/info), new output.
			if re.MatchString(enc) {
				if err := measure(enc, func() error { _, err := chain.TransformToStorage(ctx, pt, dataCtx); return err }); err != nil {
					return nil, err
				}
			}
			if re.MatchString(dec) {
				if err := measure(dec, func() error { _, _, err := chain.TransformFromStorage(ctx, stored, dataCtx); return err }); err != nil {
					return nil, err
				}
			}
		}
	}
	// Chain lookup: a value under the 5th provider of the chain.
	if name := "chain5/1KiB/decrypt/go"; re.MatchString(name) {
		chain, stored, err := chain5Case(keys)
		if err != nil {
			return nil, err
		}
		if err := measure(name, func() error { _, _, err := chain.TransformFromStorage(ctx, stored, dataCtx); return err }); err != nil {
			return nil, err
		}
	}
	return rec.results, nil
}

// chain5Case is the 5-provider chain and an aesgcm value it must read as stale.
func chain5Case(keys atrestbench.Keys) (atrestbench.Transformer, []byte, error) {
	chain, err := atrestbench.NewChain(atrestbench.Chain5, keys)
	if err != nil {
		return nil, nil, err
	}
	writer, err := atrestbench.NewChain([]string{"aesgcm"}, keys)
	if err != nil {
		return nil, nil, err
	}
	pt := atrestbench.Plaintext(1024, atrestbench.DefaultSeed)
	stored, err := writer.TransformToStorage(context.Background(), pt, atrestbench.ETCDKey)
	if err != nil {
		return nil, nil, err
	}
	if err := expectRead(chain, stored, pt, true, "chain5 reading an aesgcm value"); err != nil {
		return nil, nil, err
	}
	return chain, stored, nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "atrest-bench-go:", err)
	os.Exit(1)
}
