package augment

import (
	"math/cmplx"

	algofft "github.com/cwbudde/algo-fft"
)

// fftSum computes sums of RawBoost filterFIR outputs, Σ_i filterFIR(x_i,
// b_i), by FFT: one complex transform per term (the signal in the real
// part, the delay-compensated filter circularly shifted in the imaginary
// part) and one inverse transform for the sum. For the few-hundred-tap
// notch cascades of LnL and SSI on seconds of audio this is ~5× faster
// than the direct form; the results agree with filterFIR to rounding
// (TestFFTSumMatchesDirect). Not safe for concurrent use.
type fftSum struct {
	plans map[int]*algofft.Plan[complex128]
	a, f  []complex128
	acc   []complex128
	n, l  int
}

// begin starts a sum of outputs of l samples whose filters have at most
// maxTaps taps.
func (s *fftSum) begin(l, maxTaps int) {
	n := 4
	for n < l+maxTaps {
		n <<= 1
	}
	s.n, s.l = n, l
	if s.plans == nil {
		s.plans = map[int]*algofft.Plan[complex128]{}
	}
	if s.plans[n] == nil {
		p, err := algofft.NewPlan64(n)
		if err != nil {
			panic("augment: FFT plan: " + err.Error()) // n is a power of two: cannot fail
		}
		s.plans[n] = p
	}
	s.a = growC(s.a, n)
	s.f = growC(s.f, n)
	s.acc = growC(s.acc, n)
	clear(s.acc)
}

// add adds filterFIR(x, b) to the sum; len(x) must be the l of begin and
// len(b) at most its maxTaps.
func (s *fftSum) add(x, b []float64) {
	n := s.n
	off := (len(b) + 1) / 2
	a := s.a
	clear(a)
	for t, v := range x {
		a[t] = complex(v, 0)
	}
	// filterFIR(x, b)[i] = Σ_k b[k]·x[i−(k−off)]: b shifted left by off,
	// negative lags wrapped to the top of the circular buffer (n ≥ l + taps
	// keeps them off the output samples).
	for k, v := range b {
		j := (k - off + n) % n
		a[j] = complex(real(a[j]), v)
	}
	if err := s.plans[n].Forward(s.f, a); err != nil {
		panic("augment: FFT: " + err.Error())
	}
	f := s.f
	for k := range n {
		ak, am := f[k], cmplx.Conj(f[(n-k)&(n-1)])
		x := 0.5 * (ak + am)
		h := 0.5 * (ak - am)
		h = complex(imag(h), -real(h)) // /j
		s.acc[k] += x * h
	}
}

// end writes the real sum into dst (l samples).
func (s *fftSum) end(dst []float64) {
	if err := s.plans[s.n].Inverse(s.a, s.acc); err != nil { // normalised by 1/n
		panic("augment: FFT: " + err.Error())
	}
	for i := range dst[:s.l] {
		dst[i] = real(s.a[i])
	}
}

func growC(s []complex128, n int) []complex128 {
	if cap(s) < n {
		return make([]complex128, n)
	}
	return s[:n]
}
