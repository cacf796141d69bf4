package features

import "math"

// This file holds the short-time analysis steps shared by fbank, mfcc and
// spec, each a small function with its maths, in the order they are applied.

// NumFrames is the seed's frame count for n samples, frames of frameLen
// samples and a hop of hop samples (DESIGN §3):
//
//	nframes = ceil(|n − frameLen| / hop)
//
// (so exactly frameLen samples give 0 frames and frameLen+1 give 1). It is
// not the usual 1 + floor((n − frameLen)/hop); it is kept for bit-exactness
// with the seed.
func NumFrames(n, frameLen, hop int) int {
	d := n - frameLen
	if d < 0 {
		d = -d
	}
	return (d + hop - 1) / hop
}

// FrameSamples rounds a duration in seconds to samples at rate Hz, as the
// seed does (Python's round: half to even).
func FrameSamples(seconds float64, rate int) int {
	return int(math.RoundToEven(seconds * float64(rate)))
}

// Hamming returns the symmetric Hamming window of length n (numpy.hamming):
//
//	w[i] = 0.54 − 0.46·cos(2πi/(n−1)),  i = 0…n−1,
//
// with w = [1] for n = 1.
func Hamming(n int) []float64 {
	w := make([]float64, n)
	if n == 1 {
		w[0] = 1
		return w
	}
	for i := range w {
		w[i] = 0.54 - 0.46*math.Cos(2*math.Pi*float64(i)/float64(n-1))
	}
	return w
}

// windowFrame writes frame t of x, multiplied by the window w, into
// dst[:len(w)] and zeros dst[len(w):]:
//
//	dst[i] = x[t·hop + i]·w[i]  (x taken as 0 beyond its end).
//
// This is the seed's zero padding of the signal to nframes·hop + frameLen
// samples followed by its zero padding of each frame to NFFT points.
func windowFrame(dst []float64, x []float32, t, hop int, w []float64) {
	start := t * hop
	n := len(w)
	avail := len(x) - start
	if avail > n {
		avail = n
	}
	if avail < 0 {
		avail = 0
	}
	seg := x[start : start+avail]
	for i, v := range seg {
		dst[i] = float64(v) * w[i]
	}
	clear(dst[avail:])
}

// powerSpectrum sets p[k] = |X[k]|² / nfft for the half spectrum X[0…nfft/2]
// (the seed's "periodogram" scaling, without the usual 1/frameLen).
func powerSpectrum(p []float64, X []complex128, nfft int) {
	s := 1 / float64(nfft)
	X = X[:len(p)]
	for k, c := range X {
		re, im := real(c), imag(c)
		p[k] = (re*re + im*im) * s
	}
}

// Mel converts Hz to mel: mel(f) = 2595·log10(1 + f/700).
func Mel(f float64) float64 { return 2595 * math.Log10(1+f/700) }

// MelToHz is the inverse of Mel: f = 700·(10^(m/2595) − 1).
func MelToHz(m float64) float64 { return 700 * (math.Pow(10, m/2595) - 1) }

// filter is one triangular filter stored sparsely: weights w for the FFT
// bins start, start+1, …, start+len(w)−1; all other weights are zero.
type filter struct {
	start int
	w     []float64
}

// filterbank is a set of sparse triangular filters on the bins of the half
// spectrum.
type filterbank []filter

// melFilterbank builds the seed's nfilt triangular filters for an nfft-point
// spectrum at rate Hz. The filter edges are nfilt+2 points equally spaced on
// the mel scale from mel(0) to mel(rate/2), mapped to bins
//
//	b[j] = floor((nfft + 1)·hz[j] / rate),
//
// and filter m (1…nfilt) has weights
//
//	(k − b[m−1]) / (b[m] − b[m−1])  for b[m−1] ≤ k < b[m],
//	(b[m+1] − k) / (b[m+1] − b[m])  for b[m] ≤ k < b[m+1].
//
// The weight at k = b[m−1] is zero, so the stored range starts one bin
// later; weights are never multiplied for bins outside the triangle.
func melFilterbank(nfilt, nfft, rate int) filterbank {
	hi := Mel(float64(rate) / 2)
	edges := make([]float64, nfilt+2)
	for j := range edges {
		// numpy.linspace(0, hi, nfilt+2): j·step, with the last point exact.
		m := float64(j) * (hi / float64(nfilt+1))
		if j == nfilt+1 {
			m = hi
		}
		edges[j] = math.Floor(float64(nfft+1) * MelToHz(m) / float64(rate))
	}
	return triangles(edges, nfft/2+1)
}

// triangles builds triangular filters on bin edges (see melFilterbank),
// clipped to nbins bins.
func triangles(b []float64, nbins int) filterbank {
	fb := make(filterbank, len(b)-2)
	for m := 1; m < len(b)-1; m++ {
		lo, c, hi := int(b[m-1]), int(b[m]), int(b[m+1])
		var w []float64
		start := lo + 1
		for k := lo; k < c; k++ {
			v := (float64(k) - b[m-1]) / (b[m] - b[m-1])
			if k == lo {
				continue // weight 0
			}
			w = append(w, v)
		}
		if c <= lo {
			start = c
		}
		for k := c; k < hi; k++ {
			w = append(w, (b[m+1]-float64(k))/(b[m+1]-b[m]))
		}
		if start < 0 {
			w, start = w[-start:], 0
		}
		if start+len(w) > nbins {
			w = w[:max(0, nbins-start)]
		}
		fb[m-1] = filter{start: start, w: w}
	}
	return fb
}

// apply sets e[m] = Σ_k w_m[k]·p[k] over filter m's nonzero weights.
func (fb filterbank) apply(e, p []float64) {
	for m, f := range fb {
		var s float64
		ps := p[f.start : f.start+len(f.w)]
		for i, w := range f.w {
			s += w * ps[i]
		}
		e[m] = s
	}
}

// laneFilters is a filterbank flattened for lane-interleaved data: filter
// m has weights w[o_m : o_m+n[m]] on bins start[m]…, o_m = Σ_{j<m} n[j].
type laneFilters struct {
	w        []float64
	start, n []int
}

func (fb filterbank) lanes() *laneFilters {
	lf := &laneFilters{start: make([]int, len(fb)), n: make([]int, len(fb))}
	for m, f := range fb {
		lf.start[m], lf.n[m] = f.start, len(f.w)
		lf.w = append(lf.w, f.w...)
	}
	return lf
}

// applyGo sets e[lanes·m + l] = Σ_k w_m[k]·p[lanes·k + l] for each of the
// lanes frames.
func (f *laneFilters) applyGo(e, p []float64) {
	w := f.w
	for m, start := range f.start {
		var s0, s1, s2, s3 float64
		ps := p[start*lanes : (start+f.n[m])*lanes]
		for i, wi := range w[:f.n[m]] {
			q := ps[i*lanes : i*lanes+lanes : i*lanes+lanes]
			s0 += wi * q[0]
			s1 += wi * q[1]
			s2 += wi * q[2]
			s3 += wi * q[3]
		}
		w = w[f.n[m]:]
		o := e[m*lanes : m*lanes+lanes : m*lanes+lanes]
		o[0], o[1], o[2], o[3] = s0, s1, s2, s3
	}
}

// eps is float64 machine epsilon (numpy.finfo(float).eps), which the seed
// substitutes for exact zeros before taking logarithms.
const eps = 0x1p-52

// log10Floor sets dst[i] = log10(e[i]), with exact zeros replaced by eps.
func log10Floor(dst []float32, e []float64) {
	for i, v := range e {
		if v == 0 {
			v = eps
		}
		dst[i] = float32(math.Log10(v))
	}
}
