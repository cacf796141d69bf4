package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/deep4deep/deep4deep/calibrate"
	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/eval"
	"github.com/deep4deep/deep4deep/internal/cli"
)

func init() {
	register(&cli.Command{Name: "fuse",
		Summary: "learn a linear logistic fusion of several systems on dev, or apply one to score files",
		Run:     runFuse})
}

func runFuse(ctx context.Context, env *cli.Env, args []string) error {
	fs := cli.NewFlagSet(env, "fuse",
		"deep4deep fuse --scores A=A.dev.txt --scores B=B.dev.txt --protocol DEV --out FUSER.json [--prior 0.5]\n"+
			"deep4deep fuse --apply FUSER.json --scores A=A.eval.txt --scores B=B.eval.txt --out FUSED.eval.txt\n\n"+
			"The first form fits llr = wA*A + wB*B + ... + b on the development trials scored by every\n"+
			"system (prior-weighted logistic regression, BOSARIS style) and writes the fuser as JSON.\n"+
			"The second applies a fuser to other score files of the same systems, matched by LABEL, and\n"+
			"writes a score file (calibrated LLRs) of the trials that every system scored.")
	var systems systemFlag
	fs.Var(&systems, "scores", "score file of one system, `LABEL=FILE`; repeat for each system")
	protocol := fs.String("protocol", "", "protocol file of the development set (to learn a fuser)")
	apply := fs.String("apply", "", "fuser `file` to apply instead of learning one")
	out := fs.String("out", "", "fuser file to write (learning) or fused score file (with --apply)")
	prior := fs.Float64("prior", 0.5, "prior probability of a genuine trial that the fit weights for, in (0, 1)")
	if err := fs.Parse(args, false); err != nil {
		return err
	}
	if err := fs.Require("scores", "out"); err != nil {
		return err
	}
	if (*apply == "") == (*protocol == "") {
		return cli.Usagef("fuse: give --protocol (learn a fuser) or --apply (use one), not both or neither")
	}
	if !(*prior > 0 && *prior < 1) {
		return cli.Usagef("fuse: --prior %v is not in (0, 1)", *prior)
	}
	if err := labelSystems(systems); err != nil {
		return err
	}
	names := make([]string, len(systems))
	for i, s := range systems {
		names[i] = s.label
	}
	read := func(order []string) ([]map[string]float64, error) {
		byName := map[string]string{}
		for _, s := range systems {
			byName[s.label] = s.path
		}
		sets := make([]map[string]float64, len(order))
		for i, n := range order {
			p, ok := byName[n]
			if !ok {
				return nil, cli.Usagef("fuse: %s needs a --scores %s=FILE (its systems: %s)", *apply, n, strings.Join(order, ", "))
			}
			s, err := eval.ReadScores(p)
			if err != nil {
				return nil, err
			}
			sets[i] = s
		}
		return sets, ctx.Err()
	}

	if *apply != "" {
		m, err := calibrate.Load(*apply)
		if err != nil {
			return err
		}
		if len(systems) != len(m.Systems) {
			return cli.Usagef("fuse: %s fuses %d systems (%s), %d score files given",
				*apply, len(m.Systems), strings.Join(m.Systems, ", "), len(systems))
		}
		sets, err := read(m.Systems)
		if err != nil {
			return err
		}
		ids, fused, missing, err := m.Fuse(sets)
		if err != nil {
			return fmt.Errorf("%s: %w", *apply, err)
		}
		if missing > 0 {
			fmt.Fprintf(env.Stderr, "deep4deep fuse: warning: %d trials not scored by every system left out\n", missing)
		}
		if len(ids) == 0 {
			return fmt.Errorf("no trial is scored by every system (%s)", strings.Join(m.Systems, ", "))
		}
		return eval.WriteScores(*out, ids, fused)
	}

	if len(systems) < 2 {
		return cli.Usagef("fuse: give at least two --scores LABEL=FILE (one system: use calibrate)")
	}
	trials, err := corpus.ReadProtocol(*protocol)
	if err != nil {
		return err
	}
	sets, err := read(names)
	if err != nil {
		return err
	}
	o := calibrate.DefaultOptions()
	o.Prior = *prior
	m, missing, err := calibrate.Train(trials, sets, names, o)
	if err != nil {
		return fmt.Errorf("%s: %w", *protocol, err)
	}
	if missing > 0 {
		fmt.Fprintf(env.Stderr, "deep4deep fuse: warning: %d of %d protocol trials not scored by every system; fitted without them\n",
			missing, len(trials))
	}
	if err := m.Save(*out); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "llr =")
	for i, n := range m.Systems {
		fmt.Fprintf(env.Stdout, " %+.6g*%s", m.Weights[i], n)
	}
	fmt.Fprintf(env.Stdout, " %+.6g  (prior %g; %d genuine, %d spoof trials)\n", m.Offset, m.Prior, m.NGenuine, m.NSpoof)
	for i, n := range m.Systems {
		fmt.Fprintf(env.Stdout, "dev Cllr %s: %.4f bits\n", n, m.CllrBefore[i])
	}
	fmt.Fprintf(env.Stdout, "dev Cllr fused: %.4f bits (min Cllr %.4f); written to %s\n", m.CllrAfter, m.MinCllr, *out)
	return nil
}
