package features

import (
	"errors"
	"fmt"
	"math"
)

// LFCCParams holds the LFCC parameters beyond Config's common short-time
// fields (WindowSeconds, HopSeconds, NFFT, NumFilters, NumCeps, Deltas).
type LFCCParams struct {
	// PreEmphasis is α in y[n] = x[n] − α·x[n−1] (0.97; 0 disables it).
	PreEmphasis float64 `json:"pre_emphasis"`
	// FMin and FMax bound the linear filterbank in Hz; FMax 0 means
	// SampleRate/2.
	FMin float64 `json:"fmin_hz"`
	FMax float64 `json:"fmax_hz,omitempty"`
}

// defaultLFCC is the LFCC front-end of the ASVspoof 2019 LFCC-GMM baseline
// (Sahidullah, Kinnunen, Hanilçi, Interspeech 2015; the organisers' 2019
// package calls it with a 20 ms window, NFFT 512 and 20 filters, and the
// ASVspoof 2021 LA/DF baselines keep these settings):
// pre-emphasis 0.97; 20 ms Hamming frames every 10 ms (50 % overlap);
// |FFT₅₁₂|²; 20 triangular filters with edges equally spaced in Hz from 0
// to fs/2; log10(energy + eps); orthonormal DCT-II keeping 20 coefficients
// with c0 included (not replaced by log energy); Δ and ΔΔ over 3 frames
// (appendDeltas1): 60 dimensions.
func defaultLFCC() Config {
	return Config{Kind: LFCC, SampleRate: 16000, WindowSeconds: 0.020, HopSeconds: 0.010,
		NFFT: 512, NumFilters: 20, NumCeps: 20, Deltas: true,
		LFCC: &LFCCParams{PreEmphasis: 0.97}}
}

// lfccExtractor computes linear-frequency cepstral coefficients. Frames
// start at t·hop, t = 0, 1, …, for as long as they hold a sample not yet
// covered by the previous frame: ceil((n − (frameLen − hop)) / hop) frames
// for n samples (none when n ≤ frameLen − hop), the last one zero-padded
// (MATLAB's buffer(x, frameLen, frameLen − hop, 'nodelay'), as the
// baseline frames its input). Per frame:
//
//	e_m = Σ_k w_m(f_k)·|X[k]|²,  f_k = k·fs/NFFT,  k = 0…NFFT/2,
//	c_n = DCT-II_ortho(log10(e + eps))_n,  n = 0…NumCeps−1,
//
// where X is the NFFT-point DFT of the pre-emphasised, Hamming-windowed
// frame and w_m is the triangle rising from edge m to m+1 and falling to
// m+2 of NumFilters+2 edges equally spaced from FMin to FMax.
type lfccExtractor struct {
	frameLen, hop, nfft int
	alpha               float64
	window              []float64
	fft                 *realFFT
	fb                  filterbank
	dct                 *DCT
	deltas              bool

	emph   []float32
	frame  []float64
	spec   []complex128
	power  []float64
	energy []float64
	ceps   Matrix
}

func newLFCC(c Config) (Extractor, error) {
	p := c.LFCC
	if p == nil {
		return nil, errors.New("missing lfcc parameters")
	}
	if c.SampleRate <= 0 {
		return nil, fmt.Errorf("sample rate %d Hz is not positive", c.SampleRate)
	}
	flen := int(math.Round(c.WindowSeconds * float64(c.SampleRate)))
	hop := int(math.Round(c.HopSeconds * float64(c.SampleRate)))
	if flen < 1 || hop < 1 || hop > flen {
		return nil, fmt.Errorf("window %g s and hop %g s at %d Hz: want 1 ≤ hop ≤ window samples", c.WindowSeconds, c.HopSeconds, c.SampleRate)
	}
	if c.NFFT < flen {
		return nil, fmt.Errorf("NFFT %d is shorter than the %d-sample window", c.NFFT, flen)
	}
	fmax := p.FMax
	if fmax == 0 {
		fmax = float64(c.SampleRate) / 2
	}
	if p.FMin < 0 || fmax > float64(c.SampleRate)/2 || p.FMin >= fmax {
		return nil, fmt.Errorf("filterbank band %g–%g Hz is not inside 0–%g Hz", p.FMin, fmax, float64(c.SampleRate)/2)
	}
	if !(p.PreEmphasis >= 0 && p.PreEmphasis < 1) {
		return nil, fmt.Errorf("pre-emphasis %g is outside [0, 1)", p.PreEmphasis)
	}
	if c.NumFilters < 1 {
		return nil, fmt.Errorf("lfcc needs at least one filter, got %d", c.NumFilters)
	}
	if c.NumCeps < 1 || c.NumCeps > c.NumFilters {
		return nil, fmt.Errorf("%d cepstra from %d filters (want 1…filters)", c.NumCeps, c.NumFilters)
	}
	fft, err := newRealFFT(c.NFFT)
	if err != nil {
		return nil, err
	}
	nb := c.NFFT/2 + 1
	e := &lfccExtractor{frameLen: flen, hop: hop, nfft: c.NFFT, alpha: p.PreEmphasis,
		window: Hamming(flen), fft: fft,
		fb:  linearFilterbank(c.NumFilters, c.NFFT, c.SampleRate, p.FMin, fmax),
		dct: NewDCT(c.NumFilters, c.NumCeps), deltas: c.Deltas,
		frame: make([]float64, c.NFFT), spec: make([]complex128, nb),
		power: make([]float64, nb), energy: make([]float64, c.NumFilters)}
	for m, f := range e.fb {
		if len(f.w) == 0 {
			return nil, fmt.Errorf("linear filter %d (of %d between %g and %g Hz) covers no FFT bin at NFFT %d", m, c.NumFilters, p.FMin, fmax, c.NFFT)
		}
	}
	return e, nil
}

// linearFilterbank builds nfilt triangular filters with edges equally
// spaced in Hz from fmin to fmax, weights evaluated at the bin frequencies
// f_k = k·rate/nfft (MATLAB trimf).
func linearFilterbank(nfilt, nfft, rate int, fmin, fmax float64) filterbank {
	edges := make([]float64, nfilt+2)
	for j := range edges {
		edges[j] = fmin + float64(j)*(fmax-fmin)/float64(nfilt+1)
	}
	nb := nfft/2 + 1
	fb := make(filterbank, nfilt)
	for m := range fb {
		a, b, c := edges[m], edges[m+1], edges[m+2]
		start := -1
		var w []float64
		for k := 0; k < nb; k++ {
			f := float64(k) * float64(rate) / float64(nfft)
			var v float64
			switch {
			case f > a && f < b:
				v = (f - a) / (b - a)
			case f == b:
				v = 1
			case f > b && f < c:
				v = (c - f) / (c - b)
			}
			if v > 0 {
				if start < 0 {
					start = k
				}
				w = append(w, v)
			}
		}
		fb[m] = filter{start: max(start, 0), w: w}
	}
	return fb
}

func (e *lfccExtractor) Dim() int {
	if e.deltas {
		return 3 * e.dct.Out()
	}
	return e.dct.Out()
}

func (e *lfccExtractor) numFrames(n int) int {
	overlap := e.frameLen - e.hop
	if n <= overlap {
		return 0
	}
	return (n - overlap + e.hop - 1) / e.hop
}

func (e *lfccExtractor) Extract(dst *Matrix, x []float32) error {
	if dst == nil {
		return errors.New("lfcc: nil destination matrix")
	}
	// Pre-emphasis over the whole signal: y[0] = x[0], y[n] = x[n] − α·x[n−1].
	e.emph = cqtGrow(e.emph, len(x))
	prev := float32(0)
	a := float32(e.alpha)
	for i, v := range x {
		e.emph[i] = v - a*prev
		prev = v
	}
	nf := e.numFrames(len(x))
	out := dst
	if e.deltas {
		out = &e.ceps
	}
	out.Resize(nf, e.dct.Out())
	for t := 0; t < nf; t++ {
		windowFrame(e.frame, e.emph, t, e.hop, e.window)
		e.fft.forward(e.spec, e.frame)
		for k, c := range e.spec {
			e.power[k] = real(c)*real(c) + imag(c)*imag(c)
		}
		e.fb.apply(e.energy, e.power)
		for i, v := range e.energy {
			e.energy[i] = math.Log10(v + eps)
		}
		e.dct.Apply64(out.Row(t), e.energy)
	}
	if e.deltas {
		appendDeltas1(dst, out)
	}
	return nil
}
