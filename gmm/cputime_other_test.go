//go:build !unix

package gmm

func cpuSeconds() float64 { return 0 }
