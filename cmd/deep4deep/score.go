package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/eval"
	"github.com/deep4deep/deep4deep/internal/cli"
	"github.com/deep4deep/deep4deep/model"
)

func init() {
	register(&cli.Command{Name: "score", Summary: "score every trial of a corpus set with a model", Run: runScore})
}

func runScore(ctx context.Context, env *cli.Env, args []string) error {
	fs := cli.NewFlagSet(env, "score", "deep4deep score --model MODEL --corpus ROOT|--protocol FILE --set dev|eval --out SCORES [--format F] [--shard I/N] [--threads N] [--calibration CAL.json|none]")
	modelDir := fs.String("model", "", "model directory (config.json + model.safetensors)")
	cf := addCorpusFlags(fs, true)
	shardFlag := fs.String("shard", "", "score only shard `I/N` of the set (0 <= I < N; a stable split by file ID); join the shards with merge-scores")
	setName := fs.String("set", "", "set to score: train, dev or eval")
	out := fs.String("out", "", "score file to write (\"<ID> <score>\" lines; higher = genuine)")
	threads := fs.Int("threads", 0, "files scored in parallel (0: all cores)")
	calFlag := fs.String("calibration", "", "calibration `file` mapping scores to LLRs (default: the model's calibration.json if any; \"none\": raw scores)")
	maxDur := maxDurationFlag(fs)
	if err := fs.Parse(args, false); err != nil {
		return err
	}
	lim, err := audioLimits("score", *maxDur)
	if err != nil {
		return err
	}
	if err := fs.Require("model", "set", "out"); err != nil {
		return err
	}
	set, err := corpus.ParseSet(*setName)
	if err != nil {
		return cli.Usagef("score: --set: %v", err)
	}
	shard, err := corpus.ParseShard(*shardFlag)
	if err != nil {
		return cli.Usagef("score: --shard: %v", err)
	}
	m, err := model.Load(*modelDir)
	if err != nil {
		return err
	}
	m.Limits = lim
	cal, calFrom, err := modelCalibration(*calFlag, *modelDir)
	if err != nil {
		return err
	}
	c, err := cf.corpus("score")
	if err != nil {
		return err
	}
	trials, err := c.ShardTrials(set, shard)
	if err != nil {
		return err
	}
	paths := make([]string, len(trials))
	ids := make([]string, len(trials))
	for i, t := range trials {
		paths[i], ids[i] = c.AudioPath(set, t), t.ID()
	}
	bars, report := newBars(env)
	start := time.Now()
	preds, err := m.PredictFiles(ctx, paths, *threads, report.Named("score "+set.String(), "files"))
	bars.done()
	if err != nil {
		return limitHint(err)
	}
	scores := make([]float64, len(preds))
	for i, p := range preds {
		scores[i] = p.Score
	}
	if cal != nil {
		if err := cal.CalibrateSlice(scores); err != nil {
			return err
		}
		if !env.Quiet {
			fmt.Fprintf(env.Stderr, "scores calibrated to LLRs by %s\n", calFrom)
		}
	}
	if err := eval.WriteScores(*out, ids, scores); err != nil {
		return err
	}
	if !env.Quiet {
		fmt.Fprintf(env.Stderr, "%d trials scored in %.1f s; scores in %s\n", len(ids), time.Since(start).Seconds(), *out)
	}
	if w := noSpeechWarning(ids, preds); w != "" {
		fmt.Fprintln(env.Stderr, w)
	}
	return nil
}

// noSpeechWarning is the one-line warning of score about trials the speech
// check found without speech ("" when there are none): their scores are
// written like any other, and predict labels them no_speech.
func noSpeechWarning(ids []string, preds []model.Prediction) string {
	var b strings.Builder
	n := 0
	for i, p := range preds {
		if p.Label != model.LabelNoSpeech {
			continue
		}
		if n++; n <= 3 {
			fmt.Fprintf(&b, "; %s: %s", ids[i], p.Speech.Reason)
		}
	}
	if n == 0 {
		return ""
	}
	if n > 3 {
		fmt.Fprintf(&b, "; …")
	}
	return fmt.Sprintf("warning: %d of %d trials hold no speech (no_speech; scored all the same)%s", n, len(preds), b.String())
}
