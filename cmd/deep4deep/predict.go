package main

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"

	"github.com/deep4deep/deep4deep/audio"
	"github.com/deep4deep/deep4deep/defaultmodel"
	"github.com/deep4deep/deep4deep/internal/cli"
)

func init() {
	register(&cli.Command{Name: "predict", Summary: "score audio files: genuine or spoof", Run: runPredict})
}

func runPredict(ctx context.Context, env *cli.Env, args []string) error {
	fs := cli.NewFlagSet(env, "predict", "deep4deep predict [--model MODEL] [--json] FILE...")
	modelDir := fs.String("model", "", "model directory (config.json + model.safetensors; default: the built-in model)")
	asJSON := fs.Bool("json", false, `one JSON object per line: {"file": ..., "score": ..., "label": "genuine"|"spoof"} or {"file": ..., "error": ...}`)
	threads := fs.Int("threads", 0, "files scored in parallel (0: all cores)")
	if err := fs.Parse(args, true); err != nil {
		return err
	}
	files := fs.Args()
	if len(files) == 0 {
		return cli.Usagef("predict: no audio files given")
	}
	m, _, err := defaultmodel.Open(*modelDir)
	if err != nil {
		return err
	}
	workers := *threads
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	// Every file gets a line, in the order given; a bad file gets an error
	// line and the others are still scored.
	scores := make([]float64, len(files))
	errs := make([]error, len(files))
	if err := m.ScoreEach(ctx, files, workers, &audio.Decoder{}, func(i int, s float64, err error) {
		scores[i], errs[i] = s, err
	}); err != nil {
		return err
	}
	enc := json.NewEncoder(env.Stdout)
	failed := 0
	for i, f := range files {
		if errs[i] != nil {
			failed++
			if *asJSON {
				if err := enc.Encode(struct {
					File  string `json:"file"`
					Error string `json:"error"`
				}{f, errs[i].Error()}); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(env.Stderr, "deep4deep predict: %v\n", errs[i])
			}
			continue
		}
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
	if failed > 0 {
		return fmt.Errorf("%d of %d files could not be scored", failed, len(files))
	}
	return nil
}
