package demo

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"

	"github.com/deep4deep/deep4deep/augment"
	"github.com/deep4deep/deep4deep/features"
	"github.com/deep4deep/deep4deep/nn"
	"github.com/deep4deep/deep4deep/progress"
	"github.com/deep4deep/deep4deep/synth"
)

// Options configures a demo run. DefaultOptions gives the settings sized for
// the time budget (the whole run in a few minutes on a 2-core machine).
type Options struct {
	// Out is the folder that receives everything: corpus/, models/,
	// scores/, summary.json, report.md and the figures. It is created if
	// needed; files of an earlier run are replaced.
	Out string
	// Scale is the fraction of the real ASVspoof 2017 V2 row counts that the
	// synthetic corpus keeps (stratified, DESIGN §6).
	Scale float64
	// EvalScale, when > 0, is the fraction kept of the eval set instead of
	// Scale: a larger eval set narrows the confidence intervals of the EERs
	// without making training slower.
	EvalScale float64
	// Seed drives every random choice: corpus, initialisation, shuffling.
	Seed uint64
	// Like, if set, is a protocol_V2 folder whose rows the corpus
	// reproduces (synth --like), e.g. the real ASVspoof 2017 protocols;
	// empty generates rows with the real corpus's statistics.
	Like string
	// Threads is the number of worker goroutines for synthesis, features,
	// training and scoring; 0 means GOMAXPROCS.
	Threads int

	CNN CNNOptions
	GMM GMMOptions

	// Command is the command line shown in the report as the way to
	// reproduce the run; empty means a Go call description.
	Command string
	// Progress, if set, receives the progress of each stage: the demo's
	// stage in Stage (numbered Index of Count, 6 stages), the step within
	// it (an epoch, the dev set) in Step.
	Progress progress.Func
}

// CNNOptions are the training settings of the seed CNN (DESIGN §4.1) that the
// demo cuts down to fit its time budget.
type CNNOptions struct {
	// Arch is the name of a shipped architecture (nn.ArchNames); "" is the
	// seed CNN. An utterance-level one (lcnn) trains on one crop per
	// utterance and epoch and ignores FramesPerUtt and DevFramesPerUtt.
	Arch string
	// Features is the feature kind the network sees (its input height
	// follows, train.FitInput); "" is the seed's 64-band fbank. The system
	// is named after it: "cnn-cqcc".
	Features features.Kind
	// Augment is the on-the-fly augmentation spec (package augment); ""
	// trains on the clean waveforms.
	Augment string
	Epochs  int
	// FramesPerUtt is the number of frames (context images) drawn at random
	// from each train utterance per epoch; 0 uses every frame (the seed's
	// recipe).
	FramesPerUtt int
	// DevFramesPerUtt is the number of frames per dev utterance used for the
	// per-epoch dev EER that picks the best epoch; 0 uses every frame.
	DevFramesPerUtt int
}

// GMMOptions are the training settings of the CQCC-GMM baseline
// (DESIGN §4.2) that the demo cuts down to fit its time budget.
type GMMOptions struct {
	Components int // per class; the official baseline uses 512
	Iterations int // EM iterations
	// MaxFrames caps the train frames per class that EM sees (a random
	// subsample); 0 uses all frames, as the official baseline does.
	MaxFrames int
}

// DefaultOptions returns the demo's default settings: train and dev at
// scale 0.05 and eval at 0.1 (130 genuine and 1,201 spoof trials: one
// genuine trial moves the EER by 0.8 points), the LCNN on LFCC for 4 epochs
// of one crop per utterance (a frames network would take 64 frames per
// utterance), and the GMM with 512 components and 10 EM
// iterations on up to 200,000 frames per class. On a quiet 2-core machine
// the whole run takes a few minutes.
func DefaultOptions() Options {
	return Options{
		Out:       "demo-out",
		Scale:     0.05,
		EvalScale: 0.1,
		Seed:      1,
		CNN:       CNNOptions{Arch: DefaultCNNArch, Features: DefaultCNNFeatures, Augment: DefaultAugment, Epochs: 4, FramesPerUtt: 64, DevFramesPerUtt: 64},
		GMM:       GMMOptions{Components: 512, Iterations: 10, MaxFrames: 200000},
	}
}

// Validate checks the options; Run calls it first. Its errors are
// *synth.FieldError naming the field ("Scale", "CNN.Epochs", ...), so that a
// command line can name its own flag.
func (o *Options) Validate() error {
	bad := func(field, format string, args ...any) error {
		return &synth.FieldError{Field: field, Err: fmt.Errorf(format, args...)}
	}
	switch {
	case o.Out == "":
		return bad("Out", "no output folder")
	case !(o.Scale > 0 && o.Scale <= 1) || math.IsNaN(o.Scale):
		return bad("Scale", "%v outside (0, 1]", o.Scale)
	case !(o.EvalScale >= 0 && o.EvalScale <= 1) || math.IsNaN(o.EvalScale):
		return bad("EvalScale", "%v outside (0, 1]", o.EvalScale)
	case o.Threads < 0:
		return bad("Threads", "%d < 0", o.Threads)
	case o.CNN.Arch != "" && !slices.Contains(nn.ArchNames(), o.CNN.Arch):
		return bad("CNN.Arch", "%q is not a shipped architecture (%s)", o.CNN.Arch, strings.Join(nn.ArchNames(), ", "))
	case o.CNN.Features != "" && !validKind(o.CNN.Features):
		return bad("CNN.Features", "unknown feature kind %q", o.CNN.Features)
	case o.CNN.Epochs < 1:
		return bad("CNN.Epochs", "%d < 1", o.CNN.Epochs)
	case o.CNN.FramesPerUtt < 0:
		return bad("CNN.FramesPerUtt", "%d < 0", o.CNN.FramesPerUtt)
	case o.CNN.DevFramesPerUtt < 0:
		return bad("CNN.DevFramesPerUtt", "%d < 0", o.CNN.DevFramesPerUtt)
	case o.GMM.Components < 1:
		return bad("GMM.Components", "%d < 1", o.GMM.Components)
	case o.GMM.Iterations < 1:
		return bad("GMM.Iterations", "%d < 1", o.GMM.Iterations)
	case o.GMM.MaxFrames < 0:
		return bad("GMM.MaxFrames", "%d < 0", o.GMM.MaxFrames)
	}
	if _, err := augment.Parse(o.CNN.Augment); err != nil {
		return bad("CNN.Augment", "%v", err)
	}
	return nil
}

// The demo's CNN by default, as the generalisation experiments chose it
// (README: Generalisation to unseen replay): the best single system of the
// table that fits the time budget, the LCNN on LFCC, without augmentation
// (which raised its eval EER there).
const (
	DefaultCNNArch     = "lcnn"
	DefaultCNNFeatures = features.LFCC
	DefaultAugment     = ""
)

func validKind(k features.Kind) bool {
	_, err := features.ParseKind(string(k))
	return err == nil
}

// kind is the CNN's feature kind, "" read as fbank.
func (o CNNOptions) kind() features.Kind {
	if o.Features == "" {
		return features.Fbank
	}
	return o.Features
}

// arch is the CNN's architecture name, "" read as the seed CNN.
func (o CNNOptions) arch() string {
	if o.Arch == "" {
		return nn.DefaultArch().Name
	}
	return o.Arch
}

// System is the CNN's system name: "cnn-" and its feature kind for the
// seed CNN ("cnn-cqcc"), else the architecture and the kind ("lcnn-lfcc").
func (o CNNOptions) System() string {
	if a := o.arch(); a != nn.DefaultArch().Name {
		return a + "-" + string(o.kind())
	}
	return "cnn-" + string(o.kind())
}

// evalScale is the scale of the eval set.
func (o *Options) evalScale() float64 {
	if o.EvalScale > 0 {
		return o.EvalScale
	}
	return o.Scale
}

func (o *Options) threads() int {
	if o.Threads > 0 {
		return o.Threads
	}
	return runtime.GOMAXPROCS(0)
}

// frames describes a frames-per-utterance setting for the report.
func frames(n int) string {
	if n == 0 {
		return "all frames"
	}
	return fmt.Sprintf("%d random frames", n)
}

// devFrames describes the dev frames scored per utterance at each epoch.
func devFrames(n int) string {
	if n == 0 {
		return "all frames"
	}
	return fmt.Sprintf("%d evenly spaced frames", n)
}

// plural returns "n word" with an s when n != 1.
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, strings.TrimSuffix(word, "s"))
}
