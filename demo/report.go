package demo

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/deep4deep/deep4deep/eval"
	"github.com/deep4deep/deep4deep/train"
)

var nan = math.NaN()

// Factors are the trial attributes the report breaks the EER down by, in
// report order: their key (as in the "by" object of `deep4deep eval
// --json`), heading, and the breakdown of an eval.Result.
var Factors = []struct {
	Key, Title string
	Of         func(r *eval.Result) map[string]eval.Condition
}{
	{"environment", "Replay environment", func(r *eval.Result) map[string]eval.Condition { return r.By.Environment }},
	{"playback", "Playback device", func(r *eval.Result) map[string]eval.Condition { return r.By.Playback }},
	{"recorder", "Recording device", func(r *eval.Result) map[string]eval.Condition { return r.By.Recorder }},
	{"phrase", "Phrase", func(r *eval.Result) map[string]eval.Condition {
		m := make(map[string]eval.Condition, len(r.By.Phrase))
		for k, v := range r.By.Phrase {
			m[k] = v.Condition
		}
		return m
	}},
}

// System is one trained and evaluated system of the demo.
type System struct {
	Name     string    // summary key, starting with the model kind: "cnn-fbank"
	Title    string    // one line for a reader: "seed CNN on log-mel filterbank"
	Settings []string  // what was trained and how, including what was cut
	ModelDir string    // relative to the demo folder
	Scores   [2]string // dev and eval score files, relative to the demo folder

	TrainSeconds float64
	ScoreSeconds float64 // dev and eval together
	// Epochs is the CNN's training log, one entry per epoch run; BestEpoch
	// (from 1) is the one kept. Both are zero for the GMM.
	Epochs    []train.Epoch
	BestEpoch int
	// Dev and Eval are the evaluations of the score files by eval.Evaluate.
	Dev, Eval *eval.Result
	// DevCI and EvalCI are 95 % bootstrap confidence intervals of the
	// ROCCH-EERs (BootstrapEER, seeded from the run's seed); NaN if unknown.
	DevCI, EvalCI [2]float64
}

// SetStats counts the trials of one corpus set.
type SetStats struct {
	Genuine, Spoof int
	Speakers       int
	Seconds        float64 // total audio duration; 0 when unknown
	Configs        int     // distinct replay configurations (environment, playback, recorder)
}

// ConfigCount is one replay configuration and its number of spoof trials.
type ConfigCount struct {
	Environment, Playback, Recorder string
	N                               int
}

// StageTime is the wall time of one stage of the run.
type StageTime struct {
	Name       string
	Seconds    float64 // wall time
	CPUSeconds float64 // CPU time of the process (all threads); NaN if unknown
}

// Report is everything the demo's report.md and summary.json say. Run fills
// it; it is a plain value so that the writers can be tested on made-up
// results.
type Report struct {
	Command   string // the command line that reproduces the run
	Scale     float64
	EvalScale float64 // scale of the eval set; 0 means Scale
	Seed      uint64
	Threads   int
	Like      string      // protocol folder whose rows the corpus copies; "" if generated
	Corpus    [3]SetStats // train, dev, eval
	// TrainConfigs are the replay configurations of the train spoofs, the
	// only replays the systems learn from, most frequent first.
	TrainConfigs []ConfigCount
	// CorpusNote says how the corpus was made ("synthetic, DESIGN §6 ...").
	CorpusNote string
	Systems    []System
	Stages     []StageTime
	Seconds    float64 // wall time of the whole run
	CPUSeconds float64 // CPU time of the whole run (all threads); NaN if unknown
	// Figures lists the PNG files written, relative to the demo folder, with
	// a caption each; only those present are shown.
	Figures []Figure
	// Describe, if set, names a condition ID for the per-condition tables
	// ("E09" → "cantine"); synth.DescribeCondition for the synthetic corpus.
	Describe func(id string) string
	// Findings are remarks about the results worth a reader's attention
	// (written by Run from the numbers, e.g. which conditions are hardest).
	Findings []string
	// Calibrated are the systems' eval scores calibrated on dev; Fusion is
	// their fusion (nil with fewer than two systems). See calibration.go.
	Calibrated []Calibrated
	Fusion     *Fusion
}

// Figure is one PNG of the report.
type Figure struct {
	File, Caption string
}

// Summary is summary.json (DESIGN §7).
type Summary struct {
	Systems map[string]SystemSummary `json:"systems"`
	Seconds float64                  `json:"seconds"`
	// CPUSeconds is the process CPU time; omitted when unknown.
	CPUSeconds *float64 `json:"cpu_seconds,omitempty"`
	Threads    int      `json:"threads"`
	Scale      float64  `json:"scale"`
	EvalScale  float64  `json:"eval_scale"`
	Seed       uint64   `json:"seed"`
	// Bootstrap describes the confidence intervals of the systems' EERs.
	Bootstrap string `json:"bootstrap"`
	// Calibrated holds, per system, Cllr, min Cllr and the actual and
	// minimum DCF of its eval scores calibrated on dev (the "fusion"
	// system's scores are LLRs already).
	Calibrated map[string]eval.CalibrationMetrics `json:"calibrated,omitempty"`
}

// SystemSummary is one system's entry in summary.json. Rates are fractions
// in [0, 1], measured on the eval set unless prefixed dev_.
type SystemSummary struct {
	EER        float64 `json:"eer"`
	EERStep    float64 `json:"eer_step"`
	Accuracy   float64 `json:"accuracy"`
	F1         float64 `json:"f1"`
	DevEER     float64 `json:"dev_eer"`
	DevEERStep float64 `json:"dev_eer_step"`
	// EERCI95 and DevEERCI95 are the 95 % bootstrap confidence intervals
	// [low, high] of EER and DevEER; null when unknown.
	EERCI95      *[2]float64 `json:"eer_ci95"`
	DevEERCI95   *[2]float64 `json:"dev_eer_ci95"`
	NGenuine     int         `json:"n_genuine"`
	NSpoof       int         `json:"n_spoof"`
	TrainSeconds float64     `json:"train_seconds"`
	ScoreSeconds float64     `json:"score_seconds"`
	// TDCFLegacy and TDCFRevised are the eval set's minimum normalised
	// t-DCF (ASVspoof 2019 and 2021 forms) at the ASVspoof 5 reference ASV
	// operating point; null when not computed.
	TDCFLegacy  *float64 `json:"tdcf_legacy"`
	TDCFRevised *float64 `json:"tdcf_revised"`
}

// Summary returns the summary.json content of r.
func (r *Report) Summary() Summary {
	s := Summary{Systems: map[string]SystemSummary{}, Seconds: round3(r.Seconds), Threads: r.Threads,
		Scale: r.Scale, EvalScale: r.evalScale(), Seed: r.Seed, Bootstrap: bootstrapNote}
	if !math.IsNaN(r.CPUSeconds) {
		c := round3(r.CPUSeconds)
		s.CPUSeconds = &c
	}
	for _, sys := range r.Systems {
		s.Systems[sys.Name] = SystemSummary{
			EER: sys.Eval.EER, EERStep: sys.Eval.EERStep,
			Accuracy: sys.Eval.Accuracy, F1: sys.Eval.F1,
			DevEER: sys.Dev.EER, DevEERStep: sys.Dev.EERStep,
			NGenuine: sys.Eval.NGenuine, NSpoof: sys.Eval.NSpoof,
			TrainSeconds: round3(sys.TrainSeconds), ScoreSeconds: round3(sys.ScoreSeconds),
			EERCI95: ci(sys.EvalCI, sys.Eval.EER), DevEERCI95: ci(sys.DevCI, sys.Dev.EER),
			TDCFLegacy: sys.Eval.TDCFLegacy, TDCFRevised: sys.Eval.TDCFRevised,
		}
	}
	if len(r.Calibrated) > 0 {
		s.Calibrated = map[string]eval.CalibrationMetrics{}
		for _, c := range r.Calibrated {
			s.Calibrated[c.Name] = c.Eval.CalibrationMetrics
		}
	}
	if f := r.Fusion; f != nil {
		s.Systems[FusionName] = SystemSummary{
			EER: f.Eval.EER, EERStep: f.Eval.EERStep, Accuracy: f.Eval.Accuracy, F1: f.Eval.F1,
			DevEER: f.Dev.EER, DevEERStep: f.Dev.EERStep, NGenuine: f.Eval.NGenuine, NSpoof: f.Eval.NSpoof,
		}
		s.Calibrated[FusionName] = f.Eval.CalibrationMetrics
	}
	return s
}

// bootstrapNote says how the confidence intervals are made.
var bootstrapNote = fmt.Sprintf("95 %% percentile intervals of the ROCCH-EER over %d stratified bootstrap resamples of the trials (genuine and spoof drawn with replacement, class sizes kept), seeded from the run's seed", BootstrapResamples)

// known reports whether c is a computed interval for an EER of eer: not
// NaN, and not the zero value unless the EER itself is 0 (a Report made by
// hand may leave the intervals unset).
func known(c [2]float64, eer float64) bool {
	return !math.IsNaN(c[0]) && !math.IsNaN(c[1]) && (c != [2]float64{} || eer == 0)
}

// ci returns a copy of the interval c of eer for JSON, or nil when unknown.
func ci(c [2]float64, eer float64) *[2]float64 {
	if !known(c, eer) {
		return nil
	}
	return &c
}

// evalScale is the scale of the eval set.
func (r *Report) evalScale() float64 {
	if r.EvalScale > 0 {
		return r.EvalScale
	}
	return r.Scale
}

// pctCI formats an EER with its confidence interval: "8.12 [6.40, 9.95]".
func pctCI(x float64, c [2]float64) string {
	if !known(c, x) {
		return pct(x)
	}
	return fmt.Sprintf("%s [%s, %s]", pct(x), pct(c[0]), pct(c[1]))
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// WriteSummary writes r's summary.json content (indented JSON) to w.
func (r *Report) WriteSummary(w io.Writer) error {
	s := r.Summary()
	for name, sys := range s.Systems {
		for _, v := range []float64{sys.EER, sys.EERStep, sys.Accuracy, sys.F1, sys.DevEER, sys.DevEERStep} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("summary: system %s has a non-finite rate %v", name, v)
			}
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

// pct formats a fraction as a percentage with two decimals, the precision
// the ASVspoof papers (and `deep4deep eval`) use; NaN prints as "–".
func pct(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	return fmt.Sprintf("%.2f", 100*x)
}

// seconds formats a duration in seconds; NaN prints as "–".
func seconds(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	return fmt.Sprintf("%.1f s", x)
}

// pctPub formats a published percentage.
func pctPub(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	return fmt.Sprintf("%.2f", x)
}

// WriteMarkdown writes report.md: what was run, the results, per-condition
// EERs, the published numbers beside ours, the figures and the timings.
func (r *Report) WriteMarkdown(w io.Writer) error {
	b := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }

	p("# deep4deep demo: replay detection on a synthetic ASVspoof 2017 corpus\n\n")
	p("Reproduce with `%s` (%.0f s wall time", r.Command, r.Seconds)
	if r.Threads > 0 {
		p(", %d threads", r.Threads)
	}
	p(").\n\n")

	// What was run.
	p("## What was run\n\n")
	if r.Like != "" {
		p("**Corpus.** %s Rows of `%s`, scale %g, seed %d.\n\n", r.CorpusNote, r.Like, r.Scale, r.Seed)
	} else {
		if es := r.evalScale(); es != r.Scale {
			p("**Corpus.** %s Scale %g of the real ASVspoof 2017 V2 row counts for train and dev, %g for eval, seed %d.\n\n", r.CorpusNote, r.Scale, es, r.Seed)
		} else {
			p("**Corpus.** %s Scale %g of the real ASVspoof 2017 V2 row counts, seed %d.\n\n", r.CorpusNote, r.Scale, r.Seed)
		}
	}
	p("| set | genuine | spoof | speakers | replay configurations | audio |\n|---|---:|---:|---:|---:|---:|\n")
	for i, name := range [...]string{"train", "dev", "eval"} {
		c := r.Corpus[i]
		audio := "–"
		if c.Seconds > 0 {
			audio = fmt.Sprintf("%.1f min", c.Seconds/60)
		}
		p("| %s | %d | %d | %d | %d | %s |\n", name, c.Genuine, c.Spoof, c.Speakers, c.Configs, audio)
	}
	p("\n")
	if len(r.TrainConfigs) > 0 {
		p("The systems learn replay from the train spoofs only, which come from %s:\n\n", plural(len(r.TrainConfigs), "replay configuration"))
		for _, c := range r.TrainConfigs {
			p("- %s / %s / %s: %s\n", r.describe(c.Environment), r.describe(c.Playback), r.describe(c.Recorder), plural(c.N, "spoof trial"))
		}
		p("\n")
	}
	for _, s := range r.Systems {
		p("**%s** — %s.\n\n", s.Name, s.Title)
		for _, line := range s.Settings {
			p("- %s\n", line)
		}
		p("\n")
	}

	// Results.
	p("## Results\n\n")
	p("EERs on the eval set unless marked dev; accuracy and F1 are of the decision "+
		"\"score > 0 ⇒ genuine\" (F1 of the genuine class). All numbers in percent. "+
		"In brackets: %s; two systems whose intervals overlap widely are not shown apart by this corpus.\n\n", bootstrapNote)
	p("| system | eval EER (ROCCH) [95 %% CI] | eval EER (step) | accuracy | F1 | dev EER (ROCCH) [95 %% CI] | train time | score time |\n")
	p("|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, s := range r.Systems {
		p("| %s | %s | %s | %s | %s | %s | %.0f s | %.0f s |\n", s.Name,
			pctCI(s.Eval.EER, s.EvalCI), pct(s.Eval.EERStep), pct(s.Eval.Accuracy), pct(s.Eval.F1),
			pctCI(s.Dev.EER, s.DevCI), s.TrainSeconds, s.ScoreSeconds)
	}
	p("\n")
	for _, s := range r.Systems {
		if s.Eval.TDCFLegacy != nil && s.Eval.TDCFRevised != nil && s.Eval.TDCFASV != nil {
			p("- %s: minimum normalised t-DCF on eval %.4f (legacy, ASVspoof 2019) and %.4f (revised, ASVspoof 2021), "+
				"at the %s: Pfa %.5f, Pmiss %.5f, Pfa,spoof %.4f.\n", s.Name, *s.Eval.TDCFLegacy, *s.Eval.TDCFRevised,
				s.Eval.TDCFASV.Source, s.Eval.TDCFASV.PfaASV, s.Eval.TDCFASV.PmissASV, 1-s.Eval.TDCFASV.PmissSpoofASV)
		}
	}
	p("\n")
	if len(r.Findings) > 0 {
		for _, f := range r.Findings {
			p("- %s\n", f)
		}
		p("\n")
	}

	r.writeCalibration(p)

	// Per-condition EERs.
	p("## EER by condition (eval)\n\n")
	p("Each condition's spoof trials scored against all genuine trials, as " +
		"ASVspoof breaks results down (and as `deep4deep eval` prints them). " +
		"EER (ROCCH) in percent.\n\n")
	for _, f := range Factors {
		r.writeFactor(b, f.Key, f.Title, f.Of)
	}

	// Published numbers.
	p("## Published numbers on the real corpus\n\n")
	p("**Measured on the real ASVspoof 2017 corpus (replayed human speech), not on this " +
		"synthetic corpus: context only, not comparable one-to-one with the numbers above.** " +
		"EER in percent.\n\n")
	p("| corpus | system | dev EER | eval EER | note |\n|---|---|---:|---:|---|\n")
	for _, pub := range PublishedResults() {
		p("| ASVspoof 2017 %s | %s | %s | %s | %s |\n", pub.Version, pub.System,
			pctPub(pub.DevEER), pctPub(pub.EvalEER), pub.Note)
	}
	p("\nOurs, on the synthetic corpus above:\n\n")
	p("| corpus | system | dev EER | eval EER |\n|---|---|---:|---:|\n")
	for _, s := range r.Systems {
		p("| synthetic, scale %g | %s | %s | %s |\n", r.Scale, s.Name, pctCI(s.Dev.EER, s.DevCI), pctCI(s.Eval.EER, s.EvalCI))
	}
	p("\n")

	// Figures.
	if len(r.Figures) > 0 {
		p("## Figures\n\n")
		for _, f := range r.Figures {
			p("![%s](%s)\n\n*%s* (`%s`)\n\n", f.Caption, f.File, f.Caption, f.File)
		}
	}

	// Files and reproduction.
	p("## Files\n\n")
	p("| path | what |\n|---|---|\n")
	p("| `corpus/` | the synthetic corpus (DESIGN §1 layout, protocols in `corpus/protocol_V2/`) |\n")
	for _, s := range r.Systems {
		p("| `%s/` | %s model (config.json, model.safetensors, train-log.csv) |\n", s.ModelDir, s.Name)
		p("| `%s`, `%s` | %s dev and eval scores |\n", s.Scores[0], s.Scores[1], s.Name)
	}
	p("| `summary.json` | the headline numbers, machine-readable |\n\n")
	p("Every number above can be recomputed from the files, e.g.\n\n```\n")
	for _, s := range r.Systems {
		p("deep4deep eval --scores %s --protocol corpus/%s\n", s.Scores[1], evalProtocol)
	}
	p("```\n\n(run in this folder).\n\n")

	// Timings.
	p("## Timings\n\n")
	p("Wall time depends on what else the machine runs; CPU time (all threads of the " +
		"demo) does not, and CPU time divided by the thread count is about the wall time " +
		"on an idle machine.\n\n")
	p("| stage | wall time | CPU time |\n|---|---:|---:|\n")
	for _, st := range r.Stages {
		p("| %s | %.1f s | %s |\n", st.Name, st.Seconds, seconds(st.CPUSeconds))
	}
	p("| **total** | **%.1f s** | **%s** |\n", r.Seconds, seconds(r.CPUSeconds))
	return b.Flush()
}

// evalProtocol is the eval protocol relative to the corpus root.
const evalProtocol = "protocol_V2/ASVspoof2017_V2_eval.trl.txt"

// writeFactor writes the table of one factor: a row per condition, a column
// per system, then the spread (easiest and hardest condition) per system.
func (r *Report) writeFactor(b *bufio.Writer, key, title string, of func(*eval.Result) map[string]eval.Condition) {
	ids := map[string]int{}
	by := make([]map[string]eval.Condition, len(r.Systems))
	for i, s := range r.Systems {
		by[i] = of(s.Eval)
		for id, c := range by[i] {
			ids[id] = c.NSpoof
		}
	}
	if len(ids) == 0 {
		return
	}
	sorted := make([]string, 0, len(ids))
	for id := range ids {
		sorted = append(sorted, id)
	}
	sort.Strings(sorted)
	names := r.Describe != nil && key != "phrase"
	fmt.Fprintf(b, "### %s\n\n| %s |", title, key)
	if names {
		b.WriteString(" what |")
	}
	b.WriteString(" spoof trials |")
	for _, s := range r.Systems {
		fmt.Fprintf(b, " %s |", s.Name)
	}
	b.WriteString("\n|---|")
	if names {
		b.WriteString("---|")
	}
	fmt.Fprintf(b, "---:|%s\n", strings.Repeat("---:|", len(r.Systems)))
	for _, id := range sorted {
		fmt.Fprintf(b, "| %s |", id)
		if names {
			fmt.Fprintf(b, " %s |", r.Describe(id))
		}
		fmt.Fprintf(b, " %d |", ids[id])
		for i := range r.Systems {
			c, ok := by[i][id]
			v := nan
			if ok {
				v = c.EER
			}
			fmt.Fprintf(b, " %s |", pct(v))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
	for i, s := range r.Systems {
		lo, hi, ok := extremes(by[i])
		if !ok {
			continue
		}
		fmt.Fprintf(b, "- %s: easiest %s %s (%s %%), hardest %s (%s %%).\n", s.Name, key,
			lo, pct(by[i][lo].EER), hi, pct(by[i][hi].EER))
	}
	b.WriteString("\n")
}

// extremes returns the conditions with the lowest and the highest EER (ties
// broken by ID, so the choice is deterministic).
func extremes(m map[string]eval.Condition) (lo, hi string, ok bool) {
	for id, c := range m {
		if math.IsNaN(c.EER) {
			continue
		}
		if !ok {
			lo, hi, ok = id, id, true
			continue
		}
		if l := m[lo].EER; c.EER < l || c.EER == l && id < lo {
			lo = id
		}
		if h := m[hi].EER; c.EER > h || c.EER == h && id < hi {
			hi = id
		}
	}
	return lo, hi, ok
}
