package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/deep4deep/deep4deep/defaultmodel"
	"github.com/deep4deep/deep4deep/internal/cli"
)

func init() {
	register(&cli.Command{Name: "model", Summary: "model info [DIR]: what a model is (default: the built-in model)", Run: runModel})
}

func runModel(ctx context.Context, env *cli.Env, args []string) error {
	if len(args) == 0 || args[0] != "info" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			fmt.Fprintln(env.Stderr, "usage: deep4deep model info [--json] [DIR]")
			return nil
		}
		return cli.Usagef("model: want \"model info [--json] [DIR]\"")
	}
	fs := cli.NewFlagSet(env, "model info", "deep4deep model info [--json] [DIR]   (no DIR: the built-in model)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := fs.Parse(args[1:], true); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return cli.Usagef("model info: one model directory at most")
	}
	_, info, err := defaultmodel.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(info)
	}
	w := env.Stdout
	fmt.Fprintf(w, "name:        %s\n", info.Name)
	fmt.Fprintf(w, "source:      %s\n", info.Source)
	fmt.Fprintf(w, "kind:        %s on %s features", info.Kind, info.Features)
	if info.Params > 0 {
		fmt.Fprintf(w, ", %d parameters", info.Params)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "recipe:      %s\n", info.RecipeVersion)
	if r := info.Recipe; r != nil {
		fmt.Fprintf(w, "  training:  %s\n", r.Recipe)
		fmt.Fprintf(w, "  corpus:    %s (synth recipe v%s, seed %d)\n", r.Corpus, r.CorpusRecipeVersion, r.Seed)
		fmt.Fprintf(w, "  reproduce: %s\n", r.Reproduce)
	}
	fmt.Fprintf(w, "calibrated:  %v\n", info.Calibrated)
	fmt.Fprintf(w, "hash:        sha256:%s\n", info.Hash)
	fmt.Fprintf(w, "written by:  deep4deep %s, %s\n", info.Versions.Deep4deep, info.Versions.Go)
	if c := info.Corpus; c != nil {
		var sets []string
		for s, n := range c.Trials {
			sets = append(sets, fmt.Sprintf("%s %d", s, n))
		}
		slices.Sort(sets)
		fmt.Fprintf(w, "corpus:      %s (sha256 %.12s…; trials: %s)\n", c.Root, c.SHA256, strings.Join(sets, ", "))
	}
	if len(info.Training) > 0 {
		var t map[string]any
		if json.Unmarshal(info.Training, &t) == nil {
			if e, ok := t["dev_eer"].(float64); ok {
				fmt.Fprintf(w, "dev EER:     %.2f %% (best epoch %v of %v run)\n", 100*e, t["best_epoch"], t["epochs_run"])
			}
		}
	}
	return nil
}
