package features

import (
	"errors"
	"math"
)

// spectrogram is the log power spectrogram: for each frame,
//
//	S[t, k] = log10(max(|X_t[k]|² / NFFT, eps)),  k = 0…NFFT/2,
//
// with the framing, window and scaling of fbank.
type spectrogram struct{ *stft }

func newSpec(c Config) (*spectrogram, error) {
	s, err := newSTFT(c)
	if err != nil {
		return nil, err
	}
	return &spectrogram{s}, nil
}

func (s *spectrogram) Dim() int { return s.nfft/2 + 1 }

func (s *spectrogram) Extract(dst *Matrix, x []float32) error {
	if dst == nil {
		return errors.New("spec: nil destination matrix")
	}
	n := s.numFrames(len(x))
	dst.Resize(n, s.Dim())
	for t := 0; t < n; t += lanes {
		nb := min(lanes, n-t)
		s.powerBatch(x, t, nb)
		for l := 0; l < nb; l++ {
			row := dst.Row(t + l)
			for k := range row {
				row[k] = float32(math.Log10(max(s.pw[k*lanes+l], eps)))
			}
		}
	}
	return nil
}
