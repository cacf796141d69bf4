package train

import (
	"context"
	"math/rand/v2"
	"sort"
	"sync"

	"github.com/deep4deep/deep4deep/audio"
	"github.com/deep4deep/deep4deep/features"
	"github.com/deep4deep/deep4deep/model"
	"github.com/deep4deep/deep4deep/progress"
)

// arenaChunk is the size of one arena allocation in float32 values (32 MiB):
// large enough that a set of utterances needs few chunks, small enough that
// the unused tail of the last one costs little.
const arenaChunk = 8 << 20

// arena hands out float32 storage from a few large chunks, so that the frames
// of a whole set live in compact memory without one growing slice (which
// would need twice the memory while it is copied). reset makes the chunks
// available again, so a set rebuilt every epoch (augmentation) touches no
// fresh memory after the first: on these machines the first touch of a page
// costs more than the feature extraction that fills it.
type arena struct {
	mu     sync.Mutex
	chunks [][]float32
	next   int // chunks[next:] are not handed out since the last reset
	free   []float32
}

func (a *arena) alloc(n int) []float32 {
	a.mu.Lock()
	defer a.mu.Unlock()
	if n > len(a.free) {
		for a.next < len(a.chunks) && len(a.chunks[a.next]) < n {
			a.next++ // too small for this request; reused after the next reset
		}
		if a.next < len(a.chunks) {
			a.free = a.chunks[a.next]
		} else {
			a.chunks = append(a.chunks, make([]float32, max(arenaChunk, n)))
			a.free = a.chunks[a.next]
		}
		a.next++
	}
	s := a.free[:n:n]
	a.free = a.free[n:]
	return s
}

// reserve makes sure the arena holds at least n values in one chunk
// without touching memory it already has, so that a set of known size
// (an augmented copy of the train set) gets exactly its size rather than
// a 32 MiB chunk, whose allocation Go zeroes when it reuses heap memory.
func (a *arena) reserve(n int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, c := range a.chunks {
		if len(c) >= n {
			return
		}
	}
	a.chunks = append(a.chunks, make([]float32, n))
}

// reset hands the chunks out again from the first; every slice alloc
// returned before is then invalid.
func (a *arena) reset() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.next, a.free = 0, nil
}

// frameSet is the feature frames of the utterances of one corpus set, each a
// matrix view into one arena.
type frameSet struct {
	dim     int
	utts    []features.Matrix
	labels  []int32 // per utterance: 0 spoof, 1 genuine
	offsets []int   // offsets[i] = frames before utterance i; len(utts)+1 entries
	arena   arena
}

// frames is the total number of frames.
func (s *frameSet) frames() int { return s.offsets[len(s.utts)] }

// locate maps a global frame index to (utterance, frame).
func (s *frameSet) locate(g int) (u, t int) {
	u = sort.Search(len(s.utts), func(i int) bool { return s.offsets[i+1] > g })
	return u, g - s.offsets[u]
}

// finish computes the offsets once every utterance is in place.
func (s *frameSet) finish() {
	s.offsets = make([]int, len(s.utts)+1)
	for i, m := range s.utts {
		s.offsets[i+1] = s.offsets[i] + m.Rows
	}
}

// extractSet computes the features of paths (labels per path) on workers
// goroutines into a frameSet. An utterance without frames is an error naming
// its file: training never skips data silently.
func extractSet(ctx context.Context, cfg features.Config, lim audio.Limits, paths []string, labels []int32, workers int, report progress.Func) (*frameSet, error) {
	s := &frameSet{utts: make([]features.Matrix, len(paths)), labels: labels}
	err := features.ExtractFilesLimited(ctx, cfg, lim, paths, workers, func(i int, m *features.Matrix) error {
		if m.Rows == 0 {
			return features.ErrNoFrames
		}
		buf := s.arena.alloc(len(m.Data))
		copy(buf, m.Data)
		s.utts[i] = features.Matrix{Rows: m.Rows, Cols: m.Cols, Data: buf}
		return nil
	}, report)
	if err != nil {
		return nil, err
	}
	if len(paths) > 0 {
		s.dim = s.utts[0].Cols
	}
	s.finish()
	return s, nil
}

// epochSamples returns the global frame indices of one epoch's training
// samples in training order. Every random choice comes from rng, which the
// caller seeds from (seed, epoch), so an epoch's order can be recomputed on
// resume:
//
//   - framesPerUtt > 0: each utterance contributes a random subset of at most
//     that many of its frames (drawn anew every epoch);
//   - balance: the larger class is randomly cut down to the size of the
//     smaller, so both classes give equally many samples;
//   - finally all samples are shuffled.
func epochSamples(rng *rand.Rand, s *frameSet, framesPerUtt int, balance bool) []uint32 {
	var byClass [2][]uint32
	var perm []int
	for u, m := range s.utts {
		c := s.labels[u]
		base := s.offsets[u]
		if framesPerUtt <= 0 || framesPerUtt >= m.Rows {
			for t := 0; t < m.Rows; t++ {
				byClass[c] = append(byClass[c], uint32(base+t))
			}
			continue
		}
		// Partial Fisher–Yates: the first framesPerUtt of a random permutation.
		perm = perm[:0]
		for t := 0; t < m.Rows; t++ {
			perm = append(perm, t)
		}
		for i := 0; i < framesPerUtt; i++ {
			j := i + rng.IntN(m.Rows-i)
			perm[i], perm[j] = perm[j], perm[i]
			byClass[c] = append(byClass[c], uint32(base+perm[i]))
		}
	}
	if balance && len(byClass[0]) > 0 && len(byClass[1]) > 0 {
		big, small := 0, 1
		if len(byClass[1]) > len(byClass[0]) {
			big, small = 1, 0
		}
		b := byClass[big]
		rng.Shuffle(len(b), func(i, j int) { b[i], b[j] = b[j], b[i] })
		byClass[big] = b[:len(byClass[small])]
	}
	out := append(byClass[0], byClass[1]...)
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// devFrames lists the frames of an utterance of n frames that dev
// evaluation scores: all of them when limit ≤ 0 or n ≤ limit, otherwise
// limit frames evenly spaced over the utterance (deterministic, so every
// epoch scores the same frames): t_j = ⌊(j + ½)·n / limit⌋.
func devFrames(n, limit int, dst []int) []int {
	dst = dst[:0]
	if limit <= 0 || n <= limit {
		for t := 0; t < n; t++ {
			dst = append(dst, t)
		}
		return dst
	}
	for j := 0; j < limit; j++ {
		dst = append(dst, int((float64(j)+0.5)*float64(n)/float64(limit)))
	}
	return dst
}

// batch is one mini-batch of network inputs and labels.
type batch struct {
	x []float32 // n × size, row-major [dim][time] per sample
	y []int32
	n int
}

// batcher cuts the samples [start:] of one epoch into mini-batches on its
// own goroutine, two batches ahead of the consumer (double buffering), so
// that cutting overlaps the engine's work.
type batcher struct {
	size  int // values per sample
	ready chan *batch
	free  chan *batch
	stop  chan struct{}
	done  chan struct{}
}

// newBatcher starts cutting batches of size bs of context images (a frames
// network) from samples (global frame indices), beginning with sample index
// start. half = (width−1)/2 of the images.
func newBatcher(s *frameSet, samples []uint32, start, bs, half int) *batcher {
	img := s.dim * (2*half + 1)
	return startBatcher(samples, start, bs, img, func(dst []float32, _ int, g uint32) int32 {
		u, t := s.locate(int(g))
		features.ContextImage(dst, &s.utts[u], t, half)
		return s.labels[u]
	})
}

// newCropBatcher starts cutting batches of random crops of crop frames (an
// utterance network) from samples (utterance indices), beginning with
// sample index start. The crop of the sample at position i of the epoch
// starts at a random frame drawn from cropRNG(seed, epoch, i), so a
// resumed epoch cuts the same crops.
func newCropBatcher(s *frameSet, samples []uint32, start, bs, crop int, seed uint64, epoch int) *batcher {
	return startBatcher(samples, start, bs, s.dim*crop, func(dst []float32, i int, u uint32) int32 {
		m := &s.utts[u]
		t0 := 0
		if m.Rows > crop {
			t0 = cropRNG(seed, epoch, i).IntN(m.Rows - crop + 1)
		}
		model.UtteranceInput(dst, m, t0, crop)
		return s.labels[u]
	})
}

// cropRNG is the generator of the crop of the i-th sample of an epoch.
func cropRNG(seed uint64, epoch, i int) *rand.Rand {
	return rand.New(rand.NewPCG(seed^0x63726f70, uint64(epoch)<<32|uint64(uint32(i))))
}

// epochUtterances returns the utterance indices of one epoch of an
// utterance network in training order: every utterance once (with balance,
// the larger class randomly cut down to the smaller), shuffled.
func epochUtterances(rng *rand.Rand, s *frameSet, balance bool) []uint32 {
	var byClass [2][]uint32
	for u := range s.utts {
		byClass[s.labels[u]] = append(byClass[s.labels[u]], uint32(u))
	}
	if balance && len(byClass[0]) > 0 && len(byClass[1]) > 0 {
		big, small := 0, 1
		if len(byClass[1]) > len(byClass[0]) {
			big, small = 1, 0
		}
		b := byClass[big]
		rng.Shuffle(len(b), func(i, j int) { b[i], b[j] = b[j], b[i] })
		byClass[big] = b[:len(byClass[small])]
	}
	out := append(byClass[0], byClass[1]...)
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// startBatcher runs the batching goroutine: cut writes sample id (at
// position i of the epoch) into dst, size values, and returns its label.
func startBatcher(samples []uint32, start, bs, size int, cut func(dst []float32, i int, id uint32) int32) *batcher {
	b := &batcher{
		size:  size,
		ready: make(chan *batch, 2),
		free:  make(chan *batch, 2),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	for i := 0; i < 2; i++ {
		b.free <- &batch{x: make([]float32, bs*size), y: make([]int32, bs)}
	}
	go func() {
		defer close(b.done)
		defer close(b.ready)
		for lo := start; lo < len(samples); lo += bs {
			var bt *batch
			select {
			case bt = <-b.free:
			case <-b.stop:
				return
			}
			hi := min(lo+bs, len(samples))
			bt.n = hi - lo
			for i, id := range samples[lo:hi] {
				bt.y[i] = cut(bt.x[i*size:(i+1)*size], lo+i, id)
			}
			select {
			case b.ready <- bt:
			case <-b.stop:
				return
			}
		}
	}()
	return b
}

// next returns the next batch, or nil at the end of the epoch. Give it back
// with release once used.
func (b *batcher) next() *batch { return <-b.ready }

func (b *batcher) release(bt *batch) { b.free <- bt }

// close stops the goroutine and waits for it.
func (b *batcher) close() {
	close(b.stop)
	<-b.done
}
