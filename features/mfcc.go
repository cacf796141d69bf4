package features

import (
	"errors"
	"fmt"
	"math"
)

// mfcc computes mel-frequency cepstral coefficients: the natural logarithm
// of the fbank energies (exact zeros replaced by eps), an orthonormal DCT-II,
// the first NumCeps coefficients (c0 included), and optionally Δ and ΔΔ
// (AppendDeltas).
type mfcc struct {
	*stft
	lf     *laneFilters
	energy []float64 // lane-interleaved filter energies
	logE   []float64 // one frame's log energies
	dct    *DCT
	deltas bool
	ceps   Matrix
}

func newMFCC(c Config) (*mfcc, error) {
	if c.NumFilters < 1 {
		return nil, fmt.Errorf("mfcc needs at least one filter, got %d", c.NumFilters)
	}
	if c.NumCeps < 1 || c.NumCeps > c.NumFilters {
		return nil, fmt.Errorf("mfcc: %d cepstra from %d filters (want 1…filters)", c.NumCeps, c.NumFilters)
	}
	s, err := newSTFT(c)
	if err != nil {
		return nil, err
	}
	return &mfcc{stft: s, lf: melFilterbank(c.NumFilters, c.NFFT, c.SampleRate).lanes(),
		energy: make([]float64, c.NumFilters*lanes), logE: make([]float64, c.NumFilters),
		dct: NewDCT(c.NumFilters, c.NumCeps), deltas: c.Deltas}, nil
}

func (f *mfcc) Dim() int {
	if f.deltas {
		return 3 * f.dct.Out()
	}
	return f.dct.Out()
}

func (f *mfcc) Extract(dst *Matrix, x []float32) error {
	if dst == nil {
		return errors.New("mfcc: nil destination matrix")
	}
	n := f.numFrames(len(x))
	out := dst
	if f.deltas {
		out = &f.ceps
	}
	out.Resize(n, f.dct.Out())
	nf := len(f.logE)
	for t := 0; t < n; t += lanes {
		nb := min(lanes, n-t)
		f.powerBatch(x, t, nb)
		f.ffft.ks.filter(f.lf, f.energy, f.pw)
		for l := 0; l < nb; l++ {
			for i := 0; i < nf; i++ {
				e := f.energy[i*lanes+l]
				if e == 0 {
					e = eps
				}
				f.logE[i] = math.Log(e)
			}
			f.dct.Apply64(out.Row(t+l), f.logE)
		}
	}
	if f.deltas {
		AppendDeltas(dst, out)
	}
	return nil
}
