package augment

import (
	"math/rand/v2"
	"sync"

	"github.com/deep4deep/deep4deep/features"
)

// WaveFunc returns the spec's waveform transforms as a function of the form
// the trainer calls (train.WaveTransform): it writes the augmented samples
// into dst (grown as needed) and returns them, or returns nil when no
// transform was drawn for this utterance (the trainer then reuses its clean
// features instead of recomputing the same ones). It is safe for concurrent
// use: each call borrows an Augmenter from a pool, so scratch buffers are
// reused across utterances. nil when the spec has no waveform transform.
func (sp Spec) WaveFunc() func(dst, samples []float32, rng *rand.Rand) []float32 {
	if !sp.Waveform() {
		return nil
	}
	pool := sync.Pool{New: func() any { return New(sp) }}
	return func(dst, samples []float32, rng *rand.Rand) []float32 {
		a := pool.Get().(*Augmenter)
		y := a.Waveform(rng, samples)
		if !a.Changed() {
			pool.Put(a)
			return nil
		}
		dst = append(dst[:0], y...)
		pool.Put(a)
		return dst
	}
}

// FeatureFunc returns the spec's feature transforms (frequency masking) as
// a function on one utterance's normalised feature matrix; safe for
// concurrent use. nil when the spec has none.
func (sp Spec) FeatureFunc() func(m *features.Matrix, rng *rand.Rand) {
	if !sp.Features() {
		return nil
	}
	a := &Augmenter{spec: sp} // FeatureMask keeps no state
	return func(m *features.Matrix, rng *rand.Rand) { a.FeatureMask(rng, m) }
}
