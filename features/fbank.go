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
	nb := c.NFFT/2 + 1
	return &stft{
		frameLen: flen, hop: hop, nfft: c.NFFT,
		window: Hamming(flen),
		fft:    fft,
		frame:  make([]float64, c.NFFT),
		spec:   make([]complex128, nb),
		power:  make([]float64, nb),
	}, nil
}

// numFrames is the seed's frame count for n samples (see NumFrames).
func (s *stft) numFrames(n int) int { return NumFrames(n, s.frameLen, s.hop) }

// powerFrame leaves in s.power the power spectrum |X[k]|²/NFFT of frame t
// of x.
func (s *stft) powerFrame(x []float32, t int) {
	windowFrame(s.frame, x, t, s.hop, s.window)
	s.fft.forward(s.spec, s.frame)
	powerSpectrum(s.power, s.spec, s.nfft)
}

// fbank is the seed's log10 mel filterbank extractor (SPEC §3).
type fbank struct {
	*stft
	fb     filterbank
	energy []float64
}

func newFbank(c Config) (*fbank, error) {
	if c.NumFilters < 1 {
		return nil, fmt.Errorf("fbank needs at least one filter, got %d", c.NumFilters)
	}
	s, err := newSTFT(c)
	if err != nil {
		return nil, err
	}
	return &fbank{stft: s, fb: melFilterbank(c.NumFilters, c.NFFT, c.SampleRate),
		energy: make([]float64, c.NumFilters)}, nil
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
	for t := 0; t < n; t++ {
		f.powerFrame(x, t)
		f.fb.apply(f.energy, f.power)
		log10Floor(dst.Row(t), f.energy)
	}
	return nil
}
