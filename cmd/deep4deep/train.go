package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/features"
	"github.com/deep4deep/deep4deep/internal/cli"
	"github.com/deep4deep/deep4deep/model"
	"github.com/deep4deep/deep4deep/nn"
	"github.com/deep4deep/deep4deep/plot"
	"github.com/deep4deep/deep4deep/train"
)

func init() {
	register(&cli.Command{Name: "train", Summary: "train the CNN or the GMM baseline on a corpus", Run: runTrain})
}

func runTrain(ctx context.Context, env *cli.Env, args []string) error {
	cnnDef, gmmDef := train.DefaultCNNOptions(), train.DefaultGMMOptions()
	fs := cli.NewFlagSet(env, "train", "deep4deep train --corpus ROOT --out MODEL [--model cnn|gmm] [--features KIND] [--epochs N] [--seed S] [--resume] [flags]")
	cf := addCorpusFlags(fs, false)
	out := fs.String("out", "", "model directory to write (config.json, model.safetensors, train-log.csv, curves.png, checkpoint/)")
	kind := fs.String("model", model.CNN, "model kind: cnn (the seed CNN) or gmm (the ASVspoof baseline)")
	feat := fs.String("features", "", "feature kind: fbank|mfcc|lfcc|cqcc|spec (default fbank for cnn, cqcc for gmm; a shipped --arch takes its dimension)")
	seed := fs.Uint64("seed", 1, "seed of every random choice")
	threads := fs.Int("threads", 0, "threads for the engine, EM and feature extraction (0: all cores)")
	calibrateOn := fs.String("calibrate-on", "", "after training, fit a score calibration on this `set` (dev) and store it in MODEL/calibration.json")
	// CNN.
	epochs := fs.Int("epochs", cnnDef.Epochs, "cnn: maximum epochs")
	patience := fs.Int("patience", cnnDef.Patience, "cnn: stop after this many epochs without a lower dev EER (0: never)")
	batch := fs.Int("batch", 0, "cnn: mini-batch size (0: 256 for a frames network, 16 for an utterance network)")
	lr := fs.Float64("lr", cnnDef.LR, "cnn: Adam learning rate")
	fpu := fs.Int("frames-per-utt", 0, "cnn: random train frames per utterance and epoch (0: every frame; frames networks)")
	crop := fs.Int("crop-frames", 0, "cnn: training crop of an utterance network, in frames (0: 400; shorter utterances are repeated)")
	devFrames := fs.Int("dev-frames", 0, "cnn: evenly spaced dev frames scored per utterance each epoch (0: every frame)")
	balance := fs.Bool("balance", false, "cnn: equally many genuine and spoof samples per epoch")
	archFlag := fs.String("arch", "seed-cnn", "cnn: network architecture: "+strings.Join(nn.ArchNames(), "|")+", or a JSON file (README: Writing an architecture)")
	resume := fs.Bool("resume", false, "cnn: continue the run checkpointed in MODEL/checkpoint")
	augSpec := fs.String("augment", "", "cnn: on-the-fly augmentation `SPEC`, e.g. rawboost:5@0.5,device@0.3,freqmask:8 (README: augmentation; default none)")
	// GMM.
	comps := fs.Int("components", gmmDef.Components, "gmm: Gaussians per class")
	iters := fs.Int("gmm-iters", gmmDef.Iters, "gmm: maximum EM iterations")
	maxFrames := fs.Int("max-frames", 0, "gmm: random train frames per class (0: every frame)")
	cmvn := fs.Bool("cmvn", false, "gmm: per-utterance mean and variance normalisation (the official baseline has none)")
	maxDur := maxDurationFlag(fs)
	if err := fs.Parse(args, false); err != nil {
		return err
	}
	lim, err := audioLimits("train", *maxDur)
	if err != nil {
		return err
	}
	if err := fs.Require("out"); err != nil {
		return err
	}
	if *calibrateOn != "" {
		if _, err := corpus.ParseSet(*calibrateOn); err != nil {
			return cli.Usagef("train: --calibrate-on: %v", err)
		}
	}
	bars, report := newBars(env)
	defer bars.done()
	logf := func(format string, a ...any) {
		if !env.Quiet {
			bars.done() // a log line ends the bar above it
			fmt.Fprintf(env.Stderr, format+"\n", a...)
		}
	}
	// The training frames live in large pointer-free float32 arenas that the
	// garbage collector never scans, so collecting more often costs little;
	// GOGC 25 keeps the resident set near the live heap instead of letting it
	// grow to twice that (DESIGN §8: full-size training within 1 GB).
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(25)
	}
	if *kind != model.CNN && *kind != model.GMM {
		return cli.Usagef("train: --model %q: want cnn or gmm", *kind)
	}
	c, err := cf.corpus("train")
	if err != nil {
		return err
	}
	switch *kind {
	case model.CNN:
		o := cnnDef
		o.Corpus, o.Out, o.Seed, o.Threads, o.Limits = c, *out, *seed, *threads, lim
		o.Epochs, o.Patience, o.Batch, o.LR = *epochs, *patience, *batch, *lr
		o.FramesPerUtt, o.DevFrames, o.Balance, o.Resume = *fpu, *devFrames, *balance, *resume
		o.CropFrames = *crop
		if *feat != "" {
			k, err := features.ParseKind(*feat)
			if err != nil {
				return cli.Usagef("train: --features: %v", err)
			}
			o.Features = features.DefaultConfig(k)
		}
		a, err := loadArch(*archFlag)
		if err != nil {
			return err
		}
		if *feat != "" && slices.Contains(nn.ArchNames(), *archFlag) {
			// A shipped network takes the features' dimension (a JSON file
			// states its own and is checked against them).
			if a, err = train.FitInput(a, o.Features); err != nil {
				return err
			}
		}
		o.Arch = a
		if err := setAugment(&o, *augSpec); err != nil {
			return err
		}
		o.Logf, o.Progress = logf, report
		res, err := train.TrainCNN(ctx, o)
		if err != nil {
			return limitHint(trainError(err))
		}
		pts := make([]plot.CurvePoint, len(res.Log))
		for i, e := range res.Log {
			pts[i] = plot.CurvePoint{Epoch: e.Epoch, TrainLoss: e.TrainLoss, DevLoss: e.DevLoss, DevEER: e.DevEER}
		}
		if err := plot.Curves(filepath.Join(*out, curvesFile), o.Arch.Name+"-"+string(o.Features.Kind), pts); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "best epoch %d: dev EER %.2f%%; model in %s\n", res.BestEpoch, 100*res.DevEER, *out)
	case model.GMM:
		if *resume {
			return cli.Usagef("train: --resume applies to --model cnn only")
		}
		o := gmmDef
		o.Corpus, o.Out, o.Seed, o.Threads, o.Limits = c, *out, *seed, *threads, lim
		o.Components, o.Iters, o.MaxFrames, o.CMVN = *comps, *iters, *maxFrames, *cmvn
		if *feat != "" {
			k, err := features.ParseKind(*feat)
			if err != nil {
				return cli.Usagef("train: --features: %v", err)
			}
			o.Features = features.DefaultConfig(k)
		}
		if *comps < 1 || *iters < 1 {
			return cli.Usagef("train: --components and --gmm-iters must be positive")
		}
		if err := o.Validate(); err != nil {
			return trainError(err)
		}
		o.Logf, o.Progress = logf, report
		res, err := train.TrainGMM(ctx, o)
		if err != nil {
			return limitHint(trainError(err))
		}
		fmt.Fprintf(env.Stdout, "dev EER %.2f%%; model in %s\n", 100*res.DevEER, *out)
	default:
		return cli.Usagef("train: --model %q: want cnn or gmm", *kind)
	}
	return calibrateModel(ctx, env, *calibrateOn, c, *out, *threads)
}

// curvesFile is the training curves drawn into the model directory.
const curvesFile = "curves.png"

// trainFlags maps the fields of train.CNNOptions to their flags.
var trainFlags = map[string]string{"Out": "out", "Epochs": "epochs", "Patience": "patience", "Batch": "batch", "LR": "lr",
	"FramesPerUtt": "frames-per-utt", "DevFrames": "dev-frames", "CropFrames": "crop-frames", "Threads": "threads",
	"Arch": "arch", "Features": "features",
	// GMMOptions
	"Components": "components", "Iters": "gmm-iters", "MaxFrames": "max-frames"}

// trainError turns the library's errors into the command's: a bad option
// names its flag (bad usage), and an existing or interrupted run says how
// to continue it.
func trainError(err error) error {
	var oe *train.OptionError
	switch {
	case errors.As(err, &oe):
		if f, ok := trainFlags[oe.Field]; ok {
			return cli.Usagef("train: --%s %v: %s", f, oe.Value, oe.Problem)
		}
		return cli.Usagef("train: %v", err)
	case errors.Is(err, train.ErrRunExists):
		return fmt.Errorf("%w; continue it with --resume", err)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("%w; continue with --resume", err)
	}
	return err
}

// loadArch returns the shipped architecture called name, or the one in the
// JSON file name.
func loadArch(name string) (nn.Arch, error) {
	if slices.Contains(nn.ArchNames(), name) {
		return nn.ArchByName(name)
	}
	data, err := os.ReadFile(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && !strings.ContainsAny(name, "./") {
			return nn.Arch{}, cli.Usagef("train: --arch %q: not a shipped architecture (%s) nor a file", name, strings.Join(nn.ArchNames(), ", "))
		}
		return nn.Arch{}, err
	}
	a, err := nn.ParseArch(data)
	if err != nil {
		return nn.Arch{}, fmt.Errorf("%s: %w", name, err)
	}
	return a, nil
}
