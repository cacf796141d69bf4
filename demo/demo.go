package demo

import (
	"fmt"
	"math"
	"runtime"
	"strings"
)

// Options configures a demo run. DefaultOptions gives the settings sized for
// the time budget (the whole run in a few minutes on a 2-core machine).
type Options struct {
	// Out is the folder that receives everything: corpus/, models/,
	// scores/, summary.json, report.md and the figures. It is created if
	// needed; files of an earlier run are replaced.
	Out string
	// Scale is the fraction of the real ASVspoof 2017 V2 row counts that the
	// synthetic corpus keeps (stratified, SPEC §6).
	Scale float64
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
	// Progress, if set, receives the progress of each stage (see Event).
	Progress func(Event)
}

// CNNOptions are the training settings of the seed CNN (SPEC §4.1) that the
// demo cuts down to fit its time budget.
type CNNOptions struct {
	Epochs int
	// FramesPerUtt is the number of frames (context images) drawn at random
	// from each train utterance per epoch; 0 uses every frame (the seed's
	// recipe).
	FramesPerUtt int
	// DevFramesPerUtt is the number of frames per dev utterance used for the
	// per-epoch dev EER that picks the best epoch; 0 uses every frame.
	DevFramesPerUtt int
}

// GMMOptions are the training settings of the CQCC-GMM baseline
// (SPEC §4.2) that the demo cuts down to fit its time budget.
type GMMOptions struct {
	Components int // per class; the official baseline uses 512
	Iterations int // EM iterations
	// MaxFrames caps the train frames per class that EM sees (a random
	// subsample); 0 uses all frames, as the official baseline does.
	MaxFrames int
}

// DefaultOptions returns the demo's default settings: a corpus at scale
// 0.05, the CNN for 4 epochs of 64 frames per utterance, and the GMM with
// 512 components and 10 EM iterations on up to 200,000 frames per class.
// On a 2-core machine the whole run takes a few minutes.
func DefaultOptions() Options {
	return Options{
		Out:   "demo-out",
		Scale: 0.05,
		Seed:  1,
		CNN:   CNNOptions{Epochs: 4, FramesPerUtt: 64, DevFramesPerUtt: 64},
		GMM:   GMMOptions{Components: 512, Iterations: 10, MaxFrames: 200000},
	}
}

// Validate checks the options; Run calls it first.
func (o *Options) Validate() error {
	switch {
	case o.Out == "":
		return fmt.Errorf("no output folder")
	case !(o.Scale > 0 && o.Scale <= 1) || math.IsNaN(o.Scale):
		return fmt.Errorf("scale %v outside (0, 1]", o.Scale)
	case o.Threads < 0:
		return fmt.Errorf("threads %d < 0", o.Threads)
	case o.CNN.Epochs < 1:
		return fmt.Errorf("CNN epochs %d < 1", o.CNN.Epochs)
	case o.CNN.FramesPerUtt < 0 || o.CNN.DevFramesPerUtt < 0:
		return fmt.Errorf("CNN frames per utterance < 0")
	case o.GMM.Components < 1:
		return fmt.Errorf("GMM components %d < 1", o.GMM.Components)
	case o.GMM.Iterations < 1:
		return fmt.Errorf("GMM iterations %d < 1", o.GMM.Iterations)
	case o.GMM.MaxFrames < 0:
		return fmt.Errorf("GMM max frames %d < 0", o.GMM.MaxFrames)
	}
	return nil
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
