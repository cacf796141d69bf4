package main

import (
	"context"
	"fmt"
	"runtime"

	"github.com/deep4deep/deep4deep/calibrate"
	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/eval"
	"github.com/deep4deep/deep4deep/internal/cli"
)

func init() {
	register(&cli.Command{Name: "calibrate",
		Summary: "fit an affine map from a system's dev scores to log-likelihood ratios",
		Run:     runCalibrate})
}

func runCalibrate(ctx context.Context, env *cli.Env, args []string) error {
	fs := cli.NewFlagSet(env, "calibrate",
		"deep4deep calibrate --scores SCORES --protocol FILE --out CAL.json [--prior 0.5]\n\n"+
			"Fits llr = a*score + b on the scored protocol trials by prior-weighted logistic regression\n"+
			"(BOSARIS style) and writes the map as JSON. Apply it with --calibration CAL.json in score,\n"+
			"predict and eval, or copy it into a model directory as calibration.json.")
	scores := fs.String("scores", "", "score file of the development set (\"<ID> <score>\" lines)")
	protocol := fs.String("protocol", "", "protocol file of the same set (labels)")
	out := fs.String("out", "", "calibration file to write (JSON)")
	prior := fs.Float64("prior", 0.5, "prior probability of a genuine trial that the fit weights for, in (0, 1)")
	if err := fs.Parse(args, false); err != nil {
		return err
	}
	if err := fs.Require("scores", "protocol", "out"); err != nil {
		return err
	}
	if !(*prior > 0 && *prior < 1) {
		return cli.Usagef("calibrate: --prior %v is not in (0, 1)", *prior)
	}
	trials, err := corpus.ReadProtocol(*protocol)
	if err != nil {
		return err
	}
	s, err := eval.ReadScores(*scores)
	if err != nil {
		return err
	}
	o := calibrate.DefaultOptions()
	o.Prior = *prior
	m, missing, err := calibrate.Train(trials, []map[string]float64{s}, []string{*scores}, o)
	if err != nil {
		return fmt.Errorf("%s: %w", *scores, err)
	}
	if missing > 0 {
		fmt.Fprintf(env.Stderr, "deep4deep calibrate: warning: %s: %d of %d protocol trials have no score; fitted without them\n",
			*scores, missing, len(trials))
	}
	if err := m.Save(*out); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "llr = %.6g * score %+.6g  (prior %g; %d genuine, %d spoof trials)\n",
		m.Weights[0], m.Offset, m.Prior, m.NGenuine, m.NSpoof)
	fmt.Fprintf(env.Stdout, "dev Cllr %.4f -> %.4f bits (min Cllr %.4f); written to %s\n",
		m.CllrBefore[0], m.CllrAfter, m.MinCllr, *out)
	return ctx.Err()
}

// loadCalibration loads the one-system calibration at path; "" gives nil.
func loadCalibration(path string) (*calibrate.Map, error) {
	if path == "" {
		return nil, nil
	}
	m, err := calibrate.Load(path)
	if err != nil {
		return nil, err
	}
	if len(m.Weights) != 1 {
		return nil, fmt.Errorf("%s: a fusion of %d systems, not a calibration (apply it with fuse --apply)", path, len(m.Weights))
	}
	return m, nil
}

// modelCalibration returns the calibration a model's scores get: the file
// given by --calibration, none when it is "none", else the model
// directory's calibration.json if it has one. from names where it came from.
func modelCalibration(flagValue, modelDir string) (m *calibrate.Map, from string, err error) {
	switch flagValue {
	case "none":
		return nil, "", nil
	case "":
		m, err = calibrate.LoadModel(modelDir)
		if err == nil && m != nil && len(m.Weights) != 1 {
			return nil, "", fmt.Errorf("%s/%s: a fusion, not a calibration", modelDir, calibrate.FileName)
		}
		return m, modelDir + "/" + calibrate.FileName, err
	}
	m, err = loadCalibration(flagValue)
	return m, flagValue, err
}

// calibrateModel implements train --calibrate-on SET: a calibration of the
// trained model on SET, stored in the model directory. "" does nothing.
func calibrateModel(ctx context.Context, env *cli.Env, setName string, c corpus.Corpus, dir string, threads int) error {
	if setName == "" {
		return nil
	}
	set, err := corpus.ParseSet(setName)
	if err != nil {
		return cli.Usagef("train: --calibrate-on: %v", err)
	}
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	m, err := calibrate.FitModel(ctx, dir, c, set, threads, calibrate.DefaultOptions())
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "calibration on %s: llr = %.6g * score %+.6g; Cllr %.4f -> %.4f bits; in %s/%s\n",
		set, m.Weights[0], m.Offset, m.CllrBefore[0], m.CllrAfter, dir, calibrate.FileName)
	return nil
}
