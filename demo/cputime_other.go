//go:build !unix

package demo

// cpuSeconds returns NaN: this system's process CPU time is not read.
func cpuSeconds() float64 { return nan }
