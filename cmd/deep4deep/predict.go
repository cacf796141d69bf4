package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/deep4deep/deep4deep/defaultmodel"
	"github.com/deep4deep/deep4deep/eval"
	"github.com/deep4deep/deep4deep/internal/cli"
	"github.com/deep4deep/deep4deep/model"
)

func init() {
	register(&cli.Command{Name: "predict", Summary: "score audio files: genuine or spoof", Run: runPredict})
}

func runPredict(ctx context.Context, env *cli.Env, args []string) error {
	fs := cli.NewFlagSet(env, "predict", "deep4deep predict [--model MODEL] [--json] [--calibration CAL.json|none] [--p-spoof 0.05 --c-miss 1 --c-fa 10] FILE...\n\n"+
		"Without --model, the built-in model scores. Audio: WAV, FLAC, MP3; Ogg, WebM, M4A/AAC and\n"+
		"other formats through ffmpeg when it is installed. A file that cannot be scored gets an\n"+
		"error line (with --json an object with \"error\") and the others are still scored; the exit\n"+
		"status is then 1.\n\n"+
		"With a calibration (--calibration, or the model's calibration.json) the score is an LLR and the\n"+
		"label is the Bayes decision for the stated prior and costs: genuine when llr >= ln(Cfa*Pspoof /\n"+
		"(Cmiss*(1-Pspoof))); --json adds \"llr\" and \"threshold\". Without one, genuine when score > 0.\n"+
		"Inputs without speech (silence, noise, tones, sweeps, clips under 0.3 s of speech) are labelled\n"+
		"no_speech whatever their score; --json then adds \"reason\".")
	modelDir := fs.String("model", "", "model directory (config.json + model.safetensors; default: the built-in model)")
	asJSON := fs.Bool("json", false, `one JSON object per line: {"file": ..., "score": ..., "label": "genuine"|"spoof"|"no_speech"} or {"file": ..., "error": ...}`)
	threads := fs.Int("threads", 0, "files scored in parallel (0: all cores)")
	calFlag := fs.String("calibration", "", "calibration `file` mapping scores to LLRs (default: the model's calibration.json if any; \"none\": raw scores)")
	pSpoof := fs.Float64("p-spoof", eval.ASVspoof5.PSpoof, "prior probability of a spoof, for the Bayes decision on calibrated scores")
	cMiss := fs.Float64("c-miss", eval.ASVspoof5.CMiss, "cost of rejecting a genuine speaker")
	cFA := fs.Float64("c-fa", eval.ASVspoof5.CFA, "cost of accepting a spoof")
	maxDur := maxDurationFlag(fs)
	if err := fs.Parse(args, true); err != nil {
		return err
	}
	lim, err := audioLimits("predict", *maxDur)
	if err != nil {
		return err
	}
	files := fs.Args()
	if len(files) == 0 {
		return cli.Usagef("predict: no audio files given")
	}
	costs := eval.DCFParams{PSpoof: *pSpoof, CMiss: *cMiss, CFA: *cFA}
	if !costs.Valid() {
		return cli.Usagef("predict: --p-spoof must be in (0, 1) and --c-miss, --c-fa positive (have %v, %v, %v)", *pSpoof, *cMiss, *cFA)
	}
	m, info, err := defaultmodel.Open(*modelDir)
	if err != nil {
		return err
	}
	cal := info.Calibration
	if *calFlag != "" {
		if cal, _, err = modelCalibration(*calFlag, *modelDir); err != nil {
			return err
		}
	}
	m.Limits = lim
	// Every file gets a line, in the order given; a bad file gets an error
	// line and the others are still scored.
	preds := make([]model.Prediction, len(files))
	errs := make([]error, len(files))
	if err := m.PredictEach(ctx, files, *threads, nil, func(i int, p model.Prediction, err error) {
		preds[i], errs[i] = p, limitHint(err)
	}); err != nil {
		return err
	}
	failed := 0
	enc := json.NewEncoder(env.Stdout)
	threshold := 0.0
	if cal != nil {
		threshold = costs.Threshold()
	}
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
		pr := preds[i]
		label := pr.Label
		var llr *float64
		if cal != nil {
			v := cal.Apply([]float64{pr.Score})
			llr = &v
			if label != model.LabelNoSpeech {
				label = model.LabelSpoof
				if v >= threshold {
					label = model.LabelGenuine
				}
			}
		}
		if *asJSON {
			type out struct {
				File      string   `json:"file"`
				Score     float64  `json:"score"`
				LLR       *float64 `json:"llr,omitempty"`
				Threshold *float64 `json:"threshold,omitempty"`
				Label     string   `json:"label"`
				Reason    string   `json:"reason,omitempty"` // why no_speech
			}
			o := out{File: f, Score: pr.Score, LLR: llr, Label: label}
			if label == model.LabelNoSpeech {
				o.Reason = pr.Speech.Reason
			}
			if llr != nil {
				o.Threshold = &threshold
			}
			if err := enc.Encode(o); err != nil {
				return err
			}
			continue
		}
		if llr != nil {
			fmt.Fprintf(env.Stdout, "%s %.6f %s\n", f, *llr, label)
			continue
		}
		fmt.Fprintf(env.Stdout, "%s %.6f %s\n", f, pr.Score, label)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d files could not be scored", failed, len(files))
	}
	return nil
}
