package train

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/deep4deep/deep4deep/augment"
	"github.com/deep4deep/deep4deep/features"
	"github.com/deep4deep/deep4deep/progress"
)

// withAugment sets a parsed augmentation spec on o, as train --augment does.
func withAugment(t *testing.T, o CNNOptions, spec string) CNNOptions {
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

// BenchmarkAugmentCost measures what on-the-fly augmentation costs the
// training throughput, as a ratio within one run: each iteration trains
// one epoch clean and one epoch with the spec, back to back on the same
// corpus (24 three-second utterances), so that load on a shared machine
// hits both alike. samples/s counts the epoch's training time including the
// augmented feature extraction (train-log's samples_per_s); cost-% is
// 100·(1 − augmented/clean throughput) over all iterations. The cases: the
// seed recipe (fbank, every frame), the demo's fbank CNN (64 frames per
// utterance) and the CQCC CNN of the generalisation table. Use an even
// -benchtime so that each order runs equally often:
//
//	go test ./train -run '^$' -bench AugmentCost -benchtime 6x
func BenchmarkAugmentCost(b *testing.B) {
	c := tinyCorpus(b, 24, 3)
	const spec = "rawboost:5@0.5,device@0.3,freqmask:8@0.5" // scripts/generalisation.sh's AUG
	for _, tc := range []struct {
		kind features.Kind
		fpu  int
	}{{features.Fbank, 0}, {features.Fbank, 64}, {features.CQCC, 64}} {
		b.Run(fmt.Sprintf("%s/fpu=%d", tc.kind, tc.fpu), func(b *testing.B) {
			// secondsPerSample trains one epoch and returns its training
			// seconds per sample (1 / train-log's samples_per_s).
			secondsPerSample := func(spec string) float64 {
				o := DefaultCNNOptions()
				o.Corpus, o.Out = c, b.TempDir()
				o.Features = features.DefaultConfig(tc.kind)
				a, err := FitInput(o.Arch, o.Features)
				if err != nil {
					b.Fatal(err)
				}
				o.Arch = a
				o.Epochs, o.Patience, o.Seed, o.Threads = 1, 0, 1, 2
				o.FramesPerUtt, o.DevFrames = tc.fpu, 10
				sp, err := augment.Parse(spec)
				if err != nil {
					b.Fatal(err)
				}
				o.AugmentSpec = sp.String()
				if f := sp.WaveFunc(); f != nil {
					o.Augment = f
				}
				if f := sp.FeatureFunc(); f != nil {
					o.AugmentFeatures = f
				}
				res, err := TrainCNN(context.Background(), o)
				if err != nil {
					b.Fatal(err)
				}
				return 1 / res.Log[0].SamplesPerSec
			}
			var t0, t1 float64
			k := 0
			for b.Loop() {
				// Alternate the order (ABBA) and collect the garbage before
				// each run, so that neither side inherits the other's.
				if k%2 == 0 {
					runtime.GC()
					t0 += secondsPerSample("none")
					runtime.GC()
					t1 += secondsPerSample(spec)
				} else {
					runtime.GC()
					t1 += secondsPerSample(spec)
					runtime.GC()
					t0 += secondsPerSample("none")
				}
				k++
			}
			clean, aug := float64(k)/t0, float64(k)/t1
			b.ReportMetric(clean, "clean-samples/s")
			b.ReportMetric(aug, "aug-samples/s")
			b.ReportMetric(100*(1-aug/clean), "cost-%")
		})
	}
}
