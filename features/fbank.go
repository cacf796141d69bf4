package features

import (
	"errors"
	"fmt"
)

// stft holds the short-time analysis shared by fbank, mfcc and spec:
// framing, Hamming window, zero padding to NFFT and the power spectrum. It
// owns its buffers; not safe for concurrent use.
type stft struct {
	frameLen, hop, nfft int
	window              []float64
	fft                 *realFFT
	frame               []float64    // nfft windowed, zero-padded samples
	spec                []complex128 // nfft/2+1 bins
	power               []float64    // nfft/2+1 bins

	// Batched path: lanes frames at a time (see frameFFT).
	ffft *frameFFT
	xb   []float64 // lane-interleaved windowed frames, zero-padded to frameFFT.inputLen
	pw   []float64 // lane-interleaved power spectra, (nfft/2+1) × lanes
}

func newSTFT(c Config) (*stft, error) {
	if c.SampleRate <= 0 {
		return nil, fmt.Errorf("sample rate %d Hz is not positive", c.SampleRate)
	}
	flen := FrameSamples(c.WindowSeconds, c.SampleRate)
	hop := FrameSamples(c.HopSeconds, c.SampleRate)
	if flen < 1 {
		return nil, fmt.Errorf("window of %g s is under one sample at %d Hz", c.WindowSeconds, c.SampleRate)
	}
	if hop < 1 {
		return nil, fmt.Errorf("hop of %g s is under one sample at %d Hz", c.HopSeconds, c.SampleRate)
	}
	if c.NFFT < flen {
		return nil, fmt.Errorf("NFFT %d is shorter than the %d-sample window", c.NFFT, flen)
	}
	fft, err := newRealFFT(c.NFFT)
	if err != nil {
		return nil, err
	}
	ff, err := newFrameFFT(c.NFFT, flen)
	if err != nil {
		return nil, err
	}
	nb := c.NFFT/2 + 1
	return &stft{
		ffft: ff,
		xb:   make([]float64, ff.inputLen()),
		pw:   make([]float64, nb*lanes),

		frameLen: flen, hop: hop, nfft: c.NFFT,
		window: Hamming(flen),
		fft:    fft,
		frame:  make([]float64, c.NFFT),
		spec:   make([]complex128, nb),
		power:  make([]float64, nb),
	}, nil
}

// setKernels makes the extractor run kernel set ks (tests compare every
// set with the Go reference).
func (s *stft) setKernels(ks *kernelSet) { s.ffft.ks = ks }

// numFrames is the seed's frame count for n samples (see NumFrames).
func (s *stft) numFrames(n int) int { return NumFrames(n, s.frameLen, s.hop) }

// powerFrame leaves in s.power the power spectrum |X[k]|²/NFFT of frame t
// of x.
func (s *stft) powerFrame(x []float32, t int) {
	windowFrame(s.frame, x, t, s.hop, s.window)
	s.fft.forward(s.spec, s.frame)
	powerSpectrum(s.power, s.spec, s.nfft)
}

// powerBatch leaves in s.pw the power spectra |X[k]|²/NFFT of frames
// t0 … t0+n−1 of x (n ≤ lanes), lane-interleaved: s.pw[lanes·k + l] is bin
// k of frame t0+l. Lanes n and up hold zeros.
func (s *stft) powerBatch(x []float32, t0, n int) {
	xb := s.xb
	w := s.window
	if n == lanes && (t0+lanes-1)*s.hop+len(w) <= len(x) {
		// Common case: four whole frames, transposed into the lanes. Rows
		// len(w) and up of xb are never written nonzero.
		s.ffft.ks.window(xb, x[t0*s.hop:(t0+lanes-1)*s.hop+len(w)], w, s.hop)
		s.ffft.power(s.pw, xb)
		return
	}
	for l := 0; l < lanes; l++ {
		start := (t0 + l) * s.hop
		avail := 0
		if l < n {
			avail = min(max(len(x)-start, 0), len(w))
		}
		i := 0
		if avail > 0 {
			seg := x[start : start+avail]
			for ; i < len(seg); i++ {
				xb[i*lanes+l] = float64(seg[i]) * w[i]
			}
		}
		for ; i < len(xb)/lanes; i++ {
			xb[i*lanes+l] = 0
		}
	}
	s.ffft.power(s.pw, xb)
}

// windowLanesGo is windowLanes in Go: four whole frames, transposed into
// the lanes and windowed.
func windowLanesGo(xb []float64, x []float32, w []float64, hop int) {
	x0 := x[:len(w)]
	x1 := x[hop : hop+len(w)]
	x2 := x[2*hop : 2*hop+len(w)]
	x3 := x[3*hop : 3*hop+len(w)]
	for i, wi := range w {
		o := xb[i*lanes : i*lanes+lanes : i*lanes+lanes]
		o[0] = float64(x0[i]) * wi
		o[1] = float64(x1[i]) * wi
		o[2] = float64(x2[i]) * wi
		o[3] = float64(x3[i]) * wi
	}
}

// fbank is the seed's log10 mel filterbank extractor (DESIGN §3).
type fbank struct {
	*stft
	fb     filterbank
	lf     *laneFilters
	energy []float64 // lane-interleaved filter energies
	logE   []float32 // their logarithms
}

func newFbank(c Config) (*fbank, error) {
	if c.NumFilters < 1 {
		return nil, fmt.Errorf("fbank needs at least one filter, got %d", c.NumFilters)
	}
	s, err := newSTFT(c)
	if err != nil {
		return nil, err
	}
	fb := melFilterbank(c.NumFilters, c.NFFT, c.SampleRate)
	return &fbank{stft: s, fb: fb, lf: fb.lanes(), energy: make([]float64, c.NumFilters*lanes), logE: make([]float32, c.NumFilters*lanes)}, nil
}

func (f *fbank) Dim() int { return len(f.fb) }

// Extract computes, for each frame t, log10 of the mel filterbank energies
// of the frame's power spectrum, exact zeros replaced by float64 eps.
func (f *fbank) Extract(dst *Matrix, x []float32) error {
	if dst == nil {
		return errors.New("fbank: nil destination matrix")
	}
	n := f.numFrames(len(x))
	dst.Resize(n, len(f.fb))
	for t := 0; t < n; t += lanes {
		nb := min(lanes, n-t)
		f.powerBatch(x, t, nb)
		f.ffft.ks.filter(f.lf, f.energy, f.pw)
		f.ffft.ks.log10(f.logE, f.energy)
		for l := 0; l < nb; l++ {
			row := dst.Row(t + l)
			for m := range row {
				row[m] = f.logE[m*lanes+l]
			}
		}
	}
	return nil
}
