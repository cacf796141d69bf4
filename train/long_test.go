package train

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/features"
	"github.com/deep4deep/deep4deep/model"
	"github.com/deep4deep/deep4deep/synth"
)

// TestLongSynthetic (DEEP4DEEP_LONG=1; a few minutes on 2 cores) trains the
// seed CNN (DESIGN §4.1) and a CQCC-GMM on a 1% synthetic corpus and scores its eval set:
// both must learn the replay channel (EERs well below chance).
func TestLongSynthetic(t *testing.T) {
	if os.Getenv("DEEP4DEEP_LONG") == "" {
		t.Skip("set DEEP4DEEP_LONG=1")
	}
	ctx := context.Background()
	root := filepath.Join(t.TempDir(), "corpus")
	if err := synth.Generate(ctx, synth.Options{Out: root, Scale: 0.01, Seed: 1, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	c := corpus.Corpus{Root: root}
	evalEER := func(m *model.Model) float64 { return modelEER(t, c, corpus.Eval, m) }

	o := DefaultCNNOptions()
	o.Corpus, o.Out, o.Epochs, o.FramesPerUtt, o.DevFrames, o.Threads = c, filepath.Join(t.TempDir(), "cnn"), 3, 200, 100, 2
	o.Logf = t.Logf
	res, err := TrainCNN(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	e := evalEER(res.Model)
	t.Logf("CNN: dev EER %.2f%% (epoch %d), eval EER %.2f%%", 100*res.DevEER, res.BestEpoch, 100*e)
	if res.DevEER > 0.25 || e > 0.35 {
		t.Errorf("CNN did not learn: dev EER %.2f, eval %.2f", res.DevEER, e)
	}

	g := DefaultGMMOptions()
	g.Corpus, g.Out, g.Features = c, filepath.Join(t.TempDir(), "gmm"), features.DefaultConfig(features.CQCC)
	g.Components, g.Iters, g.Threads = 64, 20, 2
	g.Logf = t.Logf
	gres, err := TrainGMM(ctx, g)
	if err != nil {
		t.Fatal(err)
	}
	e = evalEER(gres.Model)
	t.Logf("CQCC-GMM: dev EER %.2f%%, eval EER %.2f%%", 100*gres.DevEER, 100*e)
	if gres.DevEER > 0.45 || e > 0.45 {
		t.Errorf("GMM did not learn: dev EER %.2f, eval %.2f", gres.DevEER, e)
	}
}
