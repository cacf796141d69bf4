package synth

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"slices"

	algofft "github.com/cwbudde/algo-fft"
)

// Rate is the sample rate of everything synth produces (Hz).
const Rate = 16000

// biquad is a second-order IIR section in transposed direct form II:
//
//	y[n] = b0·x[n] + s1,  s1 = b1·x[n] − a1·y[n] + s2,  s2 = b2·x[n] − a2·y[n]
//
// Coefficients follow R. Bristow-Johnson's "Audio EQ Cookbook" (normalised so
// that a0 = 1).
type biquad struct {
	b0, b1, b2, a1, a2 float64
	s1, s2             float64
}

func (q *biquad) process(x []float64) {
	b0, b1, b2, a1, a2 := q.b0, q.b1, q.b2, q.a1, q.a2
	s1, s2 := q.s1, q.s2
	for i, v := range x {
		y := b0*v + s1
		s1 = b1*v - a1*y + s2
		s2 = b2*v - a2*y
		x[i] = y
	}
	q.s1, q.s2 = s1, s2
}

func cookbook(f, q float64) (cosw, alpha float64) {
	w := 2 * math.Pi * f / Rate
	return math.Cos(w), math.Sin(w) / (2 * q)
}

// lowpass2 is the cookbook 2nd-order low-pass at f Hz with quality q
// (q = 1/√2 gives a Butterworth section).
func lowpass2(f, q float64) biquad {
	c, al := cookbook(f, q)
	a0 := 1 + al
	return biquad{b0: (1 - c) / 2 / a0, b1: (1 - c) / a0, b2: (1 - c) / 2 / a0, a1: -2 * c / a0, a2: (1 - al) / a0}
}

// highpass2 is the cookbook 2nd-order high-pass at f Hz with quality q.
func highpass2(f, q float64) biquad {
	c, al := cookbook(f, q)
	a0 := 1 + al
	return biquad{b0: (1 + c) / 2 / a0, b1: -(1 + c) / a0, b2: (1 + c) / 2 / a0, a1: -2 * c / a0, a2: (1 - al) / a0}
}

// peaking is the cookbook peaking equaliser: gain dB at f Hz, quality q.
func peaking(f, gainDB, q float64) biquad {
	c, al := cookbook(f, q)
	A := math.Pow(10, gainDB/40)
	a0 := 1 + al/A
	return biquad{b0: (1 + al*A) / a0, b1: -2 * c / a0, b2: (1 - al*A) / a0, a1: -2 * c / a0, a2: (1 - al/A) / a0}
}

// bandpass is the cookbook band-pass with 0 dB peak gain at f Hz and
// bandwidth bw Hz (q = f/bw).
func bandpass(f, bw float64) biquad {
	c, al := cookbook(f, f/bw)
	a0 := 1 + al
	return biquad{b0: al / a0, b2: -al / a0, a1: -2 * c / a0, a2: (1 - al) / a0}
}

// butterQ returns the quality factors of the second-order sections of a
// Butterworth filter of even order n: Q_k = 1/(2·sin((2k+1)π/(2n))).
func butterQ(n int) []float64 {
	qs := make([]float64, n/2)
	for k := range qs {
		qs[k] = 1 / (2 * math.Sin(float64(2*k+1)*math.Pi/float64(2*n)))
	}
	return qs
}

// onePole is y[n] = (1−a)·x[n] + a·y[n−1], a first-order low-pass.
type onePole struct{ a, y float64 }

func newOnePole(fc float64) onePole { return onePole{a: math.Exp(-2 * math.Pi * fc / Rate)} }

func (p *onePole) process(x []float64) {
	a, y := p.a, p.y
	for i, v := range x {
		y = (1-a)*v + a*y
		x[i] = y
	}
	p.y = y
}

// highpass1 removes DC and very low frequencies: the one-pole/one-zero
// y[n] = x[n] − x[n−1] + r·y[n−1], cut-off ≈ (1−r)·fs/2π.
func highpass1(x []float64, fc float64) {
	r := math.Exp(-2 * math.Pi * fc / Rate)
	var xp, y float64
	for i, v := range x {
		y = v - xp + r*y
		xp = v
		x[i] = y
	}
}

// convolver computes linear convolutions by FFT. Direct convolution of a
// 3 s utterance with a 0.8 s room response would cost 6·10⁸ multiply-adds;
// the FFT route is O(N log N). Both real signals travel in one complex
// transform of size N: with a = x + j·h and A = FFT_N(a),
//
//	X[k] = (A[k] + A*[N−k])/2,  H[k] = (A[k] − A*[N−k])/(2j),
//	Y[k] = X[k]·H[k] = (A[k]² − A*[N−k]²)/(4j),
//
// and the real y = IFFT_N(Y) comes from a complex IFFT of half the size
// M = N/2: with W = e^(−2πj/N), Ye[k] = (Y[k] + Y*[M−k])/2 and
// Yo[k] = (Y[k] − Y*[M−k])/(2W^k) are the spectra of y's even and odd
// samples, and IFFT_M(Ye + j·Yo) = y[2n] + j·y[2n+1]. That is 1.5 size-N
// transforms instead of three real ones. github.com/cwbudde/algo-fft's
// complex128 plans (heuristic planner, so a machine always runs the same
// kernels) are about 3× faster here than gonum's real FFT. Not safe for
// concurrent use.
type convolver struct {
	plans    map[int]*algofft.Plan[complex128]
	twiddle  map[int][]complex128 // W^k, k ≤ N/2, per N
	a, b     []complex128
	scratchY []float64
}

func (c *convolver) plan(n int) *algofft.Plan[complex128] {
	if c.plans == nil {
		c.plans = map[int]*algofft.Plan[complex128]{}
		c.twiddle = map[int][]complex128{}
	}
	p := c.plans[n]
	if p == nil {
		var err error
		if p, err = algofft.NewPlan64(n); err != nil {
			panic("synth: FFT plan: " + err.Error()) // n is a power of two: cannot fail
		}
		c.plans[n] = p
	}
	return p
}

func (c *convolver) twiddles(n int) []complex128 {
	w := c.twiddle[n]
	if w == nil {
		w = make([]complex128, n/2+1)
		for k := range w {
			s, co := math.Sincos(-2 * math.Pi * float64(k) / float64(n))
			w[k] = complex(co, s)
		}
		c.twiddle[n] = w
	}
	return w
}

// convolve returns x*h truncated to len(x) samples, written into x.
func (c *convolver) convolve(x, h []float64) {
	if len(h) == 0 || len(x) == 0 {
		return
	}
	if len(h) <= 64 { // short responses: direct form is cheaper
		c.scratchY = grow(c.scratchY, len(x))
		y := c.scratchY
		for n := range x {
			var s float64
			kmax := min(n, len(h)-1)
			for k := 0; k <= kmax; k++ {
				s += h[k] * x[n-k]
			}
			y[n] = s
		}
		copy(x, y)
		return
	}
	n := 4
	for n < len(x)+len(h)-1 {
		n <<= 1
	}
	m := n / 2
	full, half := c.plan(n), c.plan(m)
	w := c.twiddles(n)
	c.a = growC(c.a, n)
	c.b = growC(c.b, n)
	a, b := c.a, c.b
	for i := range a {
		var re, im float64
		if i < len(x) {
			re = x[i]
		}
		if i < len(h) {
			im = h[i]
		}
		a[i] = complex(re, im)
	}
	if err := full.Forward(b, a); err != nil {
		panic("synth: FFT: " + err.Error())
	}
	// Y[k] for k = 0…M into a[0…M]
	for k := 0; k <= m; k++ {
		ak, am := b[k], cmplx.Conj(b[(n-k)&(n-1)])
		d := ak*ak - am*am
		a[k] = complex(0.25*imag(d), -0.25*real(d)) // d/(4j)
	}
	// even/odd split and the half-size inverse
	z := b[:m]
	for k := 0; k < m; k++ {
		yk, ym := a[k], cmplx.Conj(a[m-k])
		ye := 0.5 * (yk + ym)
		yo := 0.5 * (yk - ym) * cmplx.Conj(w[k]) // /W^k, |W| = 1
		z[k] = ye + complex(-imag(yo), real(yo)) // ye + j·yo
	}
	if err := half.Inverse(a[:m], z); err != nil { // normalised by 1/M
		panic("synth: FFT: " + err.Error())
	}
	for i := range x {
		v := a[i>>1]
		if i&1 == 0 {
			x[i] = real(v)
		} else {
			x[i] = imag(v)
		}
	}
}

func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

func growC(s []complex128, n int) []complex128 {
	if cap(s) < n {
		return make([]complex128, n)
	}
	return s[:n]
}

// rms returns the root mean square of x.
func rms(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	var s float64
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s / float64(len(x)))
}

// activeLevel estimates the active speech level: the RMS over the loudest
// 20 ms frames that together hold 90 % of the energy. Crude next to ITU-T
// P.56 but enough to set SNRs and output levels independently of how much
// silence a file holds.
func activeLevel(x []float64) float64 {
	const frame = Rate / 50
	nf := len(x) / frame
	if nf == 0 {
		return rms(x)
	}
	e := make([]float64, nf)
	var total float64
	for i := range e {
		var s float64
		for _, v := range x[i*frame : (i+1)*frame] {
			s += v * v
		}
		e[i] = s
		total += s
	}
	sortDesc(e)
	var acc float64
	k := 0
	for k < nf && acc < 0.9*total {
		acc += e[k]
		k++
	}
	if k == 0 {
		return 0
	}
	return math.Sqrt(acc / float64(k*frame))
}

func sortDesc(e []float64) {
	slices.Sort(e)
	slices.Reverse(e)
}

func db(x float64) float64 { return math.Pow(10, x/20) }

// gauss fills x with N(0,1) samples.
func gauss(r *rand.Rand, x []float64) {
	for i := range x {
		x[i] = r.NormFloat64()
	}
}

// uniform returns a value uniformly distributed in [lo, hi).
func uniform(r *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }
