//go:build unix

package gmm

import "syscall"

// cpuSeconds is the process's user+system CPU time, so that benchmarks on
// a shared machine can report throughput per CPU-second beside wall time.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
