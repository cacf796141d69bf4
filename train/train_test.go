package train

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"github.com/deep4deep/deep4deep/progress"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deep4deep/deep4deep/audio"
	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/eval"
	"github.com/deep4deep/deep4deep/features"
	"github.com/deep4deep/deep4deep/model"
	"github.com/deep4deep/deep4deep/nn"
	"github.com/deep4deep/deep4deep/safetensors"
)

// smallArch is a light variant of the seed network (DESIGN §4.1) (same input, dropout
// included) that keeps the tests fast; the architecture is data.
func smallArch() nn.Arch {
	return nn.Arch{
		InputHeight: 64, InputWidth: 17,
		Blocks: []nn.Block{
			{Channels: []int{2}, PoolH: 2, PoolW: 1},
			{Channels: []int{4}, PoolH: 4, PoolW: 2},
		},
		Dense:   []nn.Dense{{Units: 16, Dropout: 0.25}},
		Classes: 2,
	}
}

func testCNNOptions(c corpus.Corpus, out string, epochs int) CNNOptions {
	o := DefaultCNNOptions()
	o.Corpus, o.Out, o.Arch = c, out, smallArch()
	o.Epochs, o.Patience, o.Batch, o.Seed = epochs, 0, 32, 5
	o.FramesPerUtt, o.DevFrames, o.Threads = 40, 30, 2
	return o
}

// finalWeights reads the network tensors of a run's checkpoint.
func finalWeights(t *testing.T, out string) map[string]safetensors.Tensor {
	t.Helper()
	ts, _, err := safetensors.ReadFile(filepath.Join(out, CheckpointDir, checkpointFile))
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func sameTensors(t *testing.T, what string, a, b map[string]safetensors.Tensor) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: %d tensors vs %d", what, len(a), len(b))
	}
	for k, x := range a {
		y, ok := b[k]
		if !ok {
			t.Fatalf("%s: tensor %s missing", what, k)
		}
		for i := range x.F32 {
			if math.Float32bits(x.F32[i]) != math.Float32bits(y.F32[i]) {
				t.Fatalf("%s: tensor %s[%d] = %v vs %v: not bit-identical", what, k, i, x.F32[i], y.F32[i])
			}
		}
		for i := range x.F64 {
			if math.Float64bits(x.F64[i]) != math.Float64bits(y.F64[i]) {
				t.Fatalf("%s: tensor %s[%d] = %v vs %v: not bit-identical", what, k, i, x.F64[i], y.F64[i])
			}
		}
	}
}

// TestCNNResume: a run stopped after an epoch, or cancelled in the middle of
// one, and resumed, ends with bit-identical weights, optimiser state and log
// to an uninterrupted run (same seed and thread count).
func TestCNNResume(t *testing.T) {
	c := tinyCorpus(t, 8, 0.5)
	ctx := context.Background()
	base := t.TempDir()

	// A: three epochs straight.
	outA := filepath.Join(base, "a")
	resA, err := TrainCNN(ctx, testCNNOptions(c, outA, 3))
	if err != nil {
		t.Fatal(err)
	}
	if len(resA.Log) != 3 {
		t.Fatalf("%d log rows, want 3", len(resA.Log))
	}

	// B: one epoch, then resume to three.
	outB := filepath.Join(base, "b")
	if _, err := TrainCNN(ctx, testCNNOptions(c, outB, 1)); err != nil {
		t.Fatal(err)
	}
	o := testCNNOptions(c, outB, 3)
	if _, err := TrainCNN(ctx, o); !errors.Is(err, ErrRunExists) {
		t.Fatalf("training into a directory with a run: %v, want ErrRunExists", err)
	}
	o.Resume = true
	resB, err := TrainCNN(ctx, o)
	if err != nil {
		t.Fatal(err)
	}

	// C: cancelled in the middle of epoch 2 (as Ctrl-C does), then resumed.
	outC := filepath.Join(base, "c")
	cctx, cancel := context.WithCancel(ctx)
	o = testCNNOptions(c, outC, 3)
	o.Progress = func(e progress.Event) {
		if strings.HasPrefix(e.Stage, "epoch 2/") && e.Done >= 100 {
			cancel()
		}
	}
	_, err = TrainCNN(cctx, o)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "can be resumed") {
		t.Fatalf("cancelled run: %v", err)
	}
	ck, err := readCheckpoint(filepath.Join(outC, CheckpointDir))
	if err != nil {
		t.Fatal(err)
	}
	if ck.State.Epoch != 1 || ck.State.Step == 0 {
		t.Fatalf("checkpoint after cancel: epoch %d step %d, want epoch 1 and a mid-epoch step", ck.State.Epoch, ck.State.Step)
	}
	o = testCNNOptions(c, outC, 3)
	o.Resume = true
	resC, err := TrainCNN(ctx, o)
	if err != nil {
		t.Fatal(err)
	}

	wa := finalWeights(t, outA)
	sameTensors(t, "resumed after epoch 1", wa, finalWeights(t, outB))
	sameTensors(t, "resumed mid-epoch", wa, finalWeights(t, outC))
	for _, r := range []*Result{resB, resC} {
		if r.BestEpoch != resA.BestEpoch || r.DevEER != resA.DevEER {
			t.Errorf("best epoch %d (EER %v), uninterrupted %d (%v)", r.BestEpoch, r.DevEER, resA.BestEpoch, resA.DevEER)
		}
		for i := range resA.Log {
			a, b := resA.Log[i], r.Log[i]
			if a.TrainLoss != b.TrainLoss || a.TrainAccuracy != b.TrainAccuracy || a.DevLoss != b.DevLoss || a.DevEER != b.DevEER {
				t.Errorf("epoch %d: log %+v, uninterrupted %+v", i+1, b, a)
			}
		}
	}
	ma, _ := os.ReadFile(filepath.Join(outA, model.WeightsFile))
	mc, _ := os.ReadFile(filepath.Join(outC, model.WeightsFile))
	if !bytes.Equal(ma, mc) {
		t.Error("model.safetensors differs between the uninterrupted and the resumed run")
	}

	// A resumed run must use the same recipe.
	o = testCNNOptions(c, outB, 4)
	o.Resume, o.Seed = true, 6
	if _, err := TrainCNN(ctx, o); err == nil || !strings.Contains(err.Error(), "seed") {
		t.Fatalf("resume with another seed: %v", err)
	}
}

// TestCNNTrainScore trains on a separable tiny corpus and checks the model
// directory: files, a low dev EER, and that scoring the dev set through the
// model package reproduces the trainer's dev EER.
func TestCNNTrainScore(t *testing.T) {
	c := tinyCorpus(t, 8, 0.5)
	out := filepath.Join(t.TempDir(), "m")
	o := testCNNOptions(c, out, 4)
	o.DevFrames = 0
	res, err := TrainCNN(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{model.ConfigFile, model.WeightsFile, LogFile} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	logData, _ := os.ReadFile(filepath.Join(out, LogFile))
	if n := strings.Count(string(logData), "\n"); n != 1+len(res.Log) {
		t.Errorf("train-log.csv has %d lines, want %d", n, 1+len(res.Log))
	}
	if res.DevEER > 0.25 {
		t.Errorf("dev EER %.2f on a separable corpus", res.DevEER)
	}
	m, err := model.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if m.Config.Normalization == nil || m.Config.Corpus == nil || m.Config.Corpus.Trials["train"] != 8 {
		t.Errorf("config lacks normalisation or corpus fingerprint: %+v", m.Config)
	}
	if eer := modelEER(t, c, corpus.Dev, m); math.Abs(eer-res.DevEER) > 1e-9 {
		t.Errorf("dev EER through the model package %v, trainer %v", eer, res.DevEER)
	}
}

// TestTrainBadCorpus: a protocol listing a missing file fails before any
// training, naming the file.
func TestTrainBadCorpus(t *testing.T) {
	c := tinyCorpus(t, 4, 0.1)
	trials, _ := c.Trials(corpus.Dev)
	missing := c.AudioPath(corpus.Dev, trials[2])
	os.Remove(missing)
	out := filepath.Join(t.TempDir(), "m")
	_, err := TrainCNN(context.Background(), testCNNOptions(c, out, 1))
	if err == nil || !strings.Contains(err.Error(), missing) {
		t.Fatalf("CNN: %v, want an error naming %s", err, missing)
	}
	o := DefaultGMMOptions()
	o.Corpus, o.Out, o.Features = c, out, features.DefaultConfig(features.MFCC)
	_, err = TrainGMM(context.Background(), o)
	if err == nil || !strings.Contains(err.Error(), missing) {
		t.Fatalf("GMM: %v, want an error naming %s", err, missing)
	}
	if _, err := os.Stat(filepath.Join(out, model.ConfigFile)); err == nil {
		t.Fatal("a model was written")
	}
}

// TestGMMTrainScore trains the GMM baseline (small) with and without CMVN and
// checks the saved model scores dev as the trainer reported.
func TestGMMTrainScore(t *testing.T) {
	c := tinyCorpus(t, 8, 0.4)
	for _, cmvn := range []bool{false, true} {
		out := filepath.Join(t.TempDir(), "gmm")
		o := DefaultGMMOptions()
		o.Corpus, o.Out, o.Features = c, out, features.DefaultConfig(features.MFCC)
		o.Components, o.Iters, o.MaxFrames, o.CMVN, o.Threads = 4, 10, 300, cmvn, 2
		res, err := TrainGMM(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		if res.DevEER > 0.25 {
			t.Errorf("cmvn %v: dev EER %.2f on a separable corpus", cmvn, res.DevEER)
		}
		m, err := model.Load(out)
		if err != nil {
			t.Fatal(err)
		}
		if m.Config.Kind != model.GMM || m.Config.CMVN != cmvn || m.Config.Components != 4 {
			t.Errorf("config %+v", m.Config)
		}
		var info GMMTraining
		if err := json.Unmarshal(m.Config.Training, &info); err != nil {
			t.Fatal(err)
		}
		if info.Frames.Genuine != 300 || info.Frames.Spoof != 300 {
			t.Errorf("trained on %v frames, want 300 per class (--max-frames)", info.Frames)
		}
		if _, err := os.Stat(filepath.Join(out, LogFile)); err != nil {
			t.Error(err)
		}
	}
}

// TestDevCacheMatchesStreaming: dev evaluation from features kept in memory
// and streamed through extraction give bit-identical loss and EER.
func TestDevCacheMatchesStreaming(t *testing.T) {
	c := tinyCorpus(t, 10, 0.3)
	trials, err := c.Trials(corpus.Dev)
	if err != nil {
		t.Fatal(err)
	}
	paths := make([]string, len(trials))
	labels := make([]int32, len(trials))
	for i, tr := range trials {
		paths[i], labels[i] = c.AudioPath(corpus.Dev, tr), int32(tr.Label)
	}
	cfg := features.DefaultConfig(features.Fbank)
	ctx := context.Background()
	total, cache, err := scanDev(ctx, cfg, audio.Limits{}, paths, 2, 1<<30, nil)
	if err != nil || cache == nil {
		t.Fatalf("scan: %v (cache %v)", err, cache != nil)
	}
	if n, small, _ := scanDev(ctx, cfg, audio.Limits{}, paths, 2, 4*64*total-1, nil); small != nil || n != total {
		t.Fatalf("a dev set over budget was cached (%d frames, want %d)", n, total)
	}
	stats := features.NewStats(64)
	for i := range cache {
		stats.Add(&cache[i])
	}
	norm := stats.Result()
	for i := range cache {
		norm.Apply(&cache[i])
	}
	net, err := nn.New(smallArch(), 3)
	if err != nil {
		t.Fatal(err)
	}
	defer net.Close()
	for _, limit := range []int{0, 7} {
		streamed := newDevEvaluator(paths, labels, cfg, audio.Limits{}, norm, 2, limit, 8)
		cached := newDevEvaluator(paths, labels, cfg, audio.Limits{}, norm, 2, limit, 8)
		cached.cache = cache
		l1, e1, err := streamed.run(ctx, net, nil)
		if err != nil {
			t.Fatal(err)
		}
		l2, e2, err := cached.run(ctx, net, nil)
		if err != nil {
			t.Fatal(err)
		}
		if l1 != l2 || e1 != e2 {
			t.Errorf("dev frames %d: streamed loss %v EER %v, cached %v %v", limit, l1, e1, l2, e2)
		}
	}
}

// modelEER scores set s of c with the saved model m, as `deep4deep score`
// does, and returns the ROCCH-EER of those scores.
func modelEER(t *testing.T, c corpus.Corpus, s corpus.Set, m *model.Model) float64 {
	t.Helper()
	trials, err := c.Trials(s)
	if err != nil {
		t.Fatal(err)
	}
	paths := make([]string, len(trials))
	for i, tr := range trials {
		paths[i] = c.AudioPath(s, tr)
	}
	scores, err := m.ScoreFiles(context.Background(), paths, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	byID := make(map[string]float64, len(trials))
	for i, tr := range trials {
		byID[tr.ID()] = scores[i]
	}
	return eval.EER(eval.ClassScores(trials, byID))
}
