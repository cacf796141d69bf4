package train

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"

	"github.com/deep4deep/deep4deep/audio"
	"github.com/deep4deep/deep4deep/features"
)

// WaveTransform is an on-the-fly waveform augmentation: it returns the
// transformed samples of one training utterance (mono, at the features'
// sample rate), drawing every random choice from rng. It may write into
// and return dst (grown as needed) and must not keep samples. It is called
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
	workers = max(1, min(workers, len(paths)))
	var (
		next    int
		mu      sync.Mutex
		wg      sync.WaitGroup
		errOnce sync.Once
		first   error
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ex, err := features.New(cfg)
			if err != nil {
				errOnce.Do(func() { first = err; cancel() })
				return
			}
			var m features.Matrix
			var buf []float32
			for ctx.Err() == nil {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= len(paths) {
					return
				}
				x, err := audio.LoadLimited(paths[i], cfg.SampleRate, lim)
				rng := AugmentRNG(seed, epoch, i)
				if err == nil {
					in := x
					if tf != nil {
						buf = tf(buf, x, rng)
						in = buf
					}
					err = ex.Extract(&m, in)
					if err == nil && m.Rows == 0 {
						err = fmt.Errorf("%s: no feature frames after augmentation", paths[i])
					} else if err != nil {
						err = fmt.Errorf("%s: augmented: %w", paths[i], err)
					}
				}
				if err != nil {
					errOnce.Do(func() { first = err; cancel() })
					return
				}
				norm.Apply(&m)
				if ft != nil {
					ft(&m, rng)
				}
				data := s.arena.alloc(len(m.Data))
				copy(data, m.Data)
				s.utts[i] = features.Matrix{Rows: m.Rows, Cols: m.Cols, Data: data}
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.finish()
	return s, nil
}
