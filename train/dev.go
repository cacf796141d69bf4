package train

import (
	"context"
	"fmt"
	"math"
	"sync"

	"github.com/deep4deep/deep4deep/audio"
	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/eval"
	"github.com/deep4deep/deep4deep/features"
	"github.com/deep4deep/deep4deep/model"
	"github.com/deep4deep/deep4deep/nn"
	"github.com/deep4deep/deep4deep/progress"
)

// trainPaths lists the audio files of the train trials.
func trainPaths(c corpus.Corpus, trials []corpus.Trial) []string {
	paths := make([]string, len(trials))
	for i, t := range trials {
		paths[i] = c.AudioPath(corpus.Train, t)
	}
	return paths
}

// extractTrials computes the features of one set's trials.
func extractTrials(ctx context.Context, c corpus.Corpus, set corpus.Set, trials []corpus.Trial, cfg features.Config, lim audio.Limits, workers int, p progress.Func) (*frameSet, error) {
	paths := make([]string, len(trials))
	labels := make([]int32, len(trials))
	for i, t := range trials {
		paths[i] = c.AudioPath(set, t)
		labels[i] = int32(t.Label)
	}
	s, err := extractSet(ctx, cfg, lim, paths, labels, workers, p.Named(fmt.Sprintf("%s %s features", set, cfg.Kind), "files"))
	if err != nil {
		return nil, fmt.Errorf("%s set: %w", set, err)
	}
	return s, nil
}

// devCacheBytes bounds the dev features kept in memory between
// evaluations. A dev set within it (a synthetic corpus up to about 10% of
// the real size) is extracted once; a larger one (the real dev set's 1 M
// frames are 263 MB) is streamed through every evaluation instead, which
// costs its extraction time per epoch but no resident memory.
const devCacheBytes = 128 << 20

// scanDev extracts the features of paths once: it returns their total
// number of frames and, when they fit in budget bytes, the features
// themselves (nil otherwise). An utterance without frames is an error
// naming its file.
func scanDev(ctx context.Context, cfg features.Config, lim audio.Limits, paths []string, workers int, budget int, p progress.Func) (int, []features.Matrix, error) {
	var (
		mu    sync.Mutex
		total int
		bytes int
		a     arena
	)
	cache := make([]features.Matrix, len(paths))
	err := features.ExtractFilesLimited(ctx, cfg, lim, paths, workers, func(i int, m *features.Matrix) error {
		if m.Rows == 0 {
			return features.ErrNoFrames
		}
		mu.Lock()
		defer mu.Unlock()
		total += m.Rows
		if cache == nil {
			return nil
		}
		if bytes += 4 * len(m.Data); bytes > budget {
			cache, a = nil, arena{} // too big: stream it instead
			return nil
		}
		buf := a.alloc(len(m.Data))
		copy(buf, m.Data)
		cache[i] = features.Matrix{Rows: m.Rows, Cols: m.Cols, Data: buf}
		return nil
	}, p.Named(fmt.Sprintf("dev %s features", cfg.Kind), "files"))
	if err != nil {
		return 0, nil, err
	}
	return total, cache, nil
}

// devChunk is the number of dev utterances whose features are held at once.
const devChunk = 64

// devEvaluator scores the dev set with the network in inference mode. It
// uses the normalised dev features in cache when it is set; otherwise it
// streams: the features of devChunk utterances at a time are extracted,
// normalised with the train statistics and scored, then dropped, so the dev
// set costs no resident memory beyond one chunk (recomputing the features
// costs seconds per epoch, small beside scoring it). Frames are batched
// across utterances, always in corpus order, so both ways give bit-identical
// results.
type devEvaluator struct {
	paths   []string
	labels  []int32
	cfg     features.Config
	lim     audio.Limits
	norm    features.Normalization
	workers int
	limit   int
	half    int
	img     int
	x       []float32
	logits  []float32
	owner   []int32 // utterance of each batch row
	frames  []int
	utts    []features.Matrix
	cache   []features.Matrix // normalised features of every dev utterance, or nil
	// uttArch is set for an utterance network: each utterance is scored
	// whole, as model's scorer does.
	uttArch *nn.Arch
	label   [1]int32
}

// devBatch is the inference batch of dev evaluation: the training batch
// size's buffers are reused, and larger batches are no faster (see
// model.InferenceBatch).
const devBatch = 256

func newDevEvaluator(paths []string, labels []int32, cfg features.Config, lim audio.Limits, norm features.Normalization, workers, limit, half int) *devEvaluator {
	img := len(norm.Mean) * (2*half + 1)
	return &devEvaluator{paths: paths, labels: labels, cfg: cfg, lim: lim, norm: norm, workers: workers, limit: limit, half: half, img: img,
		x: make([]float32, devBatch*img), logits: make([]float32, 2*devBatch), owner: make([]int32, devBatch)}
}

// run returns the mean cross-entropy over the scored frames (utterances,
// for an utterance network) and the ROCCH EER of the utterance scores: the
// mean over frames of z_genuine − z_spoof (the difference of log-softmax
// outputs), or the utterance's own score (model.LogitScore).
func (d *devEvaluator) run(ctx context.Context, net *nn.Net, p progress.Func) (loss, eer float64, err error) {
	n := len(d.paths)
	sum := make([]float64, n)
	cnt := make([]int, n)
	var lossSum float64
	var lossN int
	k := 0
	flush := func() error {
		if k == 0 {
			return nil
		}
		if err := net.Logits(d.x[:k*d.img], k, d.logits[:2*k]); err != nil {
			return err
		}
		for i := 0; i < k; i++ {
			u := d.owner[i]
			sum[u] += model.LogitScore(d.logits[2*i : 2*i+2])
			cnt[u]++
			d.label[0] = d.labels[u]
			l, _ := nn.CrossEntropy(d.logits[2*i:2*i+2], 2, d.label[:])
			lossSum += l
			lossN++
		}
		k = 0
		return nil
	}
	scoreUtt := func(m *features.Matrix, u int) error {
		a := d.uttArch
		w := max(m.Rows, a.MinWidth())
		if cap(d.x) < m.Cols*w {
			d.x = make([]float32, m.Cols*w)
		}
		x := d.x[:m.Cols*w]
		model.UtteranceInput(x, m, 0, w)
		z := d.logits[:a.Classes]
		if err := net.Logits(x, 1, z); err != nil {
			return err
		}
		sum[u], cnt[u] = model.LogitScore(z), 1
		d.label[0] = d.labels[u]
		l, _ := nn.CrossEntropy(z, a.Classes, d.label[:])
		lossSum += l
		lossN++
		return nil
	}
	update := p.Stage("dev evaluation", "files", n)
	for lo := 0; lo < n; lo += devChunk {
		hi := min(lo+devChunk, n)
		utts, err := d.extract(ctx, lo, hi)
		if err != nil {
			return 0, 0, err
		}
		for j := range utts {
			m := &utts[j]
			if d.uttArch != nil {
				if err := scoreUtt(m, lo+j); err != nil {
					return 0, 0, err
				}
				continue
			}
			d.frames = devFrames(m.Rows, d.limit, d.frames)
			for _, t := range d.frames {
				features.ContextImage(d.x[k*d.img:(k+1)*d.img], m, t, d.half)
				d.owner[k] = int32(lo + j)
				k++
				if k == devBatch {
					if err := flush(); err != nil {
						return 0, 0, err
					}
				}
			}
		}
		update(hi)
	}
	if err := flush(); err != nil {
		return 0, 0, err
	}
	var gen, spoof []float64
	for u := range sum {
		s := sum[u] / float64(cnt[u])
		if d.labels[u] == 1 {
			gen = append(gen, s)
		} else {
			spoof = append(spoof, s)
		}
	}
	eer = math.NaN()
	if len(gen) > 0 && len(spoof) > 0 {
		eer = eval.EER(gen, spoof)
	}
	return lossSum / float64(max(1, lossN)), eer, nil
}

// extract returns the normalised features of dev utterances [lo, hi).
func (d *devEvaluator) extract(ctx context.Context, lo, hi int) ([]features.Matrix, error) {
	if d.cache != nil {
		return d.cache[lo:hi], nil
	}
	// Reuse the matrices (and their storage) of the previous chunk.
	if cap(d.utts) < hi-lo {
		d.utts = make([]features.Matrix, hi-lo)
	}
	d.utts = d.utts[:hi-lo]
	err := features.ExtractFilesLimited(ctx, d.cfg, d.lim, d.paths[lo:hi], d.workers, func(i int, m *features.Matrix) error {
		if m.Rows == 0 {
			return features.ErrNoFrames
		}
		u := &d.utts[i]
		u.Resize(m.Rows, m.Cols)
		copy(u.Data, m.Data)
		d.norm.Apply(u)
		return nil
	}, nil)
	if err != nil {
		return nil, fmt.Errorf("dev set: %w", err)
	}
	return d.utts, nil
}
