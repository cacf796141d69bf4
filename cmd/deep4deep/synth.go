package main

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/internal/cli"
	"github.com/deep4deep/deep4deep/synth"
)

func init() {
	register(&cli.Command{Name: "synth", Summary: "write a synthetic replay corpus in the ASVspoof 2017 layout",
		Run: runSynth})
}

func runSynth(ctx context.Context, env *cli.Env, args []string) error {
	fs := cli.NewFlagSet(env, "synth",
		"deep4deep synth --out ROOT [--layout asvspoof2017|asvspoof2019-pa] [--scale 0.05] [--eval-scale F] [--seed 1] [--like PROTOCOL_DIR | --matched] [--sources DIR] [--workers N] [--force]")
	layout := fs.String("layout", "asvspoof2017", "corpus to imitate: asvspoof2017 (V2 layout, WAV) or asvspoof2019-pa (2019 PA layout and simulation, FLAC; --like takes a 2019 PA protocol folder)")
	out := fs.String("out", "", "corpus root to create (must not exist or be empty, unless --force)")
	scale := fs.Float64("scale", 1, "fraction of the protocol rows to keep, stratified by set × class × condition, in (0, 1]")
	seed := fs.Uint64("seed", 1, "random seed: same seed, scale and rows give byte-identical files")
	evalScale := fs.Float64("eval-scale", 0, "fraction of the eval rows to keep instead of --scale (0: --scale)")
	like := fs.String("like", "", "protocol_V2 folder whose rows to reproduce (default: rows with the real corpus's statistics)")
	matched := fs.Bool("matched", false, "matched-condition check: train, dev and eval share every replay configuration (disjoint speakers)")
	sources := fs.String("sources", "", "folder of real speech recordings (WAV/FLAC, any rate) to use instead of synthesised speech")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "files synthesised in parallel")
	force := fs.Bool("force", false, "write into an existing non-empty folder (same-named files are replaced)")
	if err := fs.Parse(args, false); err != nil {
		return err
	}
	if err := fs.Require("out"); err != nil {
		return err
	}
	if !(*scale > 0 && *scale <= 1) {
		return cli.Usagef("--scale %g (want a fraction in (0, 1])", *scale)
	}
	if *workers < 1 {
		return cli.Usagef("--workers %d (want at least 1)", *workers)
	}
	opts := synth.Options{
		Out: *out, Scale: *scale, EvalScale: *evalScale, Seed: *seed, Like: *like, Matched: *matched,
		Sources: *sources, Workers: *workers, Force: *force,
		Command: "deep4deep synth " + strings.Join(args, " "),
	}
	if err := opts.Validate(); err != nil {
		return cli.Usagef("%v", synthFlagError(err))
	}
	plan, generate := synth.Plan, synth.Generate
	switch *layout {
	case "asvspoof2017":
	case "asvspoof2019-pa":
		plan, generate = synth.PlanPA, synth.GeneratePA
	default:
		return cli.Usagef("--layout %q (want asvspoof2017 or asvspoof2019-pa)", *layout)
	}
	rows, err := plan(opts)
	if err != nil {
		return synthFlagError(err)
	}
	total := 0
	for _, s := range corpus.Sets {
		total += len(rows[s])
	}
	bars, report := newBars(env)
	opts.Progress = report.Named("synth", "files")
	err = generate(ctx, opts)
	bars.done()
	if err != nil {
		return synthFlagError(err)
	}
	for _, s := range corpus.Sets {
		g, sp := 0, 0
		for _, t := range rows[s] {
			if t.Label == corpus.Genuine {
				g++
			} else {
				sp++
			}
		}
		fmt.Fprintf(env.Stdout, "%-5s %6d genuine %6d spoof\n", s, g, sp)
	}
	fmt.Fprintf(env.Stdout, "wrote %d files to %s\n", total, *out)
	return nil
}

// synthFlags maps the fields of synth.Options to their flags.
var synthFlags = map[string]string{
	"Out": "out", "Scale": "scale", "EvalScale": "eval-scale", "Seed": "seed", "Like": "like",
	"Matched": "matched", "Sources": "sources", "Workers": "workers", "Force": "force",
}

// synthFlagError names the flag of an error in a synth.Options field
// (or in another options struct whose field names are in flags of the same
// spelling), and says how to write into a non-empty folder.
func synthFlagError(err error) error {
	var fe *synth.FieldError
	if !errors.As(err, &fe) {
		return err
	}
	flag, ok := synthFlags[fe.Field]
	if !ok {
		return err
	}
	if errors.Is(fe.Err, synth.ErrNotEmpty) {
		return fmt.Errorf("--%s %w (use --force to write into it)", flag, fe.Err)
	}
	return fmt.Errorf("--%s: %w", flag, fe.Err)
}
