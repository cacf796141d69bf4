package demo

import (
	"fmt"
	"path/filepath"
	"slices"

	"github.com/deep4deep/deep4deep/calibrate"
	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/eval"
)

// FusionName is the summary key of the fusion of the demo's systems.
const FusionName = "fusion"

// Calibrated is one system's scores mapped to log-likelihood ratios by an
// affine calibration fitted on dev (as `deep4deep calibrate` does), and
// the eval measures of those LLRs.
type Calibrated struct {
	Name   string
	Map    *calibrate.Map
	Scores string // calibrated eval score file, relative to the demo folder
	Eval   *eval.Result
}

// Fusion is the linear logistic fusion of the demo's systems, learnt on dev
// and applied to eval (as `deep4deep fuse` does).
type Fusion struct {
	Map       *calibrate.Map
	Scores    [2]string // fused dev and eval score files
	Dev, Eval *eval.Result
}

// calibrateAndFuse calibrates every system on its dev scores, writes the
// calibrated eval scores, fuses all systems on dev and writes the fused
// dev and eval scores; every file goes under out/scores.
func calibrateAndFuse(out string, trials map[corpus.Set][]corpus.Trial, systems []*System) ([]Calibrated, *Fusion, error) {
	read := func(rel string) (map[string]float64, error) { return eval.ReadScores(filepath.Join(out, rel)) }
	var cals []Calibrated
	var devSets, evalSets []map[string]float64
	var names []string
	for _, sys := range systems {
		dev, err := read(sys.Scores[0])
		if err != nil {
			return nil, nil, err
		}
		ev, err := read(sys.Scores[1])
		if err != nil {
			return nil, nil, err
		}
		m, _, err := calibrate.Train(trials[corpus.Dev], []map[string]float64{dev}, []string{sys.Name}, calibrate.DefaultOptions())
		if err != nil {
			return nil, nil, fmt.Errorf("calibrating %s: %w", sys.Name, err)
		}
		llr, err := m.Calibrate(ev)
		if err != nil {
			return nil, nil, err
		}
		rel := ScoresDir + "/" + sys.Name + ".eval.llr.txt"
		if err := writeScoreMap(filepath.Join(out, rel), llr); err != nil {
			return nil, nil, err
		}
		res, err := eval.Evaluate(trials[corpus.Eval], llr, false)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", rel, err)
		}
		cals = append(cals, Calibrated{Name: sys.Name, Map: m, Scores: rel, Eval: res})
		devSets, evalSets, names = append(devSets, dev), append(evalSets, ev), append(names, sys.Name)
	}
	if len(systems) < 2 {
		return cals, nil, nil
	}
	m, _, err := calibrate.Train(trials[corpus.Dev], devSets, names, calibrate.DefaultOptions())
	if err != nil {
		return nil, nil, fmt.Errorf("fusing %v: %w", names, err)
	}
	f := &Fusion{Map: m, Scores: [2]string{ScoreFile(FusionName, corpus.Dev), ScoreFile(FusionName, corpus.Eval)}}
	for i, sets := range [][]map[string]float64{devSets, evalSets} {
		ids, fused, _, err := m.Fuse(sets)
		if err != nil {
			return nil, nil, err
		}
		if err := eval.WriteScores(filepath.Join(out, f.Scores[i]), ids, fused); err != nil {
			return nil, nil, err
		}
		set := []corpus.Set{corpus.Dev, corpus.Eval}[i]
		res, err := evaluateFile(filepath.Join(out, f.Scores[i]), trials[set])
		if err != nil {
			return nil, nil, err
		}
		if i == 0 {
			f.Dev = res
		} else {
			f.Eval = res
		}
	}
	return cals, f, nil
}

// writeScoreMap writes scores in ID order.
func writeScoreMap(path string, scores map[string]float64) error {
	ids := make([]string, 0, len(scores))
	for id := range scores {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	v := make([]float64, len(ids))
	for i, id := range ids {
		v[i] = scores[id]
	}
	return eval.WriteScores(path, ids, v)
}

// writeCalibration writes the report's section on calibrated scores and the
// fusion.
func (r *Report) writeCalibration(p func(string, ...any)) {
	if len(r.Calibrated) == 0 {
		return
	}
	p("## Calibrated scores and fusion\n\n")
	p("Each system's scores mapped to log-likelihood ratios by an affine calibration fitted on dev " +
		"(prior-weighted logistic regression, `deep4deep calibrate`), and the linear logistic fusion " +
		"of all systems learnt on dev (`deep4deep fuse`), measured on eval. Cllr in bits (1 = a system " +
		"that always says \"don't know\"); min Cllr after the best monotone recalibration on eval itself; " +
		"DCF with the ASVspoof 5 parameters (Pspoof 0.05, Cmiss 1, Cfa 10), actual at the Bayes threshold " +
		"of the LLR and minimum over thresholds.\n\n")
	p("| system | calibration (LLR = a·score + b) | eval EER (ROCCH) | eval Cllr | min Cllr | actual DCF | min DCF |\n")
	p("|---|---|---:|---:|---:|---:|---:|\n")
	for _, c := range r.Calibrated {
		p("| %s | a = %.4g, b = %+.4g | %s | %.3f | %.3f | %.3f | %.3f |\n", c.Name, c.Map.Weights[0], c.Map.Offset,
			pct(c.Eval.EER), c.Eval.Cllr, c.Eval.MinCllr, c.Eval.ActDCF, c.Eval.MinDCF)
	}
	if f := r.Fusion; f != nil {
		w := ""
		for i, n := range f.Map.Systems {
			w += fmt.Sprintf("%+.4g·%s ", f.Map.Weights[i], n)
		}
		p("| %s | %s%+.4g | %s | %.3f | %.3f | %.3f | %.3f |\n", FusionName, w, f.Map.Offset,
			pct(f.Eval.EER), f.Eval.Cllr, f.Eval.MinCllr, f.Eval.ActDCF, f.Eval.MinDCF)
	}
	p("\n")
}
