package features

import (
	"fmt"

	algofft "github.com/cwbudde/algo-fft"
)

// realFFT computes the half spectrum X[0…n/2] of a real n-point sequence,
//
//	X[k] = Σ_{j<n} x[j]·exp(−2πi·jk/n),
//
// in float64. It wraps a github.com/cwbudde/algo-fft plan; see the package
// documentation for why that library. Not safe for concurrent use.
type realFFT struct {
	n    int
	plan *algofft.PlanRealT[float64, complex128]
}

func newRealFFT(n int) (*realFFT, error) {
	if n < 2 || n&(n-1) != 0 {
		return nil, fmt.Errorf("FFT size %d is not a power of two ≥ 2", n)
	}
	p, err := algofft.NewPlanReal64(n)
	if err != nil {
		return nil, fmt.Errorf("FFT of size %d: %w", n, err)
	}
	return &realFFT{n: n, plan: p}, nil
}

// forward sets X (length n/2+1) to the half spectrum of x (length n).
func (f *realFFT) forward(X []complex128, x []float64) {
	if err := f.plan.Forward(X, x); err != nil {
		// Lengths are fixed at construction; an error here is a bug.
		panic(fmt.Sprintf("features: FFT: %v", err))
	}
}
