package train

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/features"
	"github.com/deep4deep/deep4deep/model"
	"github.com/deep4deep/deep4deep/nn"
)

func lcnnOptions(t *testing.T, c corpus.Corpus, out string, epochs int) CNNOptions {
	t.Helper()
	a, err := nn.ArchByName("lcnn")
	if err != nil {
		t.Fatal(err)
	}
	o := DefaultCNNOptions()
	o.Corpus, o.Out, o.Arch, o.Features = c, out, a, features.DefaultConfig(features.LFCC)
	o.Epochs, o.Patience, o.Batch, o.CropFrames, o.Seed, o.Threads = epochs, 0, 4, 24, 3, 2
	return o
}

// TestUtteranceTrainScore trains the shipped LCNN on random crops of a
// tiny corpus, checks that the model directory records the architecture
// and its input kind, that scoring the dev set through the model package
// (whole utterances) reproduces the trainer's dev EER, and that a run
// resumed after its first epoch ends bit-identical to an uninterrupted one.
func TestUtteranceTrainScore(t *testing.T) {
	c := tinyCorpus(t, 6, 0.4)
	base := t.TempDir()
	outA := filepath.Join(base, "a")
	res, err := TrainCNN(context.Background(), lcnnOptions(t, c, outA, 2))
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.Load(outA)
	if err != nil {
		t.Fatal(err)
	}
	if a := m.Config.Architecture; a == nil || a.Name != "lcnn" || a.Input != nn.InputUtterance {
		t.Fatalf("config.json architecture %+v, want lcnn with utterance input", a)
	}
	if eer := modelEER(t, c, corpus.Dev, m); math.Abs(eer-res.DevEER) > 1e-9 {
		t.Errorf("dev EER through the model package %v, trainer %v", eer, res.DevEER)
	}

	outB := filepath.Join(base, "b")
	if _, err := TrainCNN(context.Background(), lcnnOptions(t, c, outB, 1)); err != nil {
		t.Fatal(err)
	}
	o := lcnnOptions(t, c, outB, 2)
	o.Resume = true
	if _, err := TrainCNN(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	sameTensors(t, "lcnn resumed after epoch 1", finalWeights(t, outA), finalWeights(t, outB))
}

// TestCNNOptionsValidate: each bad option is refused with an error naming
// its field.
func TestCNNOptionsValidate(t *testing.T) {
	c := corpus.Corpus{Root: "x"}
	lcnn, _ := nn.ArchByName("lcnn")
	cases := []struct {
		field string
		edit  func(o *CNNOptions)
	}{
		{"Out", func(o *CNNOptions) { o.Out = "" }},
		{"Epochs", func(o *CNNOptions) { o.Epochs = 0 }},
		{"Patience", func(o *CNNOptions) { o.Patience = -1 }},
		{"Batch", func(o *CNNOptions) { o.Batch = -2 }},
		{"LR", func(o *CNNOptions) { o.LR = math.NaN() }},
		{"LR", func(o *CNNOptions) { o.LR = 0 }},
		{"FramesPerUtt", func(o *CNNOptions) { o.FramesPerUtt = -1 }},
		{"DevFrames", func(o *CNNOptions) { o.DevFrames = -1 }},
		{"CropFrames", func(o *CNNOptions) { o.CropFrames = -1 }},
		{"Threads", func(o *CNNOptions) { o.Threads = -1 }},
		{"Features", func(o *CNNOptions) { o.Arch = lcnn }}, // fbank has 64 dims, lcnn takes 60
		{"CropFrames", func(o *CNNOptions) {
			o.Arch, o.Features, o.CropFrames = lcnn, features.DefaultConfig(features.LFCC), 8
		}},
		{"FramesPerUtt", func(o *CNNOptions) {
			o.Arch, o.Features, o.FramesPerUtt = lcnn, features.DefaultConfig(features.LFCC), 10
		}},
	}
	for _, tc := range cases {
		o := DefaultCNNOptions()
		o.Corpus, o.Out = c, "out"
		if err := o.Validate(); err != nil {
			t.Fatalf("defaults: %v", err)
		}
		tc.edit(&o)
		err := o.Validate()
		oe, ok := err.(*OptionError)
		if !ok || oe.Field != tc.field {
			t.Errorf("%s: Validate() = %v, want an OptionError for %s", tc.field, err, tc.field)
		}
	}
}
