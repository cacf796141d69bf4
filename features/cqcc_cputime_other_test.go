//go:build !unix

package features

func cpuSeconds() float64 { return 0 }
