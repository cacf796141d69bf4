package train

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/deep4deep/deep4deep/audio"
	"github.com/deep4deep/deep4deep/features"
	"github.com/deep4deep/deep4deep/internal/par"
)

// WaveTransform is an on-the-fly waveform augmentation: it returns the
// transformed samples of one training utterance (mono, at the features'
// sample rate), drawing every random choice from rng. It may write into
// and return dst (grown as needed) and must not keep samples. It returns
// nil when it leaves the utterance unchanged (no transform drawn): the
// trainer then reuses the utterance's clean features, which are what
// extracting the unchanged samples would give, instead of recomputing
// them; this is most of what augmentation saves when its transforms apply
// with a probability below 1. It is called
// from several goroutines at once, each with its own rng and dst.
//
// The trainer seeds rng with AugmentRNG(seed, epoch, utterance), so every
// epoch sees new transforms and a resumed run sees the same ones.
type WaveTransform func(dst, samples []float32, rng *rand.Rand) []float32

// FeatureTransform is an on-the-fly feature augmentation: it changes one
// training utterance's normalised feature matrix in place, drawing from
// rng (the generator the WaveTransform used before it, if any). It is
// called from several goroutines at once.
type FeatureTransform func(m *features.Matrix, rng *rand.Rand)

// AugmentRNG is the generator of utterance utt's transform in an epoch.
func AugmentRNG(seed uint64, epoch, utt int) *rand.Rand {
	return rand.New(rand.NewPCG(seed^0x6175676d656e74, uint64(epoch)<<32|uint64(uint32(utt))))
}

// augmentedSet recomputes the features of the train utterances from their
// transformed waveforms (one epoch's), normalised with the clean train
// statistics norm, into a new frameSet with the labels of clean.
func augmentedSet(ctx context.Context, cfg features.Config, lim audio.Limits, paths []string, clean *frameSet, norm features.Normalization,
	tf WaveTransform, ft FeatureTransform, seed uint64, epoch, workers int) (*frameSet, error) {
	s := &frameSet{utts: make([]features.Matrix, len(paths)), labels: clean.labels, dim: clean.dim}
	type state struct {
		ex  features.Extractor
		m   features.Matrix
		buf []float32
	}
	err := par.Do(ctx, len(paths), workers,
		func() (*state, error) {
			ex, err := features.New(cfg)
			return &state{ex: ex}, err
		}, nil,
		func(_ context.Context, st *state, i int) error {
			rng := AugmentRNG(seed, epoch, i)
			var in []float32 // the transformed samples; nil: unchanged
			if tf != nil {
				x, err := audio.LoadLimited(paths[i], cfg.SampleRate, lim)
				if err != nil {
					return err // audio names the file
				}
				if y := tf(st.buf, x, rng); y != nil {
					st.buf, in = y, y
				}
			}
			m := &st.m
			if in == nil {
				// Unchanged samples: their features are the clean ones.
				c := &clean.utts[i]
				m.Resize(c.Rows, c.Cols)
				copy(m.Data, c.Data)
			} else {
				if err := st.ex.Extract(m, in); err != nil {
					return fmt.Errorf("%s: augmented: %w", paths[i], err)
				}
				if m.Rows == 0 {
					return fmt.Errorf("%s: augmented: %w", paths[i], features.ErrNoFrames)
				}
				norm.Apply(m)
			}
			if ft != nil {
				ft(m, rng)
			}
			data := s.arena.alloc(len(m.Data))
			copy(data, m.Data)
			s.utts[i] = features.Matrix{Rows: m.Rows, Cols: m.Cols, Data: data}
			return nil
		}, nil)
	if err != nil {
		return nil, err
	}
	s.finish()
	return s, nil
}
