package train

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"

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
// statistics norm, into a frameSet with the labels of clean. It fills into,
// reusing its memory, when into is not nil (a set no batch still reads).
func augmentedSet(ctx context.Context, cfg features.Config, lim audio.Limits, paths []string, clean *frameSet, norm features.Normalization,
	tf WaveTransform, ft FeatureTransform, seed uint64, epoch, workers int, into *frameSet) (*frameSet, error) {
	s := into
	if s == nil {
		s = &frameSet{}
	}
	s.arena.reserve(clean.frames() * clean.dim) // the transforms keep the length
	s.arena.reset()
	s.utts = slices.Grow(s.utts[:0], len(paths))[:len(paths)]
	s.labels, s.dim = clean.labels, clean.dim
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

// epochAugmenter makes each epoch's augmented train set. While epoch e
// trains it builds epoch e+1's in the background, on one goroutine, so that
// the transforms and the feature extraction run beside the training steps
// (whose two-thread GEMMs leave part of the second core idle) and the dev
// evaluation, instead of in a pause before each epoch. Each set depends only
// on (seed, epoch, utterance), so prefetching changes no result, and a
// resumed run rebuilds the same set. Two sets alternate: the one an epoch
// trains on, and the one being built; their memory is reused.
type epochAugmenter struct {
	cfg     features.Config
	lim     audio.Limits
	paths   []string
	clean   *frameSet
	norm    features.Normalization
	tf      WaveTransform
	ft      FeatureTransform
	seed    uint64
	workers int

	cur    *frameSet   // the set the last call of set returned
	spares []*frameSet // sets no batch reads any more (at most 2)
	next   *pendingSet
}

// pendingSet is a set being built in the background.
type pendingSet struct {
	epoch  int
	cancel context.CancelFunc
	done   chan struct{}
	set    *frameSet
	err    error
}

// set returns epoch's augmented set: the prefetched one when it is ready
// (waiting for it), else built now on all workers. The set returned by the
// previous call must no longer be read: its memory is reused.
func (a *epochAugmenter) set(ctx context.Context, epoch int) (*frameSet, error) {
	if a.cur != nil {
		a.release(a.cur)
	}
	var err error
	a.cur, err = a.build(ctx, epoch)
	return a.cur, err
}

// build returns epoch's set, from the background build when it is for
// epoch, else built now.
func (a *epochAugmenter) build(ctx context.Context, epoch int) (*frameSet, error) {
	if p := a.next; p != nil {
		a.next = nil
		if p.epoch == epoch {
			select {
			case <-p.done:
			case <-ctx.Done():
				p.cancel()
				<-p.done
				a.keep(p)
				return nil, ctx.Err()
			}
			p.cancel()
			if p.err == nil {
				return p.set, nil
			}
			a.keep(p)
			return nil, p.err
		}
		p.cancel()
		<-p.done
		a.keep(p)
	}
	return augmentedSet(ctx, a.cfg, a.lim, a.paths, a.clean, a.norm, a.tf, a.ft, a.seed, epoch, a.workers, a.take())
}

// keep makes a finished pending set's memory a spare.
func (a *epochAugmenter) keep(p *pendingSet) {
	if p.set != nil {
		a.release(p.set)
	}
}

// release makes s's memory a spare; two are all the trainer ever needs
// (the set being trained on and the one being built).
func (a *epochAugmenter) release(s *frameSet) {
	if len(a.spares) < 2 {
		a.spares = append(a.spares, s)
	}
}

// take returns a spare set, or nil.
func (a *epochAugmenter) take() *frameSet {
	if len(a.spares) == 0 {
		return nil
	}
	s := a.spares[len(a.spares)-1]
	a.spares = a.spares[:len(a.spares)-1]
	return s
}

// prefetch starts building epoch's set in the background, into the spare.
func (a *epochAugmenter) prefetch(epoch int) {
	a.stop()
	into := a.take()
	if into == nil {
		into = &frameSet{}
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &pendingSet{epoch: epoch, cancel: cancel, done: make(chan struct{})}
	a.next = p
	go func() {
		defer close(p.done)
		set, err := augmentedSet(ctx, a.cfg, a.lim, a.paths, a.clean, a.norm, a.tf, a.ft, a.seed, epoch, 1, into)
		p.set, p.err = set, err
		if err != nil {
			p.set = into
		}
	}()
}

// stop cancels a background build and waits for it.
func (a *epochAugmenter) stop() {
	if p := a.next; p != nil {
		a.next = nil
		p.cancel()
		<-p.done
		a.keep(p)
	}
}
