package train

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/deep4deep/deep4deep/audio"
	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/eval"
	"github.com/deep4deep/deep4deep/features"
	"github.com/deep4deep/deep4deep/model"
	"github.com/deep4deep/deep4deep/nn"
)

// CNNOptions configures TrainCNN. Zero values take the defaults of
// DefaultCNNOptions where one is noted.
type CNNOptions struct {
	Corpus   corpus.Corpus
	Out      string          // model directory (created)
	Features features.Config // the frame features; must have Arch.InputHeight dimensions
	Arch     nn.Arch

	Epochs   int     // maximum number of epochs
	Patience int     // stop after this many epochs without a lower dev EER; 0 never stops early
	Batch    int     // mini-batch size
	LR       float64 // Adam learning rate
	Seed     uint64  // initialisation, shuffling, subsampling, dropout

	// FramesPerUtt > 0 trains each epoch on a fresh random subset of at most
	// this many frames per utterance (fast runs); 0 uses every frame.
	FramesPerUtt int
	// DevFrames > 0 scores at most this many evenly spaced frames of each dev
	// utterance (the same frames every epoch); 0 scores every frame.
	DevFrames int
	// Balance trains on equally many samples of each class per epoch (the
	// larger class randomly cut down, anew each epoch).
	Balance bool
	// Threads is the engine's thread count and the number of extraction
	// workers (0: all cores). Results are bit-identical for a given seed and
	// thread count.
	Threads int
	// Limits bound every audio file read (zero: audio's defaults, 1 h).
	Limits audio.Limits
	// Resume continues the run whose checkpoint is in Out/checkpoint.
	Resume bool
	// Augment, when set, transforms every train utterance's waveform anew
	// each epoch (seeded by AugmentRNG) before its features are computed;
	// the features are then normalised with the clean train statistics.
	// Dev and scoring never see it.
	Augment WaveTransform
	// AugmentFeatures, when set, transforms every train utterance's
	// normalised features anew each epoch (after Augment, with the same
	// generator): SpecAugment-style masking.
	AugmentFeatures FeatureTransform
	// AugmentSpec names the augmentation in the recipe (config.json and the
	// checkpoint), so that --resume refuses a run with another one.
	AugmentSpec string

	Logf     func(format string, args ...any) // one line per epoch and stage; nil: silent
	Progress Progress
}

// DefaultCNNOptions returns the seed recipe: fbank features, the DESIGN §4.1
// network, batch 256, Adam at 1e-3, up to 20 epochs with patience 5, seed 1.
func DefaultCNNOptions() CNNOptions {
	return CNNOptions{
		Features: features.DefaultConfig(features.Fbank),
		Arch:     nn.DefaultArch(),
		Epochs:   20,
		Patience: 5,
		Batch:    256,
		LR:       1e-3,
		Seed:     1,
	}
}

// cnnRecipe is what fixes the sequence of weights of a run: a resumed run
// must use the same.
type cnnRecipe struct {
	Model        string          `json:"model"`
	Features     features.Config `json:"features"`
	Arch         nn.Arch         `json:"architecture"`
	Batch        int             `json:"batch"`
	LR           float64         `json:"lr"`
	Seed         uint64          `json:"seed"`
	FramesPerUtt int             `json:"frames_per_utt"`
	DevFrames    int             `json:"dev_frames"`
	Balance      bool            `json:"balance"`
	Corpus       string          `json:"corpus_sha256"`
	Augment      string          `json:"augment,omitempty"`
}

// CNNTraining is the "training" object of a CNN model's config.json.
type CNNTraining struct {
	Model        string  `json:"model"`
	Epochs       int     `json:"epochs"`
	Patience     int     `json:"patience"`
	Batch        int     `json:"batch"`
	LR           float64 `json:"lr"`
	Seed         uint64  `json:"seed"`
	FramesPerUtt int     `json:"frames_per_utt"`
	DevFrames    int     `json:"dev_frames"`
	Balance      bool    `json:"balance"`
	Threads      int     `json:"threads"`
	TrainFrames  int     `json:"train_frames"`
	DevUttFrames int     `json:"dev_frames_total"`
	BestEpoch    int     `json:"best_epoch"`
	DevEER       float64 `json:"dev_eer"`
	DevLoss      float64 `json:"dev_loss"`
	EpochsRun    int     `json:"epochs_run"`
}

// Result summarises a training run.
type Result struct {
	Model     *model.Model
	BestEpoch int     // CNN: epoch kept (from 1); GMM: 0
	DevEER    float64 // dev EER of the kept model
	Log       []Epoch // CNN: every epoch run
}

// TrainCNN trains the CNN of o.Arch on o.Corpus and writes the model of the
// epoch with the lowest dev EER to o.Out, with train-log.csv, curves.png and
// a checkpoint after every epoch in o.Out/checkpoint. When ctx is cancelled
// it writes a checkpoint of where it stopped (mid-epoch) and returns an error
// wrapping ctx.Err(); o.Resume continues from there, bit-identically for the
// same thread count.
func TrainCNN(ctx context.Context, o CNNOptions) (*Result, error) {
	def := DefaultCNNOptions()
	if o.Batch <= 0 {
		o.Batch = def.Batch
	}
	if o.LR <= 0 {
		o.LR = def.LR
	}
	if o.Epochs <= 0 {
		o.Epochs = def.Epochs
	}
	if o.Features.Kind == "" {
		o.Features = def.Features
	}
	if o.Arch.InputHeight == 0 {
		o.Arch = def.Arch
	}
	o.Threads = defaultThreads(o.Threads)
	if o.Out == "" {
		return nil, errors.New("train: no output directory")
	}
	ex, err := features.New(o.Features)
	if err != nil {
		return nil, fmt.Errorf("features: %w", err)
	}
	if ex.Dim() != o.Arch.InputHeight {
		return nil, fmt.Errorf("the network takes %d-dimensional frames but %s features have %d", o.Arch.InputHeight, o.Features.Kind, ex.Dim())
	}
	if o.Arch.Utterance() {
		return nil, fmt.Errorf("architecture %s classifies whole utterances; this trainer cuts frame context images", o.Arch.Name)
	}
	if o.Arch.InputWidth%2 != 1 {
		return nil, fmt.Errorf("the network's input width %d is not odd (a context of t−w/2…t+w/2 frames)", o.Arch.InputWidth)
	}
	half := o.Arch.InputWidth / 2

	// Validate the corpus before any work: a missing file fails here.
	trainTrials, devTrials, fp, err := loadTrainDev(o.Corpus)
	if err != nil {
		return nil, err
	}
	recipe := cnnRecipe{Model: model.CNN, Features: o.Features, Arch: o.Arch, Batch: o.Batch, LR: o.LR, Seed: o.Seed,
		FramesPerUtt: o.FramesPerUtt, DevFrames: o.DevFrames, Balance: o.Balance, Corpus: fp.SHA256, Augment: o.AugmentSpec}

	ckptDir := filepath.Join(o.Out, CheckpointDir)
	var ck *checkpoint
	if o.Resume {
		if ck, err = readCheckpoint(ckptDir); err != nil {
			return nil, err
		}
		if err := ck.State.Recipe.sameAs(recipe); err != nil {
			return nil, fmt.Errorf("cannot resume %s: %w", ckptDir, err)
		}
	} else if _, err := os.Stat(filepath.Join(ckptDir, checkpointFile)); err == nil {
		return nil, fmt.Errorf("%s already holds a training run: continue it with --resume, or use another output directory", o.Out)
	}
	if err := os.MkdirAll(ckptDir, 0o755); err != nil {
		return nil, err
	}

	// Features of both sets, then train-set normalisation applied to both.
	train, err := extractTrials(ctx, o.Corpus, corpus.Train, trainTrials, o.Features, o.Limits, o.Threads, o.Progress)
	if err != nil {
		return nil, err
	}
	stats := features.NewStats(train.dim)
	for i := range train.utts {
		stats.Add(&train.utts[i])
	}
	norm := stats.Result()
	for i := range train.utts {
		norm.Apply(&train.utts[i])
	}
	// The dev set is streamed through each evaluation (devEvaluator); read it
	// once now so that a bad file fails before any training, and count it.
	devPaths := make([]string, len(devTrials))
	devLabels := make([]int32, len(devTrials))
	for i, t := range devTrials {
		devPaths[i], devLabels[i] = o.Corpus.AudioPath(corpus.Dev, t), int32(t.Label)
	}
	devTotal, devCache, err := scanDev(ctx, o.Features, o.Limits, devPaths, o.Threads, devCacheBytes, o.Progress)
	if err != nil {
		return nil, fmt.Errorf("dev set: %w", err)
	}
	for i := range devCache {
		norm.Apply(&devCache[i])
	}
	logf(o.Logf, "train: %d utterances, %d frames; dev: %d utterances, %d frames; %d features",
		len(train.utts), train.frames(), len(devPaths), devTotal, train.dim)

	net, err := nn.New(o.Arch, o.Seed)
	if err != nil {
		return nil, fmt.Errorf("architecture: %w", err)
	}
	defer net.Close()
	net.SetThreads(o.Threads)
	opt := nn.NewAdam(net, o.LR)
	st := &cnnState{Recipe: recipe}
	if ck != nil {
		if err := ck.restore(net, opt); err != nil {
			return nil, err
		}
		st = &ck.State
		logf(o.Logf, "resuming after epoch %d (%d samples into epoch %d)", st.Epoch, st.Step, st.Epoch+1)
	}

	info := CNNTraining{Model: model.CNN, Epochs: o.Epochs, Patience: o.Patience, Batch: o.Batch, LR: o.LR, Seed: o.Seed,
		FramesPerUtt: o.FramesPerUtt, DevFrames: o.DevFrames, Balance: o.Balance, Threads: o.Threads,
		TrainFrames: train.frames(), DevUttFrames: devTotal}
	cfg := model.Config{Format: model.FormatVersion, Kind: model.CNN, Features: o.Features, Normalization: &norm,
		Architecture: &o.Arch, Corpus: fp, Versions: model.CurrentVersions()}
	save := func() (*model.Model, error) {
		info.BestEpoch, info.DevEER, info.EpochsRun = st.BestEpoch, st.BestEER, st.Epoch
		if st.BestEpoch > 0 {
			info.DevLoss = st.Log[st.BestEpoch-1].DevLoss
		}
		raw, err := json.Marshal(info)
		if err != nil {
			return nil, err
		}
		c := cfg
		c.Training = raw
		m, err := model.NewCNN(c, net)
		if err != nil {
			return nil, err
		}
		return m, m.Save(o.Out)
	}

	img := train.dim * o.Arch.InputWidth
	dv := newDevEvaluator(devPaths, devLabels, o.Features, o.Limits, norm, o.Threads, o.DevFrames, half)
	dv.cache = devCache
	var best *model.Model
	if st.BestEpoch > 0 {
		if best, err = model.Load(o.Out); err != nil {
			return nil, fmt.Errorf("resuming: %w", err)
		}
	}
	for epoch := st.Epoch + 1; epoch <= o.Epochs; epoch++ {
		if o.Patience > 0 && st.BestEpoch > 0 && epoch-st.BestEpoch > o.Patience {
			logf(o.Logf, "early stop: no better dev EER in %d epochs since epoch %d", o.Patience, st.BestEpoch)
			break
		}
		t0 := time.Now()
		epochSet := train
		if o.Augment != nil || o.AugmentFeatures != nil {
			if epochSet, err = augmentedSet(ctx, o.Features, o.Limits, trainPaths(o.Corpus, trainTrials), train, norm, o.Augment, o.AugmentFeatures, o.Seed, epoch, o.Threads); err != nil {
				return nil, fmt.Errorf("train set, epoch %d: %w", epoch, err)
			}
		}
		rng := rand.New(rand.NewPCG(o.Seed, uint64(epoch)))
		samples := epochSamples(rng, epochSet, o.FramesPerUtt, o.Balance)
		if st.Step > len(samples) {
			return nil, fmt.Errorf("checkpoint is %d samples into epoch %d, which has only %d", st.Step, epoch, len(samples))
		}
		if st.Step == 0 {
			st.SumLoss, st.Correct, st.TrainSeconds, st.EpochSeconds = 0, 0, 0, 0
			if err := net.SetRNGState(epochRNG(o.Seed, epoch)); err != nil {
				return nil, err
			}
		}
		update, end := o.Progress.start(fmt.Sprintf("epoch %d/%d", epoch, o.Epochs), "samples", len(samples))
		bt := newBatcher(epochSet, samples, st.Step, o.Batch, half)
		var stopErr error
		for b := bt.next(); b != nil; b = bt.next() {
			loss, correct, err := net.TrainStep(b.x[:b.n*img], b.y[:b.n], opt)
			bt.release(b)
			if err != nil {
				stopErr = err
				break
			}
			if math.IsNaN(loss) || math.IsInf(loss, 0) {
				stopErr = fmt.Errorf("training diverged at epoch %d (loss %v); try a lower --lr", epoch, loss)
				break
			}
			st.SumLoss += loss * float64(b.n)
			st.Correct += int64(correct)
			st.Step += b.n
			if update != nil {
				update(st.Step)
			}
			if ctx.Err() != nil {
				stopErr = ctx.Err()
				break
			}
		}
		bt.close()
		end()
		trainSec := time.Since(t0).Seconds()
		st.TrainSeconds += trainSec
		if stopErr != nil {
			if ctx.Err() == nil {
				return nil, stopErr
			}
			return nil, st.interrupt(o, net, opt, epoch, time.Since(t0).Seconds(), ctx.Err())
		}

		devLoss, devEER, err := dv.run(ctx, net, o.Progress)
		if err != nil {
			return nil, st.interrupt(o, net, opt, epoch, time.Since(t0).Seconds(), err)
		}
		st.EpochSeconds += time.Since(t0).Seconds()
		row := Epoch{Epoch: epoch, TrainLoss: st.SumLoss / float64(max(1, st.Step)), TrainAccuracy: float64(st.Correct) / float64(max(1, st.Step)),
			DevLoss: devLoss, DevEER: devEER, SamplesPerSec: float64(st.Step) / math.Max(st.TrainSeconds, 1e-9), Seconds: st.EpochSeconds}
		st.Log = append(st.Log, row)
		st.Epoch, st.Step = epoch, 0
		mark := ""
		if st.BestEpoch == 0 || devEER < st.BestEER {
			st.BestEpoch, st.BestEER = epoch, devEER
			if best, err = save(); err != nil {
				return nil, err
			}
			mark = " (best)"
		}
		if err := writeLog(o.Out, st.Log); err != nil {
			return nil, err
		}
		if err := writeCurves(o.Out, "cnn-"+string(o.Features.Kind), st.Log); err != nil {
			return nil, err
		}
		if err := writeCheckpoint(ckptDir, st, net, opt); err != nil {
			return nil, err
		}
		logf(o.Logf, "epoch %d/%d: train loss %.4f acc %.2f%% | dev loss %.4f EER %.2f%%%s | %.0f samples/s | %.1f s",
			epoch, o.Epochs, row.TrainLoss, 100*row.TrainAccuracy, row.DevLoss, 100*row.DevEER, mark, row.SamplesPerSec, row.Seconds)
	}
	if best == nil {
		return nil, fmt.Errorf("no epoch was trained (epochs %d)", o.Epochs)
	}
	// Rewrite config.json with the final epoch count.
	if best, err = finalize(o.Out, info, st); err != nil {
		return nil, err
	}
	return &Result{Model: best, BestEpoch: st.BestEpoch, DevEER: st.BestEER, Log: st.Log}, nil
}

// finalize records the number of epochs run in the saved model's config.
func finalize(dir string, info CNNTraining, st *cnnState) (*model.Model, error) {
	m, err := model.Load(dir)
	if err != nil {
		return nil, err
	}
	info.BestEpoch, info.DevEER, info.EpochsRun = st.BestEpoch, st.BestEER, st.Epoch
	info.DevLoss = st.Log[st.BestEpoch-1].DevLoss
	raw, err := json.Marshal(info)
	if err != nil {
		return nil, err
	}
	m.Config.Training = raw
	return m, m.Save(dir)
}

// epochRNG is the engine's RNG state (dropout masks) at the start of an
// epoch, derived from the seed so that every epoch's masks are reproducible.
func epochRNG(seed uint64, epoch int) []byte {
	r := rand.NewPCG(seed^0x9e3779b97f4a7c15, uint64(epoch)+1<<32)
	state, _ := r.MarshalBinary()
	return state
}

// interrupt writes a mid-epoch checkpoint and returns the error to report.
func (st *cnnState) interrupt(o CNNOptions, net *nn.Net, opt *nn.Adam, epoch int, sec float64, cause error) error {
	st.EpochSeconds += sec
	if err := writeCheckpoint(filepath.Join(o.Out, CheckpointDir), st, net, opt); err != nil {
		return fmt.Errorf("%w (and writing the checkpoint failed: %v)", cause, err)
	}
	return fmt.Errorf("training stopped in epoch %d (%d samples done); continue with --resume: %w", epoch, st.Step, cause)
}

// trainPaths lists the audio files of the train trials.
func trainPaths(c corpus.Corpus, trials []corpus.Trial) []string {
	paths := make([]string, len(trials))
	for i, t := range trials {
		paths[i] = c.AudioPath(corpus.Train, t)
	}
	return paths
}

// extractTrials computes the features of one set's trials.
func extractTrials(ctx context.Context, c corpus.Corpus, set corpus.Set, trials []corpus.Trial, cfg features.Config, lim audio.Limits, workers int, p Progress) (*frameSet, error) {
	paths := make([]string, len(trials))
	labels := make([]int32, len(trials))
	for i, t := range trials {
		paths[i] = c.AudioPath(set, t)
		labels[i] = int32(t.Label)
	}
	update, end := p.start(fmt.Sprintf("%s %s features", set, cfg.Kind), "files", len(paths))
	defer end()
	s, err := extractSet(ctx, cfg, lim, paths, labels, workers, update)
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
func scanDev(ctx context.Context, cfg features.Config, lim audio.Limits, paths []string, workers int, budget int, p Progress) (int, []features.Matrix, error) {
	update, end := p.start(fmt.Sprintf("dev %s features", cfg.Kind), "files", len(paths))
	defer end()
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
	}, func(done, _ int) { update(done) })
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

// run returns the mean cross-entropy over the scored frames and the ROCCH
// EER of the utterance scores (mean over frames of z_genuine − z_spoof, the
// difference of log-softmax outputs).
func (d *devEvaluator) run(ctx context.Context, net *nn.Net, p Progress) (loss, eer float64, err error) {
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
			z0, z1 := float64(d.logits[2*i]), float64(d.logits[2*i+1])
			sum[u] += z1 - z0
			cnt[u]++
			m := math.Max(z0, z1)
			lse := m + math.Log(math.Exp(z0-m)+math.Exp(z1-m))
			if d.labels[u] == 1 {
				lossSum += lse - z1
			} else {
				lossSum += lse - z0
			}
			lossN++
		}
		k = 0
		return nil
	}
	update, end := p.start("dev evaluation", "files", n)
	defer end()
	for lo := 0; lo < n; lo += devChunk {
		hi := min(lo+devChunk, n)
		utts, err := d.extract(ctx, lo, hi)
		if err != nil {
			return 0, 0, err
		}
		for j := range utts {
			m := &utts[j]
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
		if update != nil {
			update(hi)
		}
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
