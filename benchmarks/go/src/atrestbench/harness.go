package atrestbench

import (
	"sort"
	"time"
)

// Measurement is one case's result: the median ops/s and every round's ops/s.
type Measurement struct {
	OpsPerSec float64   `json:"opsPerSec"`
	Rounds    []float64 `json:"rounds"`
}

// batch operations run between clock reads, so reading the clock costs small operations
// nothing (as in the TypeScript harness).
const batch = 16

// runFor runs op for about d and returns ops/s, or op's first error.
func runFor(op func() error, d time.Duration) (float64, error) {
	start := time.Now()
	end := start.Add(d)
	n := 0
	now := start
	for now.Before(end) {
		for i := 0; i < batch; i++ {
			if err := op(); err != nil {
				return 0, err
			}
		}
		n += batch
		now = time.Now()
	}
	return float64(n) / now.Sub(start).Seconds(), nil
}

// Measure warms op up for min(200 ms, round), then runs rounds rounds of round each and reports
// the median, like benchmarks/src/_harness.ts.
func Measure(op func() error, round time.Duration, rounds int) (Measurement, error) {
	warm := round
	if warm > 200*time.Millisecond {
		warm = 200 * time.Millisecond
	}
	if _, err := runFor(op, warm); err != nil {
		return Measurement{}, err
	}
	m := Measurement{Rounds: make([]float64, 0, rounds)}
	for r := 0; r < rounds; r++ {
		ops, err := runFor(op, round)
		if err != nil {
			return Measurement{}, err
		}
		m.Rounds = append(m.Rounds, ops)
	}
	sorted := append([]float64(nil), m.Rounds...)
	sort.Float64s(sorted)
	if len(sorted) > 0 {
		m.OpsPerSec = sorted[len(sorted)/2]
	}
	return m, nil
}
