package train

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/deep4deep/deep4deep/audio"
	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/eval"
	"github.com/deep4deep/deep4deep/features"
	"github.com/deep4deep/deep4deep/gmm"
	"github.com/deep4deep/deep4deep/internal/atomicfile"
	"github.com/deep4deep/deep4deep/model"
	"github.com/deep4deep/deep4deep/progress"
)

// GMMOptions configures TrainGMM.
type GMMOptions struct {
	Corpus   corpus.Corpus
	Out      string          // model directory (created)
	Features features.Config // CQCC for the ASVspoof 2017 baseline, LFCC for 2019's

	Components int     // Gaussians per class (512 in the baselines; 0: the default)
	Iters      int     // maximum EM iterations (0: the default)
	Tol        float64 // relative log-likelihood change that ends EM early (0: run Iters)
	// MaxFrames > 0 trains each class on a random subset (seeded) of at most
	// this many frames, for fast runs; 0 uses every frame as the baseline
	// does.
	MaxFrames int
	// CMVN normalises each utterance's features to zero mean and unit
	// variance per dimension (train, dev and scoring alike). The official
	// 2017 baseline has none; the V2 paper reports 29.35% → 12.24% eval EER
	// with it.
	CMVN    bool
	Seed    uint64
	Threads int // EM threads and extraction workers (0: all cores)
	// Limits bound every audio file read (zero: audio's defaults, 1 h).
	Limits audio.Limits

	Logf     func(format string, args ...any)
	Progress progress.Func
}

// Validate checks every option; the error is an *OptionError naming the
// first bad field. Zero Components, Iters and Features mean the defaults
// (DefaultGMMOptions); negative values are errors, never replaced.
func (o GMMOptions) Validate() error {
	bad := func(field string, v any, problem string) error { return &OptionError{field, v, problem} }
	switch {
	case o.Out == "":
		return bad("Out", `""`, "no output directory")
	case o.Components < 0:
		return bad("Components", o.Components, "must be positive (0 for the default)")
	case o.Iters < 0:
		return bad("Iters", o.Iters, "must be positive (0 for the default)")
	case !(o.Tol >= 0) || math.IsInf(o.Tol, 0):
		return bad("Tol", o.Tol, "must be a number ≥ 0 (0 runs every iteration)")
	case o.MaxFrames < 0:
		return bad("MaxFrames", o.MaxFrames, "must not be negative (0: every frame)")
	case o.Threads < 0:
		return bad("Threads", o.Threads, "must not be negative (0: all cores)")
	}
	if o.Features.Kind != "" {
		if _, err := features.New(o.Features); err != nil {
			return bad("Features", o.Features.Kind, err.Error())
		}
	}
	return nil
}

// DefaultGMMOptions returns the ASVspoof 2017 baseline: CQCC features, 512
// components per class, EM up to 100 iterations (relative tolerance 1e-5),
// no normalisation, every frame, seed 1.
func DefaultGMMOptions() GMMOptions {
	d := gmm.DefaultOptions()
	return GMMOptions{Features: features.DefaultConfig(features.CQCC), Components: d.Components, Iters: d.MaxIter, Tol: d.Tol, Seed: 1}
}

// GMMTraining is the "training" object of a GMM model's config.json.
type GMMTraining struct {
	Model      string   `json:"model"`
	Components int      `json:"components"`
	Iters      int      `json:"max_iters"`
	Tol        float64  `json:"tol"`
	MaxFrames  int      `json:"max_frames"`
	CMVN       bool     `json:"cmvn"`
	Seed       uint64   `json:"seed"`
	Threads    int      `json:"threads"`
	Frames     PerClass `json:"frames"`    // frames each GMM was trained on
	ItersRun   PerClass `json:"iters_run"` // EM iterations each GMM ran
	DevEER     float64  `json:"dev_eer"`
	DevEERStep float64  `json:"dev_eer_step"`
	Seconds    float64  `json:"seconds"`
}

// PerClass is a count per class.
type PerClass struct {
	Genuine int `json:"genuine"`
	Spoof   int `json:"spoof"`
}

func (p *PerClass) of(l corpus.Label) *int {
	if l == corpus.Genuine {
		return &p.Genuine
	}
	return &p.Spoof
}

// TrainGMM trains the two-GMM baseline: one diagonal GMM on all train frames
// of each class, then scores the dev set (mean frame log-likelihood genuine −
// spoof) and writes the model with its dev EER to o.Out. train-log.csv holds
// the EM progress (class, iteration, mean frame log-likelihood, seconds).
func TrainGMM(ctx context.Context, o GMMOptions) (*Result, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	def := DefaultGMMOptions()
	if o.Features.Kind == "" {
		o.Features = def.Features
	}
	if o.Components <= 0 {
		o.Components = def.Components
	}
	if o.Iters <= 0 {
		o.Iters = def.Iters
	}
	o.Threads = defaultThreads(o.Threads)
	start := time.Now()
	trainTrials, devTrials, fp, err := loadTrainDev(o.Corpus)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return nil, err
	}
	info := GMMTraining{Model: model.GMM, Components: o.Components, Iters: o.Iters, Tol: o.Tol, MaxFrames: o.MaxFrames,
		CMVN: o.CMVN, Seed: o.Seed, Threads: o.Threads}

	var logBuf bytes.Buffer
	logBuf.WriteString("class,iteration,mean_log_likelihood,seconds\n")
	var mixtures [2]*gmm.GMM
	for _, class := range []corpus.Label{corpus.Genuine, corpus.Spoof} {
		var ts []corpus.Trial
		for _, t := range trainTrials {
			if t.Label == class {
				ts = append(ts, t)
			}
		}
		if len(ts) == 0 {
			return nil, fmt.Errorf("the train set has no %s trials", class)
		}
		fs, err := extractTrials(ctx, o.Corpus, corpus.Train, ts, o.Features, o.Limits, o.Threads, o.Progress)
		if err != nil {
			return nil, err
		}
		if o.CMVN {
			for i := range fs.utts {
				features.CMVN(&fs.utts[i])
			}
		}
		// The per-utterance arena is garbage once copied (fs is not used
		// again), so at most one class's frames are held twice.
		dim := fs.dim
		data := classFrames(fs, o.MaxFrames, rand.New(rand.NewPCG(o.Seed, uint64(class)+100)))
		*info.Frames.of(class) = len(data) / dim
		opt := gmm.DefaultOptions()
		opt.Components, opt.MaxIter, opt.Tol, opt.Seed, opt.Threads = o.Components, o.Iters, o.Tol, o.Seed, o.Threads
		if n := *info.Frames.of(class); opt.Components > n {
			return nil, fmt.Errorf("%s GMM: %d components but only %d training frames", class, opt.Components, n)
		}
		t0 := time.Now()
		update := o.Progress.Stage(fmt.Sprintf("%s GMM (EM)", class), "iterations", o.Iters)
		g, err := gmm.Train(ctx, data, dim, opt, func(iter int, ll float64) {
			fmt.Fprintf(&logBuf, "%s,%d,%s,%.2f\n", class, iter, strconv.FormatFloat(ll, 'g', 10, 64), time.Since(t0).Seconds())
			*info.ItersRun.of(class) = iter
			update(iter)
			logf(o.Logf, "%s GMM: EM iteration %d, mean log-likelihood %.4f (%.0f s)", class, iter, ll, time.Since(t0).Seconds())
		})
		if err != nil {
			return nil, fmt.Errorf("%s GMM: %w", class, err)
		}
		mixtures[class] = g
		logf(o.Logf, "%s GMM: %d components on %d frames in %.1f s", class, g.K, *info.Frames.of(class), time.Since(t0).Seconds())
	}
	if err := atomicfile.WriteFile(filepath.Join(o.Out, LogFile), logBuf.Bytes(), 0o644); err != nil {
		return nil, err
	}

	cfg := model.Config{Format: model.FormatVersion, Features: o.Features, CMVN: o.CMVN, Corpus: fp, Versions: model.CurrentVersions()}
	m, err := model.NewGMM(cfg, mixtures[corpus.Genuine], mixtures[corpus.Spoof])
	if err != nil {
		return nil, err
	}
	// Dev scores through the same code path as `deep4deep score`.
	paths := make([]string, len(devTrials))
	for i, t := range devTrials {
		paths[i] = o.Corpus.AudioPath(corpus.Dev, t)
	}
	m.Limits = o.Limits
	scores, err := m.ScoreFiles(ctx, paths, o.Threads, o.Progress.Named("dev scores", "files"))
	if err != nil {
		return nil, fmt.Errorf("dev set: %w", err)
	}
	byID := make(map[string]float64, len(devTrials))
	for i, t := range devTrials {
		byID[t.ID()] = scores[i]
	}
	gen, spoof := eval.ClassScores(devTrials, byID)
	info.DevEER, info.DevEERStep = eval.EER(gen, spoof), eval.EERStep(gen, spoof)
	info.Seconds = time.Since(start).Seconds()
	raw, err := json.Marshal(info)
	if err != nil {
		return nil, err
	}
	m.Config.Training = raw
	if err := m.Save(o.Out); err != nil {
		return nil, err
	}
	logf(o.Logf, "dev EER %.2f%% (step EER %.2f%%); model in %s", 100*info.DevEER, 100*info.DevEERStep, o.Out)
	return &Result{Model: m, DevEER: info.DevEER}, nil
}

// classFrames copies the frames of every utterance of s into one contiguous
// matrix (frames × dim), or, with maxFrames > 0 and more frames than that, a
// uniformly random subset of maxFrames of them (kept in corpus order).
func classFrames(s *frameSet, maxFrames int, rng *rand.Rand) []float32 {
	total, d := s.frames(), s.dim
	if maxFrames <= 0 || total <= maxFrames {
		out := make([]float32, 0, total*d)
		for _, m := range s.utts {
			out = append(out, m.Data...)
		}
		return out
	}
	idx := make([]uint32, total)
	for i := range idx {
		idx[i] = uint32(i)
	}
	for i := 0; i < maxFrames; i++ {
		j := i + rng.IntN(total-i)
		idx[i], idx[j] = idx[j], idx[i]
	}
	idx = idx[:maxFrames]
	slices.Sort(idx)
	out := make([]float32, maxFrames*d)
	for i, g := range idx {
		u, t := s.locate(int(g))
		copy(out[i*d:(i+1)*d], s.utts[u].Row(t))
	}
	return out
}
