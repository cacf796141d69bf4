package augment

import "math"

// The FIR design and filtering of RawBoost (Tak et al. 2022), written from
// the SciPy calls of its reference code: signal.firwin with a Hamming
// window, signal.freqz on its default 512-point grid, and the
// delay-compensated signal.lfilter of filterFIR.

// sinc is the normalised sinc, sin(πx)/(πx), as NumPy's np.sinc.
func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	y := math.Pi * x
	return math.Sin(y) / y
}

// firwin returns the taps of a linear-phase FIR filter designed by the
// window method with a symmetric Hamming window, as scipy.signal.firwin
// does for the given band edges: edges are cutoffs in Hz (ascending, in
// (0, fs/2)); passZero selects whether the first band (from 0 Hz) passes.
// With passZero the filter is scaled to unit gain at 0 Hz, otherwise at the
// centre of its first pass band (SciPy's scale=True). numtaps must be odd
// when the filter passes fs/2.
func firwin(dst []float64, numtaps int, edges []float64, fs float64, passZero bool) []float64 {
	nyq := fs / 2
	cut := make([]float64, 0, len(edges)+2)
	if passZero {
		cut = append(cut, 0)
	}
	for _, e := range edges {
		cut = append(cut, e/nyq)
	}
	if len(cut)%2 == 1 { // passes Nyquist
		cut = append(cut, 1)
	}
	h := growF(dst, numtaps)
	alpha := 0.5 * float64(numtaps-1)
	for n := range h {
		m := float64(n) - alpha
		v := 0.0
		for b := 0; b < len(cut); b += 2 {
			left, right := cut[b], cut[b+1]
			v += right * sinc(right*m)
			v -= left * sinc(left*m)
		}
		h[n] = v * hamming(n, numtaps)
	}
	// scale: unit gain at the first pass band's reference frequency.
	left, right := cut[0], cut[1]
	f := 0.0
	switch {
	case left == 0:
		f = 0
	case right == 1:
		f = 1
	default:
		f = 0.5 * (left + right)
	}
	s := 0.0
	for n, v := range h {
		s += v * math.Cos(math.Pi*(float64(n)-alpha)*f)
	}
	for n := range h {
		h[n] /= s
	}
	return h
}

// hamming is the symmetric Hamming window of length n at index i.
func hamming(i, n int) float64 {
	if n == 1 {
		return 1
	}
	return 0.54 - 0.46*math.Cos(2*math.Pi*float64(i)/float64(n-1))
}

// freqzMax returns the largest magnitude of the frequency response of the
// FIR filter b on scipy.signal.freqz's default grid: 512 frequencies
// ω = πk/512, k = 0…511. It evaluates each point directly (Horner's
// scheme); freqz itself takes an FFT, which rbState.freqzMax does (the two
// agree to rounding).
func freqzMax(b []float64) float64 {
	const n = 512
	best := 0.0
	for k := range n {
		w := math.Pi * float64(k) / n
		// H(e^{jω}) = Σ b[m] e^{−jωm} = z^{−(M−1)} Σ b[m] z^{M−1−m}, z = e^{jω}
		zr, zi := math.Cos(w), math.Sin(w)
		hr, hi := 0.0, 0.0
		for _, v := range b {
			hr, hi = hr*zr-hi*zi+v, hr*zi+hi*zr
		}
		best = math.Max(best, math.Hypot(hr, hi))
	}
	return best
}

// filterFIR filters x by the FIR b into dst (len(x)) as RawBoost's
// filterFIR does: lfilter(b, 1, x padded with N = len(b)+1 zeros), keeping
// the samples from N/2 on, which removes the filter's delay (up to one
// sample). dst must not overlap x.
func filterFIR(dst, x, b []float64) {
	m, l := len(b), len(x)
	off := (m + 1) / 2
	// y[i] = Σ_k b[k]·x[i+off−k], x zero outside [0, l).
	for i := range dst[:l] {
		lo := max(0, i+off-l+1) // k ≥ i+off−(l−1)
		hi := min(m-1, i+off)   // k ≤ i+off
		s0, s1 := 0.0, 0.0
		k := lo
		j := i + off - k
		for ; k+1 <= hi; k, j = k+2, j-2 {
			s0 += b[k] * x[j]
			s1 += b[k+1] * x[j-1]
		}
		if k <= hi {
			s0 += b[k] * x[j]
		}
		dst[i] = s0 + s1
	}
}

// growF returns s resized to n (reallocated only when its capacity is too
// small); the contents are unspecified.
func growF(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}
