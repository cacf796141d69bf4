//go:build unix

package demo

import "syscall"

// cpuSeconds returns the CPU time (user + system) this process has used so
// far, or NaN when the system does not say. The report shows it beside wall
// time because wall time on a shared machine measures the neighbours too.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return nan
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}
