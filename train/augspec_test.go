package train

import (
	"context"
	"errors"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/deep4deep/deep4deep/augment"
	"github.com/deep4deep/deep4deep/features"
	"github.com/deep4deep/deep4deep/nn"
	"github.com/deep4deep/deep4deep/progress"
)

// withAugment sets a parsed augmentation spec on o, as train --augment does.
func withAugment(t testing.TB, o CNNOptions, spec string) CNNOptions {
	t.Helper()
	sp, err := augment.Parse(spec)
	if err != nil {
		t.Fatal(err)
	}
	o.AugmentSpec = sp.String()
	if f := sp.WaveFunc(); f != nil {
		o.Augment = f
	}
	if f := sp.FeatureFunc(); f != nil {
		o.AugmentFeatures = f
	}
	return o
}

// TestCNNResumeAugmented: with RawBoost, random devices and frequency
// masking on, a run cancelled in the middle of an epoch and resumed ends
// bit-identical to an uninterrupted one; augmentation changes training;
// a resumed run must keep the augmentation it started with.
func TestCNNResumeAugmented(t *testing.T) {
	c := tinyCorpus(t, 8, 0.5)
	ctx := context.Background()
	base := t.TempDir()
	const spec = "rawboost:5@0.7,device@0.5,freqmask:8@0.5"

	outA := filepath.Join(base, "a")
	resA, err := TrainCNN(ctx, withAugment(t, testCNNOptions(c, outA, 3), spec))
	if err != nil {
		t.Fatal(err)
	}

	outC := filepath.Join(base, "c")
	cctx, cancel := context.WithCancel(ctx)
	o := withAugment(t, testCNNOptions(c, outC, 3), spec)
	o.Progress = func(e progress.Event) {
		if strings.HasPrefix(e.Stage, "epoch 2/") && e.Done >= 100 {
			cancel()
		}
	}
	if _, err := TrainCNN(cctx, o); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run: %v", err)
	}
	o = withAugment(t, testCNNOptions(c, outC, 3), spec)
	o.Resume = true
	resC, err := TrainCNN(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	sameTensors(t, "augmented run resumed mid-epoch", finalWeights(t, outA), finalWeights(t, outC))
	for i := range resA.Log {
		if a, b := resA.Log[i], resC.Log[i]; a.TrainLoss != b.TrainLoss || a.DevEER != b.DevEER {
			t.Errorf("epoch %d: resumed %+v, uninterrupted %+v", i+1, b, a)
		}
	}

	// Without augmentation the same seed trains differently.
	resN, err := TrainCNN(ctx, testCNNOptions(c, filepath.Join(base, "n"), 1))
	if err != nil {
		t.Fatal(err)
	}
	if resN.Log[0].TrainLoss == resA.Log[0].TrainLoss {
		t.Error("augmentation did not change the first epoch's training loss")
	}

	o = withAugment(t, testCNNOptions(c, outC, 4), "rawboost:3")
	o.Resume = true
	if _, err := TrainCNN(ctx, o); err == nil || !strings.Contains(err.Error(), "augment") {
		t.Fatalf("resume with another augmentation: %v, want an error naming augment", err)
	}
}

// BenchmarkAugmentCost measures what on-the-fly augmentation costs
// training, as ratios within one run: each iteration trains a clean run and
// a run with the spec (3 epochs each, so that the background build of the
// next epoch's set is part of it), back to back on the same corpus (24
// three-second utterances), in alternating order so that load on a shared
// machine hits both alike. The metrics, over all iterations:
//
//   - cost-%: 100·(1 − augmented/clean training throughput), the throughput
//     being train-log's samples_per_s (samples over the epochs' training
//     time, which includes waiting for an augmented set);
//   - run-cost-%: the same for samples over the whole run's epoch time
//     (training and dev evaluation, train-log's seconds), which counts
//     augmentation work overlapped with the dev evaluation too.
//
// The cases: the seed recipe (fbank, every frame), the demo's and the
// generalisation table's frame CNNs (64 frames per utterance, fbank and
// CQCC) and the LCNN on LFCC (random crops). Use an even -benchtime so that
// each order runs equally often:
//
//	go test ./train -run '^$' -bench AugmentCost -benchtime 6x
func BenchmarkAugmentCost(b *testing.B) {
	c := tinyCorpus(b, 24, 3)
	const spec = "rawboost:5@0.5,device@0.3,freqmask:8@0.5" // scripts/generalisation.sh's AUG
	lcnn, err := nn.ArchByName("lcnn")
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		kind features.Kind
		arch *nn.Arch
		fpu  int
	}{{"cnn/fbank/fpu=0", features.Fbank, nil, 0}, {"cnn/fbank/fpu=64", features.Fbank, nil, 64},
		{"cnn/cqcc/fpu=64", features.CQCC, nil, 64}, {"lcnn/lfcc", features.LFCC, &lcnn, 0}} {
		b.Run(tc.name, func(b *testing.B) {
			// run trains 3 epochs and returns the sum over epochs of the
			// seconds per sample of training (1 / train-log's samples_per_s)
			// and of the epochs' seconds (with dev). Both runs train the
			// same number of samples in each epoch.
			run := func(spec string) (train, all float64) {
				o := DefaultCNNOptions()
				o.Corpus, o.Out = c, b.TempDir()
				o.Features = features.DefaultConfig(tc.kind)
				if tc.arch != nil {
					o.Arch = *tc.arch
				}
				a, err := FitInput(o.Arch, o.Features)
				if err != nil {
					b.Fatal(err)
				}
				o.Arch = a
				o.Epochs, o.Patience, o.Seed, o.Threads = 3, 0, 1, 2
				if tc.arch == nil {
					o.FramesPerUtt, o.DevFrames = tc.fpu, 10
				}
				res, err := TrainCNN(context.Background(), withAugment(b, o, spec))
				if err != nil {
					b.Fatal(err)
				}
				for _, e := range res.Log {
					train += 1 / e.SamplesPerSec
					all += e.Seconds
				}
				return train, all
			}
			// One untimed run of each first: the process's first training
			// touches fresh memory (network, arenas, plans) and would count
			// against whichever side ran first.
			run("none")
			run(spec)
			var tr0, tr1, all0, all1 float64
			k := 0
			for b.Loop() {
				// Alternate the order (ABBA) and collect the garbage before
				// each run, so that neither side inherits the other's.
				for _, aug := range [2]bool{k%2 == 1, k%2 == 0} {
					runtime.GC()
					if aug {
						tr, all := run(spec)
						tr1, all1 = tr1+tr, all1+all
					} else {
						tr, all := run("none")
						tr0, all0 = tr0+tr, all0+all
					}
				}
				k++
			}
			b.ReportMetric(3*float64(k)/tr0, "clean-samples/s")
			b.ReportMetric(3*float64(k)/tr1, "aug-samples/s")
			b.ReportMetric(100*(1-tr0/tr1), "cost-%")
			b.ReportMetric(100*(1-all0/all1), "run-cost-%")
		})
	}
}
