package features

import (
	"fmt"
	"math"
	"math/bits"
)

// cqt is a constant-Q transform computed as a nonstationary Gabor transform
// in the frequency domain (Velasco, Holighaus, Dörfler, Grill, "Constructing
// an invertible constant-Q transform with non-stationary Gabor frames",
// DAFx 2011; Schörkhuber, Klapuri, Holighaus, Dörfler, AES 53rd Conf. 2014),
// the family of CQT used by the CQCC paper. Written here from those papers;
// no CQT/CQCC code was ported.
//
// Bins k = 0…K−1, K = B·octaves, have centre frequencies and bandwidths
//
//	f_k = fmin·2^(k/B),   b_k = f_k / Q,   Q = 1 / (2^(1/B) − 1),
//
// so Q = f_k/b_k is the same for every bin. With X the DFT of the signal
// zero-padded to L samples, bin k's coefficient at time t is the signal
// band-pass filtered by a Hann window in frequency,
//
//	c_k(t) = (2/L) Σ_j X[j]·g_k(f_j)·e^{2πi·j·t/L},   f_j = j·fs/L,
//	g_k(f) = ½(1 + cos(π(f − f_k)/b_k)) for |f − f_k| < b_k, else 0,
//
// so that a sinusoid of amplitude A at f_k gives |c_k| = A, and the full
// width at half amplitude of every bin is b_k. Because g_k has support of
// 2·b_k Hz, c_k(t) is band-limited and its samples every hop samples are
// obtained exactly from an M-point inverse FFT of the windowed band shifted
// to baseband, where L = M·hop, as long as fs/hop ≥ 2·b_k for the widest
// (top) bin: one real FFT of the whole signal and K short inverse FFTs
// (M ≈ frames), instead of K long convolutions. All bins are sampled on the
// same frame grid ("full rasterisation"): frame m is centred at sample m·hop.
//
// The transform is circular over the padded length L (as any DFT-based
// CQT); the windows of the lowest bins, Q/f_k seconds long (≈ 9 s at
// 15.6 Hz), wrap around for short signals. On the DFT grid a window
// narrower than minGridHalfWidth grid steps is widened to that half-width,
// so every bin sees at least three DFT points; for the lowest bins of short
// signals the bandwidth is then set by the signal length, not by Q.
type cqt struct {
	ks       *kernelSet // its logPowers takes the log of each bin's powers
	fs, hop  int
	binsOct  int
	k        int
	fmin     float64
	q        float64
	freqs    []float64 // f_k
	halfBW   []float64 // b_k
	byLength map[int]*cqtPlan

	// Scratch, grown as needed.
	x      []float64
	spec   []complex128
	re, im []float32 // one band, bit-reversed, then its M coefficients
}

// minGridHalfWidth is the smallest window half-width in DFT grid steps.
const minGridHalfWidth = 2

// cqtPlan holds what depends on the padded length L = m·hop: the FFT plans
// and each bin's window sampled on the DFT grid.
type cqtPlan struct {
	l, m   int
	fft    *realFFT
	synth  *synth
	start  []int       // first DFT index of bin k's window
	centre []int       // DFT index shifted to baseband (q = 0)
	w      [][]float32 // window values from start on
}

func newCQT(fs, hop, binsOct, octaves int, fmax float64) (*cqt, error) {
	if fs <= 0 {
		return nil, fmt.Errorf("sample rate %d Hz is not positive", fs)
	}
	if binsOct < 1 || octaves < 1 {
		return nil, fmt.Errorf("need at least one bin per octave and one octave, got %d and %d", binsOct, octaves)
	}
	if hop < 1 || hop&(hop-1) != 0 {
		return nil, fmt.Errorf("CQT hop of %d samples is not a power of two", hop)
	}
	if !(fmax > 0) || fmax > float64(fs)/2 {
		return nil, fmt.Errorf("CQT fmax %g Hz is outside (0, %g]", fmax, float64(fs)/2)
	}
	c := &cqt{ks: defaultKernels, fs: fs, hop: hop, binsOct: binsOct, k: binsOct * octaves,
		fmin: fmax / math.Exp2(float64(octaves)), byLength: map[int]*cqtPlan{}}
	c.q = 1 / (math.Exp2(1/float64(binsOct)) - 1)
	c.freqs = make([]float64, c.k)
	c.halfBW = make([]float64, c.k)
	for k := range c.freqs {
		c.freqs[k] = c.fmin * math.Exp2(float64(k)/float64(binsOct))
		c.halfBW[k] = c.freqs[k] / c.q
	}
	top := c.k - 1
	if 2*c.halfBW[top] > float64(fs)/float64(hop) {
		return nil, fmt.Errorf("CQT hop of %d samples samples the top bin (%.0f Hz wide) below its bandwidth: frame rate %g Hz < %.1f Hz",
			hop, 2*c.halfBW[top], float64(fs)/float64(hop), 2*c.halfBW[top])
	}
	return c, nil
}

// numFrames is ceil(n/hop): frames centred at 0, hop, 2·hop, … covering
// every sample.
func (c *cqt) numFrames(n int) int { return (n + c.hop - 1) / c.hop }

// plan returns the plan for nframes frames: M = the next power of two
// ≥ max(nframes, 8), L = M·hop.
func (c *cqt) plan(nframes int) (*cqtPlan, error) {
	m := max(8, 1<<bits.Len(uint(nframes-1)))
	if p, ok := c.byLength[m]; ok {
		return p, nil
	}
	l := m * c.hop
	fft, err := newRealFFT(l)
	if err != nil {
		return nil, err
	}
	p := &cqtPlan{l: l, m: m, fft: fft, synth: newSynth(m),
		start: make([]int, c.k), centre: make([]int, c.k), w: make([][]float32, c.k)}
	df := float64(c.fs) / float64(l) // DFT grid step, Hz
	nyq := l / 2
	for k := 0; k < c.k; k++ {
		fk := c.freqs[k]
		b := max(c.halfBW[k], minGridHalfWidth*df)
		lo := max(0, int(math.Floor((fk-b)/df))+1)
		hi := min(nyq, int(math.Ceil((fk+b)/df))-1)
		p.start[k] = lo
		p.centre[k] = int(math.Round(fk / df))
		w := make([]float32, max(0, hi-lo+1))
		for i := range w {
			f := float64(lo+i) * df
			w[i] = float32(0.5 * (1 + math.Cos(math.Pi*(f-fk)/b)))
		}
		p.w[k] = w
	}
	c.byLength[m] = p
	return p, nil
}

// logPower sets dst (K × nframes, bin-major: dst[k*nframes+m]) to
// ln(|c_k(m·hop)|² + eps) for the nframes frames of x and returns nframes.
// Bin-major, each bin's inverse FFT writes one contiguous row (frame-major
// scattered it at a stride of K floats, a cache line per value), and the
// cepstral projection reads eight frames of a bin with one load.
func (c *cqt) logPower(dst []float32, x []float32) ([]float32, int, error) {
	nf := c.numFrames(len(x))
	if nf == 0 {
		return dst[:0], 0, nil
	}
	p, err := c.plan(nf)
	if err != nil {
		return nil, 0, err
	}
	c.x = cqtGrow(c.x, p.l)
	for i, v := range x {
		c.x[i] = float64(v)
	}
	clear(c.x[len(x):])
	c.spec = cqtGrow(c.spec, p.l/2+1)
	p.fft.forward(c.spec, c.x)
	c.re = cqtGrow(c.re, p.m)
	c.im = cqtGrow(c.im, p.m)
	if cap(dst) < c.k*nf {
		dst = make([]float32, c.k*nf)
	}
	dst = dst[:c.k*nf]
	// |c_k(m·hop)| = (2/L)·|Σ_q Y[q] e^{2πi·q·m/M}|: scale² = 4/L².
	scale2 := 4 / float64(p.l) / float64(p.l)
	rev := p.synth.rev
	for k := 0; k < c.k; k++ {
		clear(c.re)
		clear(c.im)
		w := p.w[k]
		s := c.spec[p.start[k] : p.start[k]+len(w)]
		base := p.start[k] - p.centre[k]
		for i, g := range w {
			q := (base + i) & (p.m - 1) // (j − centre) mod M
			v := s[i]
			r := rev[q]
			c.re[r], c.im[r] = float32(real(v))*g, float32(imag(v))*g
		}
		p.synth.run(c.re, c.im)
		c.ks.logPowers(dst[k*nf:(k+1)*nf], c.re[:nf], c.im[:nf], scale2)
	}
	return dst, nf, nil
}

// cqtGrow returns s resized to n, reallocated only when too small.
func cqtGrow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// logPowers sets dst[m] = ln(scale·(re[m]² + im[m]²) + eps) for every m, with
// an absolute error below 1e-9 before rounding to float32, about three times
// faster than math.Log: x = m·2^e with m ∈ [√½, √2) (a branch-free
// reduction, as in musl's log: offsetting the bits by 1 − √½ carries into
// the exponent exactly when the mantissa is ≥ √2), and ln m = u·P(u),
// u = m − 1, P of degree 9 fitted (least squares on Chebyshev nodes; max
// error 9e-10) to ln(1+u) on [√½ − 1, √2 − 1]. x ≥ eps is always normal.
func logPowers(dst []float32, re, im []float32, scale float64) {
	const sqrtHalf = 0x3fe6a09e667f3bcd
	im = im[:len(re)]
	c := &logPowerPoly
	for m, r32 := range re {
		r, i := float64(r32), float64(im[m])
		x := float64(float64(float64(r*r)+float64(i*i))*scale) + eps
		ix := math.Float64bits(x) + (0x3ff0000000000000 - sqrtHalf)
		e := float64(int64(ix>>52) - 1023)
		u := math.Float64frombits(ix&(1<<52-1)+sqrtHalf) - 1
		p := c[0]
		p = float64(p*u) + c[1]
		p = float64(p*u) + c[2]
		p = float64(p*u) + c[3]
		p = float64(p*u) + c[4]
		p = float64(p*u) + c[5]
		p = float64(p*u) + c[6]
		p = float64(p*u) + c[7]
		p = float64(p*u) + c[8]
		p = float64(p*u) + c[9]
		dst[m] = float32(float64(e*math.Ln2) + float64(u*p))
	}
}

// logPowerPoly is P of logPowers, highest degree first. The float64
// conversions in logPowers round each product before the following sum, so
// that no build fuses them into a multiply-add and the assembly kernel,
// which does not either, gives bit-identical results.
var logPowerPoly = [10]float64{
	-0.07381923933636023, 0.12928394613770414, -0.13369948299063444, 0.14187371376088453, -0.16591602221412388,
	0.20000856361878122, -0.2500246046222483, 0.3333337125827927, -0.49999974803889186, 0.9999999961443458,
}

// synth is an unnormalised inverse DFT of a power-of-two size n, in place on
// split real and imaginary float32 arrays that hold the input in
// bit-reversed order:
//
//	x[m] = Σ_{q<n} X[q]·e^{+2πi·q·m/n}
//
// by iterative radix-2 decimation in time. The CQT runs one per bin and
// frame block, and the caller writes each band straight into bit-reversed
// positions, so no permutation pass is needed. It replaces algo-fft's
// complex64 plan here because that plan's size-512 codelet (pure Go complex
// arithmetic plus scratch copies) took over half of the CQCC time; split
// arrays with per-stage contiguous twiddles run about twice as fast.
type synth struct {
	ks       *kernelSet // its synthStage runs the stages of 8 or more
	n        int
	rev      []int32   // rev[q]: bit reversal of q over log2(n) bits
	twr, twi []float32 // stage with half-size h: e^{+2πi·j/(2h)} at h−1+j
}

func newSynth(n int) *synth {
	s := &synth{ks: defaultKernels, n: n, rev: make([]int32, n), twr: make([]float32, max(1, n-1)), twi: make([]float32, max(1, n-1))}
	bitsN := bits.Len(uint(n)) - 1
	for q := range s.rev {
		s.rev[q] = int32(bits.Reverse(uint(q)) >> (bits.UintSize - bitsN))
	}
	if n == 1 {
		s.rev[0] = 0
	}
	for h := 1; h < n; h *= 2 {
		for j := 0; j < h; j++ {
			a := math.Pi * float64(j) / float64(h)
			s.twr[h-1+j] = float32(math.Cos(a))
			s.twi[h-1+j] = float32(math.Sin(a))
		}
	}
	return s
}

// synthStageGo is one radix-2 stage of synth.run, of half-size h (a power
// of two ≥ 4) over every block of 2h values: with w_j = wr[j] + i·wi[j],
//
//	a, b = v[s+j], v[s+j+h];  t = w_j·b;  v[s+j] = a + t;  v[s+j+h] = a − t.
//
// The float32 conversions round each product before the sum, so that no
// build fuses them into a multiply-add: the assembly kernels, which do not
// either, then give bit-identical results.
func synthStageGo(re, im, wr, wi []float32, h int) {
	for a := 0; a+2*h <= len(re); a += 2 * h {
		ra, ia := re[a:a+h], im[a:a+h]
		rb, ib := re[a+h:a+2*h], im[a+h:a+2*h]
		for j := range ra {
			c, d := wr[j], wi[j]
			tr := float32(c*rb[j]) - float32(d*ib[j])
			ti := float32(c*ib[j]) + float32(d*rb[j])
			r, i := ra[j], ia[j]
			ra[j], ia[j] = r+tr, i+ti
			rb[j], ib[j] = r-tr, i-ti
		}
	}
}

func (s *synth) run(re, im []float32) {
	n := s.n
	re, im = re[:n], im[:n]
	// Sizes 2 and 4: twiddles 1 and i.
	for a := 0; a+1 < n; a += 2 {
		r0, i0, r1, i1 := re[a], im[a], re[a+1], im[a+1]
		re[a], im[a], re[a+1], im[a+1] = r0+r1, i0+i1, r0-r1, i0-i1
	}
	if n >= 4 {
		for a := 0; a < n; a += 4 {
			r0, i0, r1, i1 := re[a], im[a], re[a+1], im[a+1]
			r2, i2, r3, i3 := re[a+2], im[a+2], re[a+3], im[a+3]
			// (r3, i3)·i = (−i3, r3)
			re[a], im[a], re[a+2], im[a+2] = r0+r2, i0+i2, r0-r2, i0-i2
			re[a+1], im[a+1], re[a+3], im[a+3] = r1-i3, i1+r3, r1+i3, i1-r3
		}
	}
	for h := 4; h < n; h *= 2 {
		wr, wi := s.twr[h-1:2*h-1], s.twi[h-1:2*h-1]
		if h%8 == 0 {
			s.ks.synthStage(re, im, wr, wi, h)
		} else {
			synthStageGo(re, im, wr, wi, h)
		}
	}
}
