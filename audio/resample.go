package audio

import (
	"fmt"
	"math"
	"sync"
)

// Resampler design. Rational-rate conversion from `from` to `to` Hz with
// L = to/g, M = from/g (g = gcd): output sample n sits at input time
// t = n·M/L and is
//
//	y[n] = Σ_j x[j] · h(t − j),  h(τ) = 2f_c · sinc(2f_c·τ) · w(τ/W),
//
// a Kaiser-windowed ideal low-pass filter (x is zero outside the signal).
// f_c, in cycles per input sample, is 0.4875·min(from, to)/from: the pass
// band runs to 0.475·min(from,to) (7.6 kHz for a 16 kHz output), the
// transition band ends at min(from,to)/2 (the output Nyquist when
// downsampling). The narrow transition matters: replay cues live in the top
// mel bands, and a 44.1 kHz copy of a 16 kHz file must give nearly the same
// features as the file itself. With the Kaiser design rules (Kaiser 1974) an
// attenuation A = 90 dB needs β = 0.1102·(A − 8.7) and a length
// N = (A − 8)/(2.285·Δω) with Δω = 2π·0.025·min/from, so the half-width is
// W = N/2 input samples; the stop band is then ≥ 80 dB with margin.
// The filter is tabulated per output phase (n·M mod L) when that table is
// small (L·2W ≤ maxTableCoefs: every common rate pair). Otherwise (a rate
// such as 44101 Hz, coprime with the output) the kernel is read from a fine
// grid of gridPerCycle points per cycle of min(from, to) with linear
// interpolation, whose error is below −100 dB of the kernel's peak
// (h″/8·Δ²), so the ≥ 80 dB stop band holds. Either way a design holds at
// most maxTableCoefs coefficients, whatever the rates.
//
// Rates outside [MinRate, MaxRate] are refused: the filter length grows with
// from/to (a 1 Hz → 16 kHz design converts 55 hours of "audio" out of 400 KB),
// and within the range the ratio is at most 96.
const (
	resampleAtten = 90.0
	passFraction  = 0.4875 // cutoff (transition centre) as a fraction of min(from, to)
	transition    = 0.025  // transition width as a fraction of min(from, to)
	maxTableCoefs = 1 << 20
	gridPerCycle  = 512
	maxDesigns    = 8 // cached rate pairs
)

// Resample converts x from `from` Hz to `to` Hz with an anti-aliasing
// windowed-sinc filter (stop band ≥ 80 dB beyond min(from,to)/2, pass band
// flat to 0.475·min(from,to)). The output has ceil(len(x)·to/from) samples.
// When the rates are equal x itself is returned. Both rates must lie in
// [MinRate, MaxRate]. Filter designs are cached per rate pair (the last few
// pairs), so converting many files at one rate pays for the design once.
func Resample(x []float32, from, to int) ([]float32, error) {
	for _, r := range []int{from, to} {
		if r < MinRate || r > MaxRate {
			return nil, fmt.Errorf("cannot resample %d Hz to %d Hz: rates must lie in %d..%d Hz", from, to, MinRate, MaxRate)
		}
	}
	if from == to || len(x) == 0 {
		return x, nil
	}
	d := designFor(from, to)
	L, M := d.L, d.M
	nOut := int((int64(len(x))*L + M - 1) / M)
	y := make([]float32, nOut)
	taps := d.taps
	var coef []float32
	if d.table == nil {
		coef = make([]float32, taps)
	}
	for n := range y {
		nm := int64(n) * M
		i := int(nm / L)
		p := int(nm % L)
		var h []float32
		if d.table != nil {
			h = d.table[p*taps : (p+1)*taps]
		} else {
			d.fill(coef, float64(p)/float64(L))
			h = coef
		}
		j0 := i - d.K + 1
		lo, hi := 0, taps
		if j0 < 0 {
			lo = -j0
		}
		if j0+taps > len(x) {
			hi = len(x) - j0
		}
		if lo < hi {
			y[n] = dot(x[j0+lo:j0+hi], h[lo:hi])
		}
	}
	return y, nil
}

// dot is Σ a[i]·b[i] with four independent accumulators, so the loop is
// bound by loads rather than by the latency of one chain of additions.
func dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// design is the polyphase filter of one rate pair; immutable once built.
type design struct {
	L, M  int64     // to/g, from/g
	K     int       // taps j ∈ [i−K+1, i+K] around i = floor(t)
	taps  int       // 2K
	table []float32 // per phase p, the taps h(p/L + K−1−m), m = 0..taps−1
	// grid[i] = h(i/perTau) for i·/perTau < W, when L is too large to
	// tabulate the phases.
	grid   []float32
	perTau float64
}

// fill writes the taps h(frac + K−1−m) of one output phase into coef,
// interpolated linearly in d.grid (h is even).
func (d *design) fill(coef []float32, frac float64) {
	g := d.grid
	last := len(g) - 1
	for m := range coef {
		a := math.Abs(frac+float64(d.K-1-m)) * d.perTau
		i := int(a)
		if i >= last {
			coef[m] = 0
			continue
		}
		f := float32(a - float64(i))
		coef[m] = g[i] + f*(g[i+1]-g[i])
	}
}

var designs struct {
	sync.Mutex
	m map[[2]int]*design
}

// designFor returns the cached design for from → to, building it on first
// use. The cache holds derived constants only (like hash/crc32's tables); it
// is emptied when it reaches maxDesigns pairs, so a process that meets many
// rates (a service) holds at most maxDesigns·maxTableCoefs coefficients.
func designFor(from, to int) *design {
	designs.Lock()
	defer designs.Unlock()
	key := [2]int{from, to}
	if d := designs.m[key]; d != nil {
		return d
	}
	if designs.m == nil || len(designs.m) >= maxDesigns {
		designs.m = make(map[[2]int]*design)
	}
	d := newDesign(from, to)
	designs.m[key] = d
	return d
}

func newDesign(from, to int) *design {
	g := gcd(from, to)
	L, M := int64(to/g), int64(from/g)
	r := float64(min(from, to)) / float64(from) // min rate in cycles per input sample
	fc := passFraction * r
	beta := 0.1102 * (resampleAtten - 8.7)
	halfW := (resampleAtten - 8) / (2.285 * 2 * math.Pi * transition * r) / 2
	K := int(math.Ceil(halfW))
	i0b := besselI0(beta)
	kernel := func(tau float64) float64 {
		if tau <= -halfW || tau >= halfW {
			return 0
		}
		u := tau / halfW
		w := besselI0(beta*math.Sqrt(1-u*u)) / i0b
		a := 2 * fc * tau
		s := 1.0
		if a != 0 {
			s = math.Sin(math.Pi*a) / (math.Pi * a)
		}
		return 2 * fc * s * w
	}
	d := &design{L: L, M: M, K: K, taps: 2 * K}
	if L*int64(d.taps) > maxTableCoefs {
		d.perTau = gridPerCycle * r
		d.grid = make([]float32, int(halfW*d.perTau)+2)
		for i := range d.grid {
			d.grid[i] = float32(kernel(float64(i) / d.perTau))
		}
	} else {
		d.table = make([]float32, int(L)*d.taps)
		for p := 0; p < int(L); p++ {
			frac := float64(p) / float64(L)
			for m := 0; m < d.taps; m++ {
				d.table[p*d.taps+m] = float32(kernel(frac + float64(K-1-m)))
			}
		}
	}
	return d
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// besselI0 is the modified Bessel function of the first kind, order 0, by its
// power series I0(x) = Σ_k ((x/2)^k / k!)², which converges quickly for the
// arguments of a Kaiser window (x ≤ β ≈ 9).
func besselI0(x float64) float64 {
	sum, term := 1.0, 1.0
	q := x * x / 4
	for k := 1; k < 200; k++ {
		term *= q / float64(k*k)
		sum += term
		if term < sum*1e-17 {
			break
		}
	}
	return sum
}
