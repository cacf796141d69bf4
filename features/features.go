// Package features turns audio samples into frame-level feature matrices
// (DESIGN §3): the seed's log-mel filterbank (fbank), MFCC, LFCC, CQCC and the
// log power spectrogram, plus train-set normalisation, CNN context images and
// the .npy/.cmp file formats.
//
// Every extractor maps a mono signal at Config.SampleRate to a Matrix of
// frames × dims (float32, row-major), deterministically. Extractors keep
// their scratch buffers between calls, so create one per goroutine.
//
// The DSP steps are computed in float64 and rounded to float32 at the end,
// so fbank reproduces the seed's NumPy output (testdata/fbank) exactly.
//
// FFT. The short-time extractors (fbank, mfcc, spec) use frameFFT
// (framefft.go), written here for their exact shape: 400-sample frames
// zero-padded to 2048 points, power spectrum only, float64. It transforms
// four frames at once, one per SIMD lane (AVX2+FMA assembly on amd64, the
// same algorithm in Go elsewhere), packs the real input into a half-size
// complex transform and prunes the stages that only see the zero padding.
// Measured on the build machine (go test -bench FrameFFT -cpu 1, per frame,
// power spectrum included), it is 6–10× faster than a general real FFT;
// among those, github.com/cwbudde/algo-fft's float64 plan (about 20 µs for
// 2048 points) beat gonum's dsp/fourier (82 µs) and is kept as realFFT for
// single-frame use and as the test reference. Double precision is needed:
// a float32 FFT's rounding floor (about −140 dB of a frame's peak) shows in
// the log energies of filters far from a pure tone, beyond the 1e-4
// agreement with the seed.
package features

import (
	"fmt"
)

// Matrix is a frames × dims feature matrix in row-major order: frame t is
// Data[t*Cols : (t+1)*Cols].
type Matrix struct {
	Rows, Cols int
	Data       []float32
}

// Row returns frame t (aliasing m.Data).
func (m *Matrix) Row(t int) []float32 { return m.Data[t*m.Cols : (t+1)*m.Cols] }

// Resize sets the shape to rows × cols, reusing Data's storage when it is
// large enough. Contents are unspecified afterwards.
func (m *Matrix) Resize(rows, cols int) {
	n := rows * cols
	if cap(m.Data) < n {
		m.Data = make([]float32, n)
	}
	m.Rows, m.Cols, m.Data = rows, cols, m.Data[:n]
}

// Kind names a feature type.
type Kind string

// The feature kinds of DESIGN §3.
const (
	Fbank Kind = "fbank" // the seed's log10 mel filterbank (default)
	MFCC  Kind = "mfcc"  // DCT of the natural-log mel filterbank
	LFCC  Kind = "lfcc"  // linear-frequency cepstra (ASVspoof 2019 baseline)
	CQCC  Kind = "cqcc"  // constant-Q cepstra (ASVspoof 2017 baseline)
	Spec  Kind = "spec"  // log power spectrogram
)

// Kinds lists every supported kind.
var Kinds = []Kind{Fbank, MFCC, LFCC, CQCC, Spec}

// ParseKind checks that s names a supported kind.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds {
		if string(k) == s {
			return k, nil
		}
	}
	return "", fmt.Errorf("unknown feature kind %q (want fbank, mfcc, lfcc, cqcc or spec)", s)
}

// Config fully describes an extractor; it is stored in model files so that
// scoring recomputes exactly the features a model was trained on. Fields that
// do not apply to Kind are zero. Use DefaultConfig and change what you need.
type Config struct {
	Kind       Kind `json:"kind"`
	SampleRate int  `json:"sample_rate"` // Hz; input must already be at this rate

	// Short-time analysis (fbank, mfcc, lfcc, spec).
	WindowSeconds float64 `json:"window_s,omitempty"` // frame length = round(WindowSeconds·SampleRate)
	HopSeconds    float64 `json:"hop_s,omitempty"`    // frame step = round(HopSeconds·SampleRate)
	NFFT          int     `json:"nfft,omitempty"`
	NumFilters    int     `json:"num_filters,omitempty"` // mel or linear triangular filters

	// Cepstra (mfcc, lfcc, cqcc).
	NumCeps int  `json:"num_ceps,omitempty"` // coefficients kept, c0 included
	Deltas  bool `json:"deltas,omitempty"`   // append Δ and ΔΔ

	// Constant-Q parameters (cqcc); see cqcc.go.
	CQCC *CQCCParams `json:"cqcc,omitempty"`
	// Linear-cepstrum parameters (lfcc); see lfcc.go.
	LFCC *LFCCParams `json:"lfcc,omitempty"`
}

// Extractor computes the features of one signal. Implementations reuse
// internal buffers: not safe for concurrent use.
type Extractor interface {
	// Extract writes the features of samples (mono, at the configured rate,
	// in [-1, 1)) into dst, resizing it to frames × Dim().
	Extract(dst *Matrix, samples []float32) error
	// Dim is the number of feature dimensions per frame.
	Dim() int
}
