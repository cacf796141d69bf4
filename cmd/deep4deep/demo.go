package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/deep4deep/deep4deep/demo"
	"github.com/deep4deep/deep4deep/features"
	"github.com/deep4deep/deep4deep/internal/cli"
	"github.com/deep4deep/deep4deep/nn"
	"github.com/deep4deep/deep4deep/synth"
)

func init() {
	register(&cli.Command{Name: "demo",
		Summary: "synth → train CNN and GMM → score → eval → report, in one folder",
		Run:     runDemo})
}

func runDemo(ctx context.Context, env *cli.Env, args []string) error {
	def := demo.DefaultOptions()
	fs := cli.NewFlagSet(env, "demo", "deep4deep demo [--out DIR] [--scale S] [--seed N] [--threads N] [flags]")
	out := fs.String("out", def.Out, "output folder (corpus, models, scores, report.md, summary.json, figures)")
	scale := fs.Float64("scale", def.Scale, "fraction of the real ASVspoof 2017 V2 row counts to synthesise for train and dev")
	evalScale := fs.Float64("eval-scale", def.EvalScale, "fraction of the eval rows to synthesise (0: --scale)")
	seed := fs.Uint64("seed", def.Seed, "seed of every random choice")
	like := fs.String("like", "", "protocol_V2 folder whose rows to synthesise (e.g. the real ASVspoof 2017 protocols)")
	threads := fs.Int("threads", 0, "worker threads (0: all cores)")
	fs.IntVar(threads, "workers", 0, "same as --threads")
	cnnArch := fs.String("cnn-arch", def.CNN.Arch, "CNN architecture: "+strings.Join(nn.ArchNames(), "|")+" (an utterance network ignores --frames-per-utt and --dev-frames-per-utt)")
	cnnFeat := fs.String("cnn-features", string(def.CNN.Features), "CNN feature kind: fbank|mfcc|lfcc|cqcc|spec (the system is named cnn-KIND)")
	cnnAug := fs.String("cnn-augment", def.CNN.Augment, "CNN on-the-fly augmentation `SPEC` (as train --augment; none: off)")
	epochs := fs.Int("epochs", def.CNN.Epochs, "CNN training epochs")
	fpu := fs.Int("frames-per-utt", def.CNN.FramesPerUtt, "CNN train frames drawn per utterance and epoch (0: all)")
	devFPU := fs.Int("dev-frames-per-utt", def.CNN.DevFramesPerUtt, "dev frames per utterance for the CNN's per-epoch dev EER (0: all)")
	comps := fs.Int("gmm-components", def.GMM.Components, "GMM components per class")
	iters := fs.Int("gmm-iterations", def.GMM.Iterations, "GMM EM iterations")
	maxFrames := fs.Int("gmm-max-frames", def.GMM.MaxFrames, "GMM train frames per class (random subsample; 0: all)")
	if err := fs.Parse(args, false); err != nil {
		return err
	}
	if err := fs.Require("out"); err != nil {
		return err
	}
	o := demo.Options{
		Out: *out, Scale: *scale, EvalScale: *evalScale, Seed: *seed, Like: *like, Threads: *threads,
		CNN: demo.CNNOptions{Arch: *cnnArch, Features: features.Kind(*cnnFeat), Augment: *cnnAug,
			Epochs: *epochs, FramesPerUtt: *fpu, DevFramesPerUtt: *devFPU},
		GMM:     demo.GMMOptions{Components: *comps, Iterations: *iters, MaxFrames: *maxFrames},
		Command: "deep4deep demo " + strings.Join(args, " "),
	}
	o.Command = strings.TrimSpace(o.Command)
	if err := o.Validate(); err != nil {
		return cli.Usagef("%v", demoFlagError(err))
	}
	bars, report := newBars(env)
	o.Progress = report
	rep, err := demo.Run(ctx, o)
	bars.done()
	if err != nil {
		return demoFlagError(err)
	}
	for _, s := range rep.Systems {
		fmt.Fprintf(env.Stdout, "%-10s eval EER %6.2f %% [95 %% CI %.2f, %.2f]  (step %6.2f %%, dev %6.2f %%)\n",
			s.Name, 100*s.Eval.EER, 100*s.EvalCI[0], 100*s.EvalCI[1], 100*s.Eval.EERStep, 100*s.Dev.EER)
	}
	fmt.Fprintf(env.Stdout, "report: %s (%.0f s)\n", filepath.Join(*out, "report.md"), rep.Seconds)
	return nil
}

// demoFlags maps the fields of demo.Options to their flags.
var demoFlags = map[string]string{
	"Out": "out", "Scale": "scale", "EvalScale": "eval-scale", "Seed": "seed", "Like": "like",
	"Threads": "threads", "CNN.Arch": "cnn-arch", "CNN.Features": "cnn-features", "CNN.Augment": "cnn-augment", "CNN.Epochs": "epochs", "CNN.FramesPerUtt": "frames-per-utt",
	"CNN.DevFramesPerUtt": "dev-frames-per-utt", "GMM.Components": "gmm-components",
	"GMM.Iterations": "gmm-iterations", "GMM.MaxFrames": "gmm-max-frames",
}

// demoFlagError names the flag of an error in a demo.Options field.
func demoFlagError(err error) error {
	var fe *synth.FieldError
	if !errors.As(err, &fe) {
		return err
	}
	flag, ok := demoFlags[fe.Field]
	if !ok {
		return err
	}
	return fmt.Errorf("--%s: %w", flag, fe.Err)
}
