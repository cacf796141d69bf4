package synth

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestConvolveMatchesDirect checks the FFT convolution against the
// definition y[n] = Σ h[k]·x[n−k] on random signals of awkward lengths.
func TestConvolveMatchesDirect(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var c convolver
	for _, sz := range [][2]int{{100, 3}, {1000, 65}, {4001, 700}, {20000, 5000}} {
		x := make([]float64, sz[0])
		h := make([]float64, sz[1])
		gauss(r, x)
		gauss(r, h)
		want := make([]float64, len(x))
		for n := range want {
			for k := 0; k < len(h) && k <= n; k++ {
				want[n] += h[k] * x[n-k]
			}
		}
		c.convolve(x, h)
		for n := range x {
			if math.Abs(x[n]-want[n]) > 1e-9*(1+math.Abs(want[n])) {
				t.Fatalf("len %v: y[%d] = %g, want %g", sz, n, x[n], want[n])
			}
		}
	}
}
