//go:build !unix

package features

// processCPU is unavailable here; benchmarks then report wall time only.
func processCPU() float64 { return 0 }
