package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/eval"
	"github.com/deep4deep/deep4deep/internal/cli"
	"github.com/deep4deep/deep4deep/plot"
)

func init() {
	register(&cli.Command{Name: "eval",
		Summary: "EERs (ASVspoof 2017 ROCCH and 2019 step), metrics and per-condition EERs of score files",
		Run:     runEval})
}

// systemFlag collects repeated --scores [LABEL=]FILE arguments.
type systemFlag []system

type system struct{ label, path string }

func (f *systemFlag) String() string {
	var s []string
	for _, sys := range *f {
		s = append(s, sys.path)
	}
	return strings.Join(s, ",")
}

// Set takes "FILE" or "LABEL=FILE"; an argument that names an existing file
// is a file even when it contains "=".
func (f *systemFlag) Set(v string) error {
	sys := system{path: v}
	if i := strings.IndexByte(v, '='); i > 0 {
		if _, err := os.Stat(v); err != nil {
			sys = system{label: v[:i], path: v[i+1:]}
		}
	}
	if sys.path == "" {
		return fmt.Errorf("empty score file in %q", v)
	}
	*f = append(*f, sys)
	return nil
}

func runEval(ctx context.Context, env *cli.Env, args []string) error {
	fs := cli.NewFlagSet(env, "eval",
		"deep4deep eval --scores [LABEL=]SCORES [--scores ...] --protocol FILE|--corpus ROOT --set S [--asv-scores FILE] [--json] [--det det.png] [--allow-missing]\n"+
			"               [--calibration CAL.json] [--calibration-plot reliability.png]\n\n"+
			"Scores every trial of the protocol: ROCCH-EER (ASVspoof 2017 official, BOSARIS), the ASVspoof\n"+
			"2019/2021 step EER, accuracy/precision/recall/F1 of \"score > 0 => genuine\", and the EER by\n"+
			"environment, playback device, recording device and phrase (ASVspoof 2017) or by every condition\n"+
			"column of the protocol (2019 environment and attack, 2021 codec and transmission, a list's keys),\n"+
			"and the minimum normalised t-DCF in its ASVspoof 2019 (legacy) and 2021 (revised) forms, at the\n"+
			"ASV operating point of --asv-scores or else the fixed ASVspoof 5 reference point. Score files have\n"+
			"one \"<file ID> <score>\" (or 2019 \"<ID> <source> <key> <score>\") line per trial (higher = genuine).\n"+
			"Scores for IDs not in the protocol are ignored with a warning (counted in \"extra\").\n"+
			"Several --scores compare systems: one DET plot, one report per system, and --json prints\n"+
			"{\"systems\": {LABEL: {\"scores\": FILE, ...one system's object...}}}. LABEL defaults to the\n"+
			"file name without extension. Cllr, min Cllr and the actual/minimum DCF (ASVspoof 5: Pspoof 0.05,\n"+
			"Cmiss 1, Cfa 10) read the scores as natural-log likelihood ratios: calibrate them first.")
	var systems systemFlag
	fs.Var(&systems, "scores", "score file, optionally `LABEL=FILE`; repeat to compare systems")
	protocol := fs.String("protocol", "", "protocol file: ASVspoof 2017/2019/2021 or a list (format detected, or --format)")
	corpusDir := fs.String("corpus", "", "corpus root whose --set protocol to use instead of --protocol")
	setName := fs.String("set", "eval", "with --corpus: the set (train, dev or eval)")
	formatName := fs.String("format", "", "protocol format: asvspoof2017, asvspoof2019, asvspoof2021 or list (default: detected)")
	asvScores := fs.String("asv-scores", "", "ASV scores for the t-DCF (\"KEY target|nontarget|spoof SCORE\", as the ASVspoof 2019 LA asv.*.gi.trl.scores.txt)")
	asJSON := fs.Bool("json", false, "print one JSON object instead of tables")
	det := fs.String("det", "", "draw the DET curves of all systems into this PNG `file`")
	allowMissing := fs.Bool("allow-missing", false, "evaluate the scored trials when some protocol trials have no score (counted in \"missing\")")
	calFile := fs.String("calibration", "", "calibration `file` (from calibrate) applied to every score file before evaluating")
	relPlot := fs.String("calibration-plot", "", "draw the reliability diagram of all systems (scores read as LLRs) into this PNG `file`")
	if err := fs.Parse(args, false); err != nil {
		return err
	}
	if err := fs.Require("scores"); err != nil {
		return err
	}
	format, err := corpus.ParseFormat(*formatName)
	if err != nil {
		return cli.Usagef("eval: --format: %v", err)
	}
	switch {
	case *protocol == "" && *corpusDir == "":
		return cli.Usagef("eval: --protocol is required, or --corpus ROOT --set S (see --help)")
	case *protocol != "" && *corpusDir != "":
		return cli.Usagef("eval: give --protocol or --corpus, not both")
	case *corpusDir != "":
		set, err := corpus.ParseSet(*setName)
		if err != nil {
			return cli.Usagef("eval: --set: %v", err)
		}
		c, err := corpus.Corpus{Root: *corpusDir, Format: format}.Resolve()
		if err != nil {
			return err
		}
		*protocol, format = c.ProtocolPath(set), c.Format
	}
	asv := eval.ASVspoof5Reference
	if *asvScores != "" {
		s, err := eval.ReadASVScores(*asvScores)
		if err != nil {
			return err
		}
		asv = s.OperatingPoint("ASV EER threshold of " + *asvScores)
	}
	if err := labelSystems(systems); err != nil {
		return err
	}

	trials, err := corpus.ReadProtocolFormat(*protocol, format)
	if err != nil {
		return err
	}
	cal, err := loadCalibration(*calFile)
	if err != nil {
		return err
	}
	results := make([]*eval.Result, len(systems))
	var curves []plot.DETCurve
	for i, sys := range systems {
		if err := ctx.Err(); err != nil {
			return err
		}
		scores, err := eval.ReadScores(sys.path)
		if err != nil {
			return err
		}
		if cal != nil {
			if scores, err = cal.Calibrate(scores); err != nil {
				return fmt.Errorf("%s: %w", *calFile, err)
			}
		}
		r, err := eval.Evaluate(trials, scores, *allowMissing)
		var me *eval.MissingError
		switch {
		case errors.As(err, &me):
			return fmt.Errorf("%s: %w in %s; --allow-missing evaluates the scored trials only", sys.path, err, *protocol)
		case err != nil:
			return fmt.Errorf("%s: %w", sys.path, err)
		}
		if err := r.AddTDCF(trials, scores, asv); err != nil {
			return fmt.Errorf("%s: t-DCF: %w", sys.path, err)
		}
		if r.Extra > 0 {
			fmt.Fprintf(env.Stderr, "deep4deep eval: warning: %s: %d scores for IDs not in %s ignored (first: %s)\n",
				sys.path, r.Extra, *protocol, eval.ExtraIDs(trials, scores)[0])
		}
		if r.Missing > 0 {
			fmt.Fprintf(env.Stderr, "deep4deep eval: warning: %s: %d of %d protocol trials have no score; evaluated without them\n",
				sys.path, r.Missing, len(trials))
		}
		results[i] = r
		if *det != "" || *relPlot != "" {
			g, s := eval.ClassScores(trials, scores)
			curves = append(curves, plot.DETCurve{Label: sys.label, Genuine: g, Spoof: s})
		}
	}
	if *det != "" {
		if err := plot.DET(*det, curves); err != nil {
			return err
		}
	}
	if *relPlot != "" {
		if err := plot.Reliability(*relPlot, curves); err != nil {
			return err
		}
	}
	if *asJSON {
		return printEvalJSON(env, systems, results)
	}
	return printEvalText(env, systems, results, *protocol)
}

// labelSystems gives every system a unique legend label: the one given, or
// the file name without its extension, or the path when names collide.
func labelSystems(systems systemFlag) error {
	seen := map[string]int{}
	for _, s := range systems {
		if s.label != "" {
			seen[s.label]++
		}
	}
	for l, n := range seen {
		if n > 1 {
			return cli.Usagef("label %q given to %d score files", l, n)
		}
	}
	base := func(p string) string { return strings.TrimSuffix(filepath.Base(p), filepath.Ext(p)) }
	count := map[string]int{}
	for _, s := range systems {
		if s.label == "" {
			count[base(s.path)]++
		}
	}
	for i, s := range systems {
		if s.label != "" {
			continue
		}
		systems[i].label = base(s.path)
		if count[base(s.path)] > 1 || seen[base(s.path)] > 0 {
			systems[i].label = s.path
		}
	}
	return nil
}

// printEvalJSON prints the Result of a single system as DESIGN §5's object;
// several systems as {"systems": {LABEL: {"scores": FILE, ...Result}}}.
func printEvalJSON(env *cli.Env, systems systemFlag, results []*eval.Result) error {
	var v any = results[0]
	if len(results) > 1 {
		type entry struct {
			Scores string `json:"scores"`
			*eval.Result
		}
		m := map[string]entry{}
		for i, s := range systems {
			m[s.label] = entry{s.path, results[i]}
		}
		v = map[string]any{"systems": m}
	}
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(env.Stdout, "%s\n", data)
	return err
}

func printEvalText(env *cli.Env, systems systemFlag, results []*eval.Result, protocol string) error {
	w := env.Stdout
	if len(results) > 1 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "system\tEER %%\tEER step %%\taccuracy %%\tF1 %%\tgenuine\tspoof\tmissing\t\n")
		for i, s := range systems {
			r := results[i]
			fmt.Fprintf(tw, "%s\t%.2f\t%.2f\t%.2f\t%.2f\t%d\t%d\t%d\t\n", s.label,
				100*r.EER, 100*r.EERStep, 100*r.Accuracy, 100*r.F1, r.NGenuine, r.NSpoof, r.Missing)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	for i, s := range systems {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "== %s: %s on %s\n", s.label, s.path, protocol)
		if err := results[i].WriteText(w); err != nil {
			return err
		}
	}
	return nil
}
