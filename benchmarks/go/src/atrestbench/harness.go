package atrestbench

import (
	"sort"
	"syscall"
	"time"
)

// Measurement is one case's result: the median ops/s (wall clock) and every round's ops/s, and
// the median ops per CPU-second (user + system time of the whole process, every thread).
type Measurement struct {
	OpsPerSec    float64   `json:"opsPerSec"`
	Rounds       []float64 `json:"rounds"`
	OpsPerCPUSec float64   `json:"opsPerCpuSec"`
}

// cpuSeconds is the process's user + system CPU time so far.
func cpuSeconds() float64 {
	var u syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &u) != nil {
		return 0
	}
	return float64(u.Utime.Sec+u.Stime.Sec) + float64(u.Utime.Usec+u.Stime.Usec)/1e6
}

// batch operations run between clock reads, so reading the clock costs small operations
// nothing (as in the TypeScript harness).
const batch = 16

// runFor runs op for about d and returns ops/s and ops per CPU-second, or op's first error.
func runFor(op func() error, d time.Duration) (float64, float64, error) {
	cpu := cpuSeconds()
	start := time.Now()
	end := start.Add(d)
	n := 0
	now := start
	for now.Before(end) {
		for i := 0; i < batch; i++ {
			if err := op(); err != nil {
				return 0, 0, err
			}
		}
		n += batch
		now = time.Now()
	}
	used := cpuSeconds() - cpu
	perCPU := 0.0
	if used > 0 {
		perCPU = float64(n) / used
	}
	return float64(n) / now.Sub(start).Seconds(), perCPU, nil
}

// Measure warms op up for min(200 ms, round), then runs rounds rounds of round each and reports
// the median, like benchmarks/src/_harness.ts.
func Measure(op func() error, round time.Duration, rounds int) (Measurement, error) {
	warm := round
	if warm > 200*time.Millisecond {
		warm = 200 * time.Millisecond
	}
	if _, _, err := runFor(op, warm); err != nil {
		return Measurement{}, err
	}
	m := Measurement{Rounds: make([]float64, 0, rounds)}
	perCPU := make([]float64, 0, rounds)
	for r := 0; r < rounds; r++ {
		ops, cpu, err := runFor(op, round)
		if err != nil {
			return Measurement{}, err
		}
		m.Rounds = append(m.Rounds, ops)
		perCPU = append(perCPU, cpu)
	}
	sorted := append([]float64(nil), m.Rounds...)
	sort.Float64s(sorted)
	sort.Float64s(perCPU)
	if len(sorted) > 0 {
		m.OpsPerSec = sorted[len(sorted)/2]
		m.OpsPerCPUSec = perCPU[len(perCPU)/2]
	}
	return m, nil
}
