package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/deep4deep/deep4deep/internal/cli"
	"github.com/deep4deep/deep4deep/model"
)

func init() {
	register(&cli.Command{Name: "predict", Summary: "score audio files: genuine or spoof", Run: runPredict})
}

func runPredict(ctx context.Context, env *cli.Env, args []string) error {
	fs := cli.NewFlagSet(env, "predict", "deep4deep predict --model MODEL [--json] FILE...")
	modelDir := fs.String("model", "", "model directory (config.json + model.safetensors)")
	asJSON := fs.Bool("json", false, `one JSON object per line: {"file": ..., "score": ..., "label": "genuine"|"spoof"}`)
	threads := fs.Int("threads", 0, "files scored in parallel (0: all cores)")
	maxDur := maxDurationFlag(fs)
	if err := fs.Parse(args, true); err != nil {
		return err
	}
	lim, err := audioLimits("predict", *maxDur)
	if err != nil {
		return err
	}
	if err := fs.Require("model"); err != nil {
		return err
	}
	files := fs.Args()
	if len(files) == 0 {
		return cli.Usagef("predict: no audio files given")
	}
	m, err := model.Load(*modelDir)
	if err != nil {
		return err
	}
	m.Limits = lim
	scores, err := m.ScoreFiles(ctx, files, *threads, nil)
	if err != nil {
		return limitHint(err)
	}
	enc := json.NewEncoder(env.Stdout)
	for i, f := range files {
		label := "spoof"
		if scores[i] > 0 {
			label = "genuine"
		}
		if *asJSON {
			if err := enc.Encode(struct {
				File  string  `json:"file"`
				Score float64 `json:"score"`
				Label string  `json:"label"`
			}{f, scores[i], label}); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintf(env.Stdout, "%s %.6f %s\n", f, scores[i], label)
	}
	return nil
}
