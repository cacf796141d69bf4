package augment

import (
	"math"
	"math/cmplx"
	"math/rand/v2"

	algofft "github.com/cwbudde/algo-fft"
)

// RawBoost holds the parameters of RawBoost (Tak, Kamble, Patino, Todisco,
// Evans: "RawBoost: a raw data boosting and augmentation method applied to
// automatic speaker verification anti-spoofing", ICASSP 2022). Frequencies
// are in Hz, gains in dB.
type RawBoost struct {
	// Notch filters of LnL and SSI: NBands band-stop FIRs in series, each
	// centred at U(MinF, MaxF) with bandwidth U(MinBW, MaxBW) and
	// int(U(MinCoeff, MaxCoeff)) taps (made odd); gain U(MinG, MaxG).
	NBands             int
	MinF, MaxF         float64
	MinBW, MaxBW       float64
	MinCoeff, MaxCoeff int
	MinG, MaxG         float64
	// LnL: NF terms (powers 1…NF of the signal); the non-linear terms'
	// gains are lowered by U(MinBiasLinNonLin, MaxBiasLinNonLin) dB.
	MinBiasLinNonLin, MaxBiasLinNonLin float64
	NF                                 int
	// ISD: up to P % of the samples get impulsive noise of gain GSD.
	P   float64
	GSD float64
	// SSI: coloured noise at an SNR of U(SNRMin, SNRMax) dB.
	SNRMin, SNRMax float64
}

// DefaultRawBoost are the published defaults (the reference code's
// argument defaults).
func DefaultRawBoost() RawBoost {
	return RawBoost{
		NBands: 5, MinF: 20, MaxF: 8000, MinBW: 100, MaxBW: 1000,
		MinCoeff: 10, MaxCoeff: 100, MinG: 0, MaxG: 0,
		MinBiasLinNonLin: 5, MaxBiasLinNonLin: 20, NF: 5,
		P: 10, GSD: 2,
		SNRMin: 10, SNRMax: 40,
	}
}

// RawBoost algorithms, numbered as in the reference code's --algo option.
const (
	AlgoLnL         = 1 // linear and non-linear convolutive noise
	AlgoISD         = 2 // impulsive signal-dependent noise
	AlgoSSI         = 3 // stationary signal-independent (coloured) noise
	AlgoSeries123   = 4 // LnL → ISD → SSI
	AlgoSeries12    = 5 // LnL → ISD
	AlgoSeries13    = 6 // LnL → SSI
	AlgoSeries23    = 7 // ISD → SSI
	AlgoParallel12  = 8 // normWav(LnL(x) + ISD(x))
	numRawBoostAlgo = 8
)

// rbState is the scratch memory of RawBoost in one goroutine.
type rbState struct {
	b, band, conv    []float64 // filter design
	y, pow, tmp, par []float64 // signals
	perm             []int
	filters, store   [][]float64 // LnL's NF filters
	fft              fftSum
	fzPlan           *algofft.Plan[complex128]
	fzIn, fzOut      []complex128
}

// uniformRange is NumPy's uniform(low, high): low + (high−low)·U[0, 1),
// also when low > high (RawBoost draws the non-linear gains that way).
func uniformRange(r *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }

// notch designs RawBoost's genNotchCoeffs filter into s.b: NBands
// band-stop FIRs convolved together, scaled to a peak gain of U(minG, maxG)
// dB over freqz's grid.
func (s *rbState) notch(r *rand.Rand, p *RawBoost, minG, maxG, fs float64) []float64 {
	s.b = append(s.b[:0], 1)
	for range p.NBands {
		fc := uniformRange(r, p.MinF, p.MaxF)
		bw := uniformRange(r, p.MinBW, p.MaxBW)
		c := int(uniformRange(r, float64(p.MinCoeff), float64(p.MaxCoeff)))
		if c%2 == 0 {
			c++
		}
		f1, f2 := fc-bw/2, fc+bw/2
		if f1 <= 0 {
			f1 = 1.0 / 1000
		}
		if f2 >= fs/2 {
			f2 = fs/2 - 1.0/1000
		}
		s.band = firwin(s.band, c, []float64{f1, f2}, fs, true)
		s.conv = growF(s.conv, len(s.b)+len(s.band)-1)
		clear(s.conv)
		for i, u := range s.band {
			for j, v := range s.b {
				s.conv[i+j] += u * v
			}
		}
		s.b, s.conv = s.conv, s.b
	}
	g := uniformRange(r, minG, maxG)
	scale := math.Pow(10, g/20) / s.freqzMax(s.b)
	for i := range s.b {
		s.b[i] *= scale
	}
	return s.b
}

// freqzMax is freqzMax computed as scipy.signal.freqz computes it for
// filters shorter than its FFT: the first 512 bins of a 1024-point FFT of
// b, folded (b is wrapped modulo 1024 when longer, which leaves the values
// at the grid frequencies unchanged).
func (s *rbState) freqzMax(b []float64) float64 {
	const n = 1024
	if s.fzPlan == nil {
		p, err := algofft.NewPlan64(n)
		if err != nil {
			panic("augment: FFT plan: " + err.Error())
		}
		s.fzPlan = p
	}
	s.fzIn = growC(s.fzIn, n)
	s.fzOut = growC(s.fzOut, n)
	clear(s.fzIn)
	for i, v := range b {
		s.fzIn[i%n] += complex(v, 0)
	}
	if err := s.fzPlan.Forward(s.fzOut, s.fzIn); err != nil {
		panic("augment: FFT: " + err.Error())
	}
	best := 0.0
	for _, v := range s.fzOut[:n/2] {
		best = math.Max(best, cmplx.Abs(v))
	}
	return best
}

// normWav divides x by its peak magnitude when always is set or the peak
// exceeds 1 (RawBoost's normWav).
func normWav(x []float64, always bool) {
	peak := level(x)
	if peak == 0 || (!always && peak <= 1) {
		return
	}
	for i := range x {
		x[i] /= peak
	}
}

// lnl applies LnL convolutive noise to x into dst (len(x)).
func (s *rbState) lnl(r *rand.Rand, p *RawBoost, dst, x []float64, fs float64) {
	s.pow = growF(s.pow, len(x))
	copy(s.pow, x)
	// Design the NF filters first (in the reference's draw order), then
	// filter the powers of x and sum.
	minG, maxG := p.MinG, p.MaxG
	s.filters = s.filters[:0]
	maxTaps := 0
	for i := range p.NF {
		if i == 1 {
			minG -= p.MinBiasLinNonLin
			maxG -= p.MaxBiasLinNonLin
		}
		b := s.notch(r, p, minG, maxG, fs)
		if i >= len(s.store) {
			s.store = append(s.store, nil)
		}
		s.store[i] = append(s.store[i][:0], b...)
		s.filters = append(s.filters, s.store[i])
		maxTaps = max(maxTaps, len(b))
	}
	if useFFT(len(x), maxTaps) {
		s.fft.begin(len(x), maxTaps)
	} else {
		clear(dst)
		s.tmp = growF(s.tmp, len(x))
	}
	for i, b := range s.filters {
		if i > 0 {
			for k, v := range x {
				s.pow[k] *= v // x^(i+1)
			}
		}
		if useFFT(len(x), maxTaps) {
			s.fft.add(s.pow, b)
			continue
		}
		filterFIR(s.tmp, s.pow, b)
		for k, v := range s.tmp {
			dst[k] += v
		}
	}
	if useFFT(len(x), maxTaps) {
		s.fft.end(dst)
	}
	mean := 0.0
	for _, v := range dst {
		mean += v
	}
	mean /= float64(len(dst))
	for k := range dst {
		dst[k] -= mean
	}
	normWav(dst, false)
}

// useFFT reports whether filtering l samples with taps-tap filters is
// cheaper by FFT than in direct form.
func useFFT(l, taps int) bool { return taps > 48 && l > 2*taps }

// filter is filterFIR(dst, x, b) by the cheaper method.
func (s *rbState) filter(dst, x, b []float64) {
	if !useFFT(len(x), len(b)) {
		filterFIR(dst, x, b)
		return
	}
	s.fft.begin(len(x), len(b))
	s.fft.add(x, b)
	s.fft.end(dst)
}

// isd applies impulsive signal-dependent noise to x in place: a random
// fraction U(0, P) % of the samples, chosen without repetition, get
// x ← x + GSD·x·(2U−1)(2U'−1).
func (s *rbState) isd(r *rand.Rand, p *RawBoost, x []float64) {
	beta := uniformRange(r, 0, p.P)
	n := int(float64(len(x)) * (beta / 100))
	if cap(s.perm) < len(x) {
		s.perm = make([]int, len(x))
	}
	perm := s.perm[:len(x)]
	for i := range perm {
		perm[i] = i
	}
	// partial Fisher–Yates: the first n entries are a uniform sample
	for i := range n {
		j := i + r.IntN(len(x)-i)
		perm[i], perm[j] = perm[j], perm[i]
	}
	for _, k := range perm[:n] {
		f := (2*r.Float64() - 1) * (2*r.Float64() - 1)
		x[k] += p.GSD * x[k] * f
	}
	normWav(x, false)
}

// ssi adds stationary coloured noise to x in place at an SNR of
// U(SNRMin, SNRMax) dB (by energy over the whole signal).
func (s *rbState) ssi(r *rand.Rand, p *RawBoost, x []float64, fs float64) {
	s.y = growF(s.y, len(x))
	s.tmp = growF(s.tmp, len(x))
	for i := range s.y {
		s.y[i] = r.NormFloat64()
	}
	b := s.notch(r, p, p.MinG, p.MaxG, fs)
	s.filter(s.tmp, s.y, b)
	noise := s.tmp
	normWav(noise, true)
	snr := uniformRange(r, p.SNRMin, p.SNRMax)
	nx, nn := norm2(x), norm2(noise)
	if nn == 0 {
		return
	}
	g := nx / math.Pow(10, 0.05*snr) / nn
	for i := range x {
		x[i] += g * noise[i]
	}
}

func norm2(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s)
}

// apply runs RawBoost algorithm algo (1–8) on x in place.
func (s *rbState) apply(r *rand.Rand, p *RawBoost, algo int, x []float64, fs float64) {
	lnl := func() {
		s.par = growF(s.par, len(x))
		s.lnl(r, p, s.par, x, fs)
		copy(x, s.par)
	}
	switch algo {
	case AlgoLnL:
		lnl()
	case AlgoISD:
		s.isd(r, p, x)
	case AlgoSSI:
		s.ssi(r, p, x, fs)
	case AlgoSeries123:
		lnl()
		s.isd(r, p, x)
		s.ssi(r, p, x, fs)
	case AlgoSeries12:
		lnl()
		s.isd(r, p, x)
	case AlgoSeries13:
		lnl()
		s.ssi(r, p, x, fs)
	case AlgoSeries23:
		s.isd(r, p, x)
		s.ssi(r, p, x, fs)
	case AlgoParallel12:
		s.par = growF(s.par, len(x))
		s.lnl(r, p, s.par, x, fs) // LnL of the original
		s.isd(r, p, x)            // ISD of the original, in place
		for i := range x {
			x[i] += s.par[i]
		}
		normWav(x, false)
	}
}
