package model

import (
	"context"
	"fmt"
	"math"

	"github.com/deep4deep/deep4deep/audio"
	"github.com/deep4deep/deep4deep/features"
	"github.com/deep4deep/deep4deep/gmm"
	"github.com/deep4deep/deep4deep/internal/par"
	"github.com/deep4deep/deep4deep/nn"
	"github.com/deep4deep/deep4deep/progress"
)

// Scorer scores utterances with one model. Higher scores mean genuine; a
// score above 0 is decided genuine. A Scorer keeps its buffers (feature
// matrices, network activations) between calls, so it is not safe for
// concurrent use: make one per goroutine with Model.NewScorer.
type Scorer interface {
	// ScoreFile loads an audio file (WAV or FLAC, any rate and channel
	// count; resampled to the model's rate) and scores it. Errors name the
	// file.
	ScoreFile(path string) (float64, error)
	// ScoreSamples scores a mono signal at the model's sample rate
	// (Config.Features.SampleRate), samples in [-1, 1).
	ScoreSamples(samples []float32) (float64, error)
	// ScoreFeatures scores the raw (not yet normalised) feature matrix of one
	// utterance, as the model's extractor makes it. fm is not modified.
	ScoreFeatures(fm *features.Matrix) (float64, error)
	// Close releases the scorer's resources (the CNN engine's worker
	// goroutines); the scorer must not be used afterwards.
	Close()
}

// ErrNoFrames is returned for audio too short to hold one analysis frame:
// features.ErrNoFrames, where it is produced; test with errors.Is.
var ErrNoFrames = features.ErrNoFrames

// InferenceBatch is the number of frames the CNN scorer pushes through the
// network at once. The engine's throughput is flat from 256 to 1024 frames
// (measured), while its activation buffers grow with the batch (about 100 MB
// at 256, 380 MB at 1024), so 256 keeps parallel scorers small.
const InferenceBatch = 256

// NewScorer returns a scorer of the model. threads is the number of cores
// one call may use (the CNN engine's threads; ≤ 0 means 1); ScoreFiles
// instead parallelises across files.
func (m *Model) NewScorer(threads int) (Scorer, error) {
	ex, err := features.New(m.Config.Features)
	if err != nil {
		return nil, fmt.Errorf("features: %w", err)
	}
	b := base{cfg: &m.Config, lim: m.Limits, ex: ex}
	switch m.Config.Kind {
	case CNN:
		net, err := m.newNet()
		if err != nil {
			return nil, err
		}
		if threads < 1 {
			threads = 1
		}
		net.SetThreads(threads)
		a := m.Config.Architecture
		s := &cnnScorer{base: b, net: net, half: a.InputWidth / 2, img: a.InputHeight * a.InputWidth, classes: a.Classes}
		if a.Utterance() {
			s.minWidth = a.MinWidth()
		}
		s.self = s
		return s, nil
	case GMM:
		gen, err := m.genuine.NewScorer()
		if err != nil {
			return nil, fmt.Errorf("genuine GMM: %w", err)
		}
		spoof, err := m.spoof.NewScorer()
		if err != nil {
			return nil, fmt.Errorf("spoof GMM: %w", err)
		}
		s := &gmmScorer{base: b, genuine: gen, spoof: spoof, dim: m.genuine.Dim}
		s.self = s
		return s, nil
	}
	return nil, fmt.Errorf("unknown model kind %q", m.Config.Kind)
}

// base holds what both scorers share: extraction and normalisation.
type base struct {
	cfg  *Config
	lim  audio.Limits
	ex   features.Extractor
	raw  features.Matrix // features of the current utterance
	norm features.Matrix // normalised copy
	self interface {
		ScoreFeatures(*features.Matrix) (float64, error)
	}
}

func (b *base) ScoreFile(path string) (float64, error) {
	samples, err := audio.LoadLimited(path, b.cfg.Features.SampleRate, b.lim)
	if err != nil {
		return 0, err // audio errors name the file
	}
	s, err := b.ScoreSamples(samples)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

func (b *base) ScoreSamples(samples []float32) (float64, error) {
	if err := b.ex.Extract(&b.raw, samples); err != nil {
		return 0, err
	}
	return b.self.ScoreFeatures(&b.raw)
}

// normalize copies fm into b.norm and applies the model's normalisation.
func (b *base) normalize(fm *features.Matrix) (*features.Matrix, error) {
	if fm.Rows == 0 {
		return nil, ErrNoFrames
	}
	if n := b.cfg.Normalization; n != nil && fm.Cols != len(n.Mean) {
		return nil, fmt.Errorf("features have %d dimensions, the model expects %d", fm.Cols, len(n.Mean))
	}
	b.norm.Resize(fm.Rows, fm.Cols)
	copy(b.norm.Data, fm.Data)
	if b.cfg.CMVN {
		features.CMVN(&b.norm)
	}
	if n := b.cfg.Normalization; n != nil {
		n.Apply(&b.norm)
	}
	return &b.norm, nil
}

// cnnScorer scores with a network. A frames network's utterance score is
// the mean over its frames of log softmax(genuine) − log softmax(spoof),
// which equals the mean of the logit difference z₁ − z₀ (the log-sum-exp
// terms cancel); an utterance network's is that of the whole utterance
// (LogitScore).
type cnnScorer struct {
	base
	net       *nn.Net
	half, img int
	classes   int
	minWidth  int // utterance network: its shortest input; 0 for a frames network
	x, logits []float32
}

// LogitScore is the score of one sample's logits: z₁ − z₀ (log
// softmax(genuine) − log softmax(spoof)) for two classes, the logit itself
// (log σ(z) − log(1 − σ(z))) for a single sigmoid output.
func LogitScore(z []float32) float64 {
	if len(z) == 1 {
		return float64(z[0])
	}
	return float64(z[1]) - float64(z[0])
}

// UtteranceInput writes the input of an utterance network: width frames
// of m from frame t0 on, as [dimension][time] (dst holds m.Cols·width
// values). Frames past the end of m wrap around to its start, so an
// utterance shorter than width is repeated end to end (training crops and
// utterances shorter than the network's minimum input).
func UtteranceInput(dst []float32, m *features.Matrix, t0, width int) {
	d := m.Cols
	t := t0 % m.Rows
	for j := 0; j < width; j++ {
		row := m.Data[t*d : (t+1)*d]
		for h, v := range row {
			dst[h*width+j] = v
		}
		if t++; t == m.Rows {
			t = 0
		}
	}
}

// scoreUtterance scores a normalised utterance with an utterance network.
func (s *cnnScorer) scoreUtterance(m *features.Matrix) (float64, error) {
	w := max(m.Rows, s.minWidth)
	if n := m.Cols * w; cap(s.x) < n {
		s.x = make([]float32, n)
	}
	s.x = s.x[:m.Cols*w]
	UtteranceInput(s.x, m, 0, w)
	if len(s.logits) < s.classes {
		s.logits = make([]float32, s.classes)
	}
	if err := s.net.Logits(s.x, 1, s.logits[:s.classes]); err != nil {
		return 0, err
	}
	score := LogitScore(s.logits[:s.classes])
	if math.IsNaN(score) || math.IsInf(score, 0) {
		return 0, fmt.Errorf("score is %v (non-finite features or weights)", score)
	}
	return score, nil
}

func (s *cnnScorer) Close() { s.net.Close() }

func (s *cnnScorer) ScoreFeatures(fm *features.Matrix) (float64, error) {
	m, err := s.normalize(fm)
	if err != nil {
		return 0, err
	}
	if s.minWidth > 0 {
		return s.scoreUtterance(m)
	}
	if s.x == nil {
		s.x = make([]float32, InferenceBatch*s.img)
		s.logits = make([]float32, 2*InferenceBatch)
	}
	sum := 0.0
	for t0 := 0; t0 < m.Rows; t0 += InferenceBatch {
		n := min(InferenceBatch, m.Rows-t0)
		for i := 0; i < n; i++ {
			features.ContextImage(s.x[i*s.img:(i+1)*s.img], m, t0+i, s.half)
		}
		k := s.classes
		if len(s.logits) < k*n {
			s.logits = make([]float32, k*InferenceBatch)
		}
		if err := s.net.Logits(s.x[:n*s.img], n, s.logits[:k*n]); err != nil {
			return 0, err
		}
		for i := 0; i < n; i++ {
			sum += LogitScore(s.logits[i*k : (i+1)*k])
		}
	}
	score := sum / float64(m.Rows)
	if math.IsNaN(score) || math.IsInf(score, 0) {
		return 0, fmt.Errorf("score is %v (non-finite features or weights)", score)
	}
	return score, nil
}

// gmmScorer scores with the two GMMs: mean frame log-likelihood under the
// genuine model minus that under the spoof model.
type gmmScorer struct {
	base
	genuine, spoof *gmm.Scorer
	dim            int
}

func (s *gmmScorer) Close() {}

func (s *gmmScorer) ScoreFeatures(fm *features.Matrix) (float64, error) {
	m, err := s.normalize(fm)
	if err != nil {
		return 0, err
	}
	if m.Cols != s.dim {
		return 0, fmt.Errorf("features have %d dimensions, the model expects %d", m.Cols, s.dim)
	}
	g, err := s.genuine.MeanLogLikelihood(m.Data)
	if err != nil {
		return 0, err
	}
	sp, err := s.spoof.MeanLogLikelihood(m.Data)
	if err != nil {
		return 0, err
	}
	score := g - sp
	if math.IsNaN(score) || math.IsInf(score, 0) {
		return 0, fmt.Errorf("score is %v (non-finite features)", score)
	}
	return score, nil
}

// ScoreFiles scores audio files in parallel and returns the scores in the
// order of paths. workers is the number of cores to use (≤ 0 means
// GOMAXPROCS): with at least as many files as cores each core scores its own
// files with its own scorer; with fewer files, each CNN scorer gets
// workers/len(paths) engine threads, so one long file still uses every core.
// report, if not nil, receives the progress in files (calls serialised). The
// first error stops every worker and is returned, naming its file; a
// cancelled ctx returns ctx.Err().
func (m *Model) ScoreFiles(ctx context.Context, paths []string, workers int, report progress.Func) ([]float64, error) {
	workers, threads := split(workers, len(paths))
	scores := make([]float64, len(paths))
	err := par.Do(ctx, len(paths), workers,
		func() (Scorer, error) { return m.NewScorer(threads) },
		Scorer.Close,
		func(_ context.Context, sc Scorer, i int) error {
			s, err := sc.ScoreFile(paths[i])
			scores[i] = s
			return err
		}, report.Named("", "files"))
	if err != nil {
		return nil, err
	}
	return scores, nil
}

// split shares cores (≤ 0 means GOMAXPROCS) among n files: one file per
// worker, and the cores left over go to each worker's engine threads.
func split(cores, n int) (workers, threads int) {
	cores = par.Workers(cores, math.MaxInt)
	workers = par.Workers(cores, n)
	return workers, max(1, cores/workers)
}
