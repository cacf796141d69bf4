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
	"time"

	"github.com/deep4deep/deep4deep/audio"
	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/features"
	"github.com/deep4deep/deep4deep/model"
	"github.com/deep4deep/deep4deep/nn"
	"github.com/deep4deep/deep4deep/progress"
)

// CNNOptions configures a CNN training run (TrainCNN, NewCNNTrainer). Start
// from DefaultCNNOptions; Validate says which field is wrong.
type CNNOptions struct {
	Corpus   corpus.Corpus
	Out      string          // model directory (created)
	Features features.Config // the frame features; must have Arch.InputHeight dimensions
	// Arch is the network: a frames network (the seed CNN) trains on one
	// context image per frame, an utterance network (lcnn) on random
	// crops of CropFrames frames and is scored on whole utterances.
	Arch nn.Arch

	Epochs   int     // maximum number of epochs
	Patience int     // stop after this many epochs without a lower dev EER; 0 never stops early
	Batch    int     // mini-batch size (0: 256 for a frames network, 16 for an utterance network)
	LR       float64 // Adam learning rate
	Seed     uint64  // initialisation, shuffling, subsampling, dropout

	// FramesPerUtt > 0 trains each epoch on a fresh random subset of at most
	// this many frames per utterance (fast runs); 0 uses every frame.
	// Frames networks only.
	FramesPerUtt int
	// CropFrames is the length of the training crops of an utterance
	// network (0: 400, which is 4 s of LFCC at its 10 ms hop). Each epoch
	// takes one crop per utterance at a random offset; an utterance shorter
	// than the crop is repeated end to end to fill it (model.UtteranceInput).
	CropFrames int
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
	Progress progress.Func
}

// DefaultCNNOptions returns the seed recipe: fbank features, the DESIGN §4.1
// network, batch 256 (Batch 0, which picks 256 for a frames network and 16
// for an utterance network), Adam at 1e-3, up to 20 epochs with patience 5,
// seed 1. For an utterance network, set Arch and Features and leave Batch
// and CropFrames 0 for their defaults.
func DefaultCNNOptions() CNNOptions {
	return CNNOptions{
		Features: features.DefaultConfig(features.Fbank),
		Arch:     nn.DefaultArch(),
		Epochs:   20,
		Patience: 5,
		Batch:    0, // 256 for a frames network, 16 for an utterance network
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
	CropFrames   int             `json:"crop_frames,omitempty"`
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
	CropFrames   int     `json:"crop_frames,omitempty"`
	Balance      bool    `json:"balance"`
	Augment      string  `json:"augment,omitempty"` // the on-the-fly augmentation spec
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

// Defaults of the options that 0 selects.
const (
	defaultFrameBatch = 256
	defaultUttBatch   = 16
	defaultCropFrames = DefaultCropFrames
)

// DefaultCropFrames is the training crop of an utterance network when
// CNNOptions.CropFrames is 0: 400 frames (4 s of LFCC).
const DefaultCropFrames = 400

// OptionError is a bad training option: Field is the option's field name
// (a CLI maps it to its flag).
type OptionError struct {
	Field   string
	Value   any
	Problem string
}

func (e *OptionError) Error() string {
	return fmt.Sprintf("option %s = %v: %s", e.Field, e.Value, e.Problem)
}

// ErrRunExists is returned when the output directory already holds a
// training run and Resume is not set.
var ErrRunExists = errors.New("the output directory already holds a training run")

// Validate checks every option; the error is an *OptionError naming the
// first bad field (or the architecture's problem).
func (o CNNOptions) Validate() error {
	bad := func(field string, v any, problem string) error { return &OptionError{field, v, problem} }
	switch {
	case o.Out == "":
		return bad("Out", `""`, "no output directory")
	case o.Epochs < 1:
		return bad("Epochs", o.Epochs, "must be at least 1")
	case o.Patience < 0:
		return bad("Patience", o.Patience, "must not be negative (0 never stops early)")
	case o.Batch < 0:
		return bad("Batch", o.Batch, "must be positive (0 for the default)")
	case !(o.LR > 0) || math.IsInf(o.LR, 0):
		return bad("LR", o.LR, "must be a positive number")
	case o.FramesPerUtt < 0:
		return bad("FramesPerUtt", o.FramesPerUtt, "must not be negative")
	case o.DevFrames < 0:
		return bad("DevFrames", o.DevFrames, "must not be negative")
	case o.CropFrames < 0:
		return bad("CropFrames", o.CropFrames, "must not be negative")
	case o.Threads < 0:
		return bad("Threads", o.Threads, "must not be negative (0: all cores)")
	}
	if err := o.Arch.Validate(); err != nil {
		return bad("Arch", o.Arch.Name, err.Error())
	}
	ex, err := features.New(o.Features)
	if err != nil {
		return bad("Features", o.Features.Kind, err.Error())
	}
	if ex.Dim() != o.Arch.InputHeight {
		return bad("Features", o.Features.Kind, fmt.Sprintf("%d dimensions, but network %s takes %d", ex.Dim(), o.Arch.Name, o.Arch.InputHeight))
	}
	if o.Arch.Utterance() {
		if o.FramesPerUtt != 0 {
			return bad("FramesPerUtt", o.FramesPerUtt, "applies to frames networks only (an utterance network trains on crops: CropFrames)")
		}
		if o.DevFrames != 0 {
			return bad("DevFrames", o.DevFrames, "applies to frames networks only (an utterance network scores whole utterances)")
		}
		if c := o.crop(); c < o.Arch.MinWidth() {
			return bad("CropFrames", c, fmt.Sprintf("shorter than the network's minimum input of %d frames", o.Arch.MinWidth()))
		}
	} else if o.Arch.InputWidth%2 != 1 {
		return bad("Arch", o.Arch.Name, fmt.Sprintf("input width %d is not odd (a context of t−w/2…t+w/2 frames)", o.Arch.InputWidth))
	}
	return nil
}

func (o CNNOptions) batch() int {
	switch {
	case o.Batch > 0:
		return o.Batch
	case o.Arch.Utterance():
		return defaultUttBatch
	}
	return defaultFrameBatch
}

func (o CNNOptions) crop() int {
	if !o.Arch.Utterance() {
		return 0
	}
	if o.CropFrames > 0 {
		return o.CropFrames
	}
	return defaultCropFrames
}

// TrainCNN trains the network of o.Arch on o.Corpus and writes the model of
// the epoch with the lowest dev EER to o.Out, with train-log.csv and a
// checkpoint after every epoch in o.Out/checkpoint. When ctx is cancelled
// it writes a checkpoint of where it stopped (mid-epoch) and returns an
// error wrapping ctx.Err(); o.Resume continues from there, bit-identically
// for the same thread count. The returned Result holds the log (for
// plotting: plot.Curves).
func TrainCNN(ctx context.Context, o CNNOptions) (*Result, error) {
	t, err := NewCNNTrainer(ctx, o)
	if err != nil {
		return nil, err
	}
	defer t.Close()
	for !t.Done() {
		if _, err := t.Epoch(ctx); err != nil {
			return nil, err
		}
	}
	return t.Finish()
}

// CNNTrainer is a CNN training run, epoch by epoch: NewCNNTrainer sets it
// up (validation, corpus, features, network, or the checkpoint to resume),
// Epoch trains and evaluates one epoch and checkpoints, Finish writes the
// final model. Close releases the network.
type CNNTrainer struct {
	o           CNNOptions
	trainTrials []corpus.Trial
	train       *frameSet
	norm        features.Normalization
	dev         *devEvaluator
	net         *nn.Net
	opt         *nn.Adam
	st          *cnnState
	best        *model.Model
	cfg         model.Config
	info        CNNTraining
	ckptDir     string
	stopped     bool            // early stop
	aug         *epochAugmenter // nil without augmentation
}

// NewCNNTrainer validates o and prepares the run: it reads the corpus (a
// missing file fails here), computes the features of both sets and the
// train normalisation, and builds the network, or restores it from the
// checkpoint when o.Resume is set.
func NewCNNTrainer(ctx context.Context, o CNNOptions) (*CNNTrainer, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	o.Threads = defaultThreads(o.Threads)
	t := &CNNTrainer{o: o, ckptDir: filepath.Join(o.Out, CheckpointDir)}

	// Validate the corpus before any work: a missing file fails here.
	trainTrials, devTrials, fp, err := loadTrainDev(o.Corpus)
	if err != nil {
		return nil, err
	}
	t.trainTrials = trainTrials
	recipe := cnnRecipe{Model: model.CNN, Features: o.Features, Arch: o.Arch, Batch: o.batch(), LR: o.LR, Seed: o.Seed,
		FramesPerUtt: o.FramesPerUtt, DevFrames: o.DevFrames, CropFrames: o.crop(), Balance: o.Balance, Corpus: fp.SHA256, Augment: o.AugmentSpec}

	var ck *checkpoint
	if o.Resume {
		if ck, err = readCheckpoint(t.ckptDir); err != nil {
			return nil, err
		}
		if err := ck.State.Recipe.sameAs(recipe); err != nil {
			return nil, fmt.Errorf("cannot resume %s: %w", t.ckptDir, err)
		}
	} else if _, err := os.Stat(filepath.Join(t.ckptDir, checkpointFile)); err == nil {
		return nil, fmt.Errorf("%s: %w (resume it, or use another output directory)", o.Out, ErrRunExists)
	}
	if err := os.MkdirAll(t.ckptDir, 0o755); err != nil {
		return nil, err
	}

	// Features of both sets, then train-set normalisation applied to both.
	if t.train, err = extractTrials(ctx, o.Corpus, corpus.Train, trainTrials, o.Features, o.Limits, o.Threads, o.Progress); err != nil {
		return nil, err
	}
	stats := features.NewStats(t.train.dim)
	for i := range t.train.utts {
		stats.Add(&t.train.utts[i])
	}
	t.norm = stats.Result()
	for i := range t.train.utts {
		t.norm.Apply(&t.train.utts[i])
	}
	// The dev set is streamed through each evaluation (devEvaluator); read it
	// once now so that a bad file fails before any training, and count it.
	devPaths := make([]string, len(devTrials))
	devLabels := make([]int32, len(devTrials))
	for i, tr := range devTrials {
		devPaths[i], devLabels[i] = o.Corpus.AudioPath(corpus.Dev, tr), int32(tr.Label)
	}
	devTotal, devCache, err := scanDev(ctx, o.Features, o.Limits, devPaths, o.Threads, devCacheBytes, o.Progress)
	if err != nil {
		return nil, fmt.Errorf("dev set: %w", err)
	}
	for i := range devCache {
		t.norm.Apply(&devCache[i])
	}
	logf(o.Logf, "train: %d utterances, %d frames; dev: %d utterances, %d frames; %d features",
		len(t.train.utts), t.train.frames(), len(devPaths), devTotal, t.train.dim)

	if t.net, err = nn.New(o.Arch, o.Seed); err != nil {
		return nil, fmt.Errorf("architecture: %w", err)
	}
	t.net.SetThreads(o.Threads)
	t.opt = nn.NewAdam(t.net, o.LR)
	t.st = &cnnState{Recipe: recipe}
	if ck != nil {
		if err := ck.restore(t.net, t.opt); err != nil {
			t.net.Close()
			return nil, err
		}
		t.st = &ck.State
		logf(o.Logf, "resuming after epoch %d (%d samples into epoch %d)", t.st.Epoch, t.st.Step, t.st.Epoch+1)
	}
	t.info = CNNTraining{Model: model.CNN, Epochs: o.Epochs, Patience: o.Patience, Batch: o.batch(), LR: o.LR, Seed: o.Seed,
		FramesPerUtt: o.FramesPerUtt, DevFrames: o.DevFrames, CropFrames: o.crop(), Balance: o.Balance, Augment: o.AugmentSpec, Threads: o.Threads,
		TrainFrames: t.train.frames(), DevUttFrames: devTotal}
	arch := o.Arch
	t.cfg = model.Config{Format: model.FormatVersion, Kind: model.CNN, Features: o.Features, Normalization: &t.norm,
		Architecture: &arch, Corpus: fp, Versions: model.CurrentVersions()}
	t.dev = newDevEvaluator(devPaths, devLabels, o.Features, o.Limits, t.norm, o.Threads, o.DevFrames, o.Arch.InputWidth/2)
	if o.Arch.Utterance() {
		t.dev.uttArch = &arch
	}
	t.dev.cache = devCache
	if o.Augment != nil || o.AugmentFeatures != nil {
		t.aug = &epochAugmenter{cfg: o.Features, lim: o.Limits, paths: trainPaths(o.Corpus, trainTrials), clean: t.train, norm: t.norm,
			tf: o.Augment, ft: o.AugmentFeatures, seed: o.Seed, workers: o.Threads}
	}
	if t.st.BestEpoch > 0 {
		if t.best, err = model.Load(o.Out); err != nil {
			t.net.Close()
			return nil, fmt.Errorf("resuming: %w", err)
		}
	}
	return t, nil
}

// Close stops the background augmentation and releases the network's
// worker goroutines.
func (t *CNNTrainer) Close() {
	if t.aug != nil {
		t.aug.stop()
	}
	t.net.Close()
}

// Done reports whether the run is over: every epoch trained, or stopped
// early for lack of progress on the dev set.
func (t *CNNTrainer) Done() bool {
	st, o := t.st, t.o
	if o.Patience > 0 && st.BestEpoch > 0 && st.Epoch+1-st.BestEpoch > o.Patience && st.Epoch < o.Epochs {
		if !t.stopped {
			logf(o.Logf, "early stop: no better dev EER in %d epochs since epoch %d", o.Patience, st.BestEpoch)
			t.stopped = true
		}
		return true
	}
	return st.Epoch >= o.Epochs
}

// Net is the network being trained.
func (t *CNNTrainer) Net() *nn.Net { return t.net }

// Log is every epoch's row so far.
func (t *CNNTrainer) Log() []Epoch { return t.st.Log }

// Epoch trains the next epoch (from where a resumed checkpoint stopped),
// evaluates the dev set, keeps the model when its dev EER is the best so
// far, and writes the log and a checkpoint. On cancellation it writes a
// mid-epoch checkpoint and returns an error wrapping ctx.Err().
func (t *CNNTrainer) Epoch(ctx context.Context) (Epoch, error) {
	st, o := t.st, t.o
	epoch := st.Epoch + 1
	t0 := time.Now()
	if err := t.trainEpoch(ctx, epoch); err != nil {
		if ctx.Err() == nil {
			return Epoch{}, err
		}
		return Epoch{}, t.interrupt(epoch, time.Since(t0).Seconds(), ctx.Err())
	}
	devLoss, devEER, err := t.Evaluate(ctx)
	if err != nil {
		return Epoch{}, t.interrupt(epoch, time.Since(t0).Seconds(), err)
	}
	st.EpochSeconds += time.Since(t0).Seconds()
	row := Epoch{Epoch: epoch, TrainLoss: st.SumLoss / float64(max(1, st.Step)), TrainAccuracy: float64(st.Correct) / float64(max(1, st.Step)),
		DevLoss: devLoss, DevEER: devEER, SamplesPerSec: float64(st.Step) / math.Max(st.TrainSeconds, 1e-9), Seconds: st.EpochSeconds}
	st.Log = append(st.Log, row)
	st.Epoch, st.Step = epoch, 0
	mark := ""
	if st.BestEpoch == 0 || devEER < st.BestEER {
		st.BestEpoch, st.BestEER = epoch, devEER
		if t.best, err = t.Save(); err != nil {
			return Epoch{}, err
		}
		mark = " (best)"
	}
	if err := writeLog(o.Out, st.Log); err != nil {
		return Epoch{}, err
	}
	if err := writeCheckpoint(t.ckptDir, st, t.net, t.opt); err != nil {
		return Epoch{}, err
	}
	logf(o.Logf, "epoch %d/%d: train loss %.4f acc %.2f%% | dev loss %.4f EER %.2f%%%s | %.0f samples/s | %.1f s",
		epoch, o.Epochs, row.TrainLoss, 100*row.TrainAccuracy, row.DevLoss, 100*row.DevEER, mark, row.SamplesPerSec, row.Seconds)
	return row, nil
}

// trainEpoch runs the training steps of one epoch, from sample st.Step.
func (t *CNNTrainer) trainEpoch(ctx context.Context, epoch int) error {
	st, o := t.st, t.o
	t0 := time.Now()
	defer func() { st.TrainSeconds += time.Since(t0).Seconds() }()
	epochSet := t.train
	if t.aug != nil {
		var err error
		if epochSet, err = t.aug.set(ctx, epoch); err != nil {
			return fmt.Errorf("train set, epoch %d: %w", epoch, err)
		}
		if epoch < o.Epochs {
			t.aug.prefetch(epoch + 1)
		}
	}
	rng := rand.New(rand.NewPCG(o.Seed, uint64(epoch)))
	var samples []uint32
	var bt *batcher
	bs := o.batch()
	if o.Arch.Utterance() {
		samples = epochUtterances(rng, epochSet, o.Balance)
	} else {
		samples = epochSamples(rng, epochSet, o.FramesPerUtt, o.Balance)
	}
	if st.Step > len(samples) {
		return fmt.Errorf("checkpoint is %d samples into epoch %d, which has only %d", st.Step, epoch, len(samples))
	}
	if st.Step == 0 {
		st.SumLoss, st.Correct, st.TrainSeconds, st.EpochSeconds = 0, 0, 0, 0
		if err := t.net.SetRNGState(epochRNG(o.Seed, epoch)); err != nil {
			return err
		}
	}
	if o.Arch.Utterance() {
		bt = newCropBatcher(epochSet, samples, st.Step, bs, o.crop(), o.Seed, epoch)
	} else {
		bt = newBatcher(epochSet, samples, st.Step, bs, o.Arch.InputWidth/2)
	}
	defer bt.close()
	update := o.Progress.Stage(fmt.Sprintf("epoch %d/%d", epoch, o.Epochs), "samples", len(samples))
	for b := bt.next(); b != nil; b = bt.next() {
		n := b.n // b belongs to the batcher again after release
		loss, correct, err := t.net.TrainStep(b.x[:n*bt.size], b.y[:n], t.opt)
		bt.release(b)
		if err != nil {
			return err
		}
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return fmt.Errorf("training diverged at epoch %d (loss %v); a lower learning rate may help", epoch, loss)
		}
		st.SumLoss += loss * float64(n)
		st.Correct += int64(correct)
		st.Step += n
		update(st.Step)
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return nil
}

// Evaluate scores the dev set with the current network: the mean
// cross-entropy over what it scores and the ROCCH-EER of the utterance
// scores.
func (t *CNNTrainer) Evaluate(ctx context.Context) (loss, eer float64, err error) {
	return t.dev.run(ctx, t.net, t.o.Progress)
}

// Save writes the current network as the model in o.Out and returns it.
func (t *CNNTrainer) Save() (*model.Model, error) {
	st := t.st
	t.info.BestEpoch, t.info.DevEER, t.info.EpochsRun = st.BestEpoch, st.BestEER, st.Epoch
	if st.BestEpoch > 0 {
		t.info.DevLoss = st.Log[st.BestEpoch-1].DevLoss
	}
	raw, err := json.Marshal(t.info)
	if err != nil {
		return nil, err
	}
	c := t.cfg
	c.Training = raw
	m, err := model.NewCNN(c, t.net)
	if err != nil {
		return nil, err
	}
	return m, m.Save(t.o.Out)
}

// Finish records the number of epochs run in the kept model's config and
// returns the run's result.
func (t *CNNTrainer) Finish() (*Result, error) {
	st := t.st
	if t.best == nil {
		return nil, fmt.Errorf("no epoch was trained (epochs %d)", t.o.Epochs)
	}
	m, err := model.Load(t.o.Out)
	if err != nil {
		return nil, err
	}
	t.info.BestEpoch, t.info.DevEER, t.info.EpochsRun = st.BestEpoch, st.BestEER, st.Epoch
	t.info.DevLoss = st.Log[st.BestEpoch-1].DevLoss
	raw, err := json.Marshal(t.info)
	if err != nil {
		return nil, err
	}
	m.Config.Training = raw
	if err := m.Save(t.o.Out); err != nil {
		return nil, err
	}
	return &Result{Model: m, BestEpoch: st.BestEpoch, DevEER: st.BestEER, Log: st.Log}, nil
}

// epochRNG is the engine's RNG state (dropout masks) at the start of an
// epoch, derived from the seed so that every epoch's masks are reproducible.
func epochRNG(seed uint64, epoch int) []byte {
	r := rand.NewPCG(seed^0x9e3779b97f4a7c15, uint64(epoch)+1<<32)
	state, _ := r.MarshalBinary()
	return state
}

// interrupt writes a mid-epoch checkpoint and returns the error to report.
func (t *CNNTrainer) interrupt(epoch int, sec float64, cause error) error {
	st := t.st
	st.EpochSeconds += sec
	if err := writeCheckpoint(t.ckptDir, st, t.net, t.opt); err != nil {
		return fmt.Errorf("%w (and writing the checkpoint failed: %v)", cause, err)
	}
	return fmt.Errorf("training stopped in epoch %d (%d samples done) and can be resumed: %w", epoch, st.Step, cause)
}

// FitInput returns a with its input height set to the dimension of the
// features f, so that one architecture (the seed CNN, say) runs on any
// feature kind: 64-band fbank, 90-dim CQCC, 60-dim LFCC. The layers adapt
// (convolutions and pools are size-independent; the first dense layer's
// input, and so the parameter count, follows the height), which a network
// built with fixed reshapes would not; Validate checks the result.
func FitInput(a nn.Arch, f features.Config) (nn.Arch, error) {
	ex, err := features.New(f)
	if err != nil {
		return nn.Arch{}, err
	}
	a.InputHeight = ex.Dim()
	if err := a.Validate(); err != nil {
		return nn.Arch{}, fmt.Errorf("network %s on %d-dimensional %s features: %w", a.Name, ex.Dim(), f.Kind, err)
	}
	return a, nil
}
