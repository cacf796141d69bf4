package demo

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestBootstrapEER checks the interval against cases with a known answer:
// separable classes (EER 0 in every resample), and two unit Gaussians d
// apart, whose EER is Φ(−d/2) (the interval from 2,000 trials per class
// must contain it and be a few points wide at most); and that a seed
// reproduces its interval.
func TestBootstrapEER(t *testing.T) {
	lo, hi := BootstrapEER([]float64{3, 4, 5}, []float64{0, 1, 2}, 200, 1)
	if lo != 0 || hi != 0 {
		t.Errorf("separable: [%g, %g], want [0, 0]", lo, hi)
	}
	r := rand.New(rand.NewPCG(9, 9))
	const d = 2.0
	g := make([]float64, 2000)
	s := make([]float64, 2000)
	for i := range g {
		g[i] = d + r.NormFloat64()
		s[i] = r.NormFloat64()
	}
	want := 0.5 * math.Erfc(d/2/math.Sqrt2) // Φ(−d/2) ≈ 0.1587
	lo, hi = BootstrapEER(g, s, 300, 7)
	if !(lo <= want && want <= hi) || hi-lo > 0.04 || hi-lo < 0.005 {
		t.Errorf("Gaussians: [%.4f, %.4f] should contain %.4f and be 0.5–4 points wide", lo, hi, want)
	}
	lo2, hi2 := BootstrapEER(g, s, 300, 7)
	if lo2 != lo || hi2 != hi {
		t.Error("same seed, different interval")
	}
	if lo, _ := BootstrapEER(nil, s, 10, 1); !math.IsNaN(lo) {
		t.Error("empty class: want NaN")
	}
	if p := percentile([]float64{0, 1, 2, 3}, 0.5); p != 1.5 {
		t.Errorf("median of 0…3 = %g", p)
	}
}
