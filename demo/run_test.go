package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/eval"
	"github.com/deep4deep/deep4deep/features"
	"github.com/deep4deep/deep4deep/progress"
	"github.com/deep4deep/deep4deep/synth"
)

// TinyProtocols writes a protocol_V2 folder of a few dozen rows into dir:
// disjoint speakers per set, two replay configurations in train and dev and
// two others in eval (unseen, as in ASVspoof 2017). It makes an end-to-end
// demo run take seconds.
func tinyProtocols(t testing.TB, dir string) {
	t.Helper()
	rows := func(prefix string, speakers []string, genuine int, configs [][3]string, perConfig int) []corpus.Trial {
		var ts []corpus.Trial
		n := 0
		add := func(l corpus.Label, c [3]string) {
			n++
			ts = append(ts, corpus.Trial{File: fmt.Sprintf("%s_%07d.wav", prefix, 1000000+n), Label: l,
				Speaker: speakers[n%len(speakers)], Phrase: fmt.Sprintf("S%02d", 1+n%10),
				Environment: c[0], Playback: c[1], Recorder: c[2]})
		}
		for range genuine {
			add(corpus.Genuine, [3]string{"-", "-", "-"})
		}
		for _, c := range configs {
			for range perConfig {
				add(corpus.Spoof, c)
			}
		}
		return ts
	}
	known := [][3]string{{"E07", "P20", "R14"}, {"E19", "P22", "R22"}}
	unseen := [][3]string{{"E02", "P03", "R04"}, {"E25", "P13", "R08"}}
	sets := map[corpus.Set][]corpus.Trial{
		corpus.Train: rows("T", []string{"M0001", "M0002"}, 6, known, 3),
		corpus.Dev:   rows("D", []string{"M0011", "M0012"}, 3, known, 2),
		corpus.Eval:  rows("E", []string{"M0021", "M0022"}, 4, unseen, 4),
	}
	c := corpus.Corpus{Root: dir}
	for s, ts := range sets {
		path := filepath.Join(dir, filepath.Base(c.ProtocolPath(s)))
		if err := corpus.WriteProtocol(path, ts); err != nil {
			t.Fatal(err)
		}
	}
}

// tinyOptions are demo options that run in seconds: a tiny corpus, one CNN
// epoch on a few frames, a 4-component GMM.
func tinyOptions(t testing.TB) Options {
	like := t.TempDir()
	tinyProtocols(t, like)
	o := DefaultOptions()
	o.Out = filepath.Join(t.TempDir(), "demo")
	o.Like, o.Scale, o.Seed = like, 1, 3
	o.CNN = CNNOptions{Arch: DefaultCNNArch, Features: DefaultCNNFeatures, Augment: DefaultAugment, Epochs: 1, FramesPerUtt: 8, DevFramesPerUtt: 8}
	o.GMM = GMMOptions{Components: 4, Iterations: 2, MaxFrames: 2000}
	return o
}

// TestRunTiny runs the demo end to end on a tiny corpus and checks that
// every output exists and that summary.json and report.md hold exactly what
// eval.Evaluate computes from the demo's own score files and protocols.
func TestRunTiny(t *testing.T) {
	o := tinyOptions(t)
	var events []progress.Event
	o.Progress = func(e progress.Event) { events = append(events, e) }
	rep, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{SummaryFile, ReportFile, DETFile, CurvesFile, SpectrogramFile,
		"corpus/protocol_V2/ASVspoof2017_V2_eval.trl.txt",
		ModelDir(CNNSystem) + "/config.json", ModelDir(CNNSystem) + "/model.safetensors", ModelDir(CNNSystem) + "/train-log.csv",
		"models/gmm-cqcc/config.json", "models/gmm-cqcc/model.safetensors",
		ScoreFile(CNNSystem, corpus.Dev), ScoreFile(CNNSystem, corpus.Eval), "scores/gmm-cqcc.dev.txt", "scores/gmm-cqcc.eval.txt",
	} {
		if fi, err := os.Stat(filepath.Join(o.Out, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: missing or empty (%v)", f, err)
		}
	}

	// Independent evaluation of the score files.
	var sum struct {
		Systems map[string]map[string]any `json:"systems"`
		Seconds float64                   `json:"seconds"`
		Scale   float64                   `json:"scale"`
		Seed    uint64                    `json:"seed"`
		// per system (and the fusion): cllr, min_cllr, act_dcf, min_dcf
		Calibrated map[string]map[string]float64 `json:"calibrated"`
	}
	data, err := os.ReadFile(filepath.Join(o.Out, SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &sum); err != nil {
		t.Fatal(err)
	}
	// the CNN, gmm-cqcc and their fusion (calibration.go).
	if sum.Seed != 3 || sum.Scale != 1 || !(sum.Seconds > 0) || len(sum.Systems) != 3 || sum.Systems[FusionName] == nil {
		t.Errorf("summary seed %d scale %v seconds %v systems %d", sum.Seed, sum.Scale, sum.Seconds, len(sum.Systems))
	}
	if f := sum.Systems[FusionName]; f != nil && (f["eer"] == nil || f["n_genuine"] == nil || f["n_spoof"] == nil) {
		t.Errorf("fusion summary %v lacks eer, n_genuine or n_spoof", f)
	}
	for name := range sum.Systems {
		c := sum.Calibrated[name]
		if c == nil || !(c["cllr"] >= 0) || !(c["min_cllr"] <= c["cllr"]+1e-9) {
			t.Errorf("calibrated measures of %s: %v", name, c)
		}
	}
	md, err := os.ReadFile(filepath.Join(o.Out, ReportFile))
	if err != nil {
		t.Fatal(err)
	}
	report := string(md)
	if !strings.Contains(report, "## Calibrated scores and fusion") {
		t.Error("report has no section on calibrated scores and the fusion")
	}
	evaluate := func(system string, set corpus.Set) *eval.Result {
		trials, err := corpus.ReadProtocol(filepath.Join(o.Out, "corpus", filepath.FromSlash(corpus.ProtocolFile(set))))
		if err != nil {
			t.Fatal(err)
		}
		scores, err := eval.ReadScores(filepath.Join(o.Out, filepath.FromSlash(ScoreFile(system, set))))
		if err != nil {
			t.Fatal(err)
		}
		if len(scores) != len(trials) {
			t.Errorf("%s %s: %d scores for %d trials", system, set, len(scores), len(trials))
		}
		r, err := eval.Evaluate(trials, scores, false)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	p2 := func(x float64) string { return fmt.Sprintf("%.2f", 100*x) }
	envRows := map[string]string{}
	for _, system := range []string{CNNSystem, GMMSystem} {
		dev, ev := evaluate(system, corpus.Dev), evaluate(system, corpus.Eval)
		got := sum.Systems[system]
		for key, want := range map[string]float64{"eer": ev.EER, "eer_step": ev.EERStep, "accuracy": ev.Accuracy,
			"f1": ev.F1, "dev_eer": dev.EER, "n_genuine": float64(ev.NGenuine), "n_spoof": float64(ev.NSpoof)} {
			if got[key] != want {
				t.Errorf("summary %s.%s = %v, eval.Evaluate on the score files gives %v", system, key, got[key], want)
			}
		}
		if v, _ := got["train_seconds"].(float64); !(v > 0) {
			t.Errorf("%s: train_seconds %v", system, got["train_seconds"])
		}
		interval := func(key string) [2]float64 {
			a, ok := got[key].([]any)
			if !ok || len(a) != 2 {
				t.Fatalf("summary %s.%s = %v, want [low, high]", system, key, got[key])
			}
			lo, _ := a[0].(float64)
			hi, _ := a[1].(float64)
			if !(0 <= lo && lo <= hi && hi <= 1) {
				t.Errorf("summary %s.%s = %v", system, key, a)
			}
			return [2]float64{lo, hi}
		}
		ec, dc := interval("eer_ci95"), interval("dev_eer_ci95")
		row := fmt.Sprintf("| %s | %s [%s, %s] | %s | %s | %s | %s [%s, %s] |", system, p2(ev.EER), p2(ec[0]), p2(ec[1]),
			p2(ev.EERStep), p2(ev.Accuracy), p2(ev.F1), p2(dev.EER), p2(dc[0]), p2(dc[1]))
		if !strings.Contains(report, row) {
			t.Errorf("report lacks the results row %q", row)
		}
		if len(ev.By.Environment) != 2 {
			t.Errorf("%s: eval environments %v, want the two unseen ones", system, ev.By.Environment)
		}
		for env, c := range ev.By.Environment {
			envRows[env] += " " + p2(c.EER) + " |"
		}
		// The Report value Run returned says the same.
		for _, s := range rep.Systems {
			if s.Name == system && (s.Eval.EER != ev.EER || s.Dev.EER != dev.EER) {
				t.Errorf("returned report %s: EER %v dev %v, want %v %v", system, s.Eval.EER, s.Dev.EER, ev.EER, dev.EER)
			}
		}
	}
	for env, cells := range envRows {
		if !strings.Contains(report, cells+"\n") || !strings.Contains(report, "| "+env+" |") {
			t.Errorf("report lacks the %s row with EERs%s", env, cells)
		}
	}
	for _, want := range []string{"not comparable one-to-one", "29.35", "1 epoch × one random 400-frame crop",
		"4 diagonal Gaussians per class, 2 EM iterations", "![DET curves", "spectrogram.png"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q", want)
		}
	}

	// Progress: six stages in order, each announced.
	var stages []string
	for _, e := range events {
		if e.Count != 6 || e.Index < 1 || e.Index > 6 {
			t.Fatalf("event %+v out of range", e)
		}
		if len(stages) < e.Index {
			stages = append(stages, e.Stage)
		}
	}
	if len(stages) != 6 || stages[0] != "synthesise corpus" || stages[5] != "evaluate and report" {
		t.Errorf("stages %q", stages)
	}
}

func TestPrepareOut(t *testing.T) {
	dir := t.TempDir()
	// A folder of someone else's is refused and left alone.
	other := filepath.Join(dir, "other")
	os.MkdirAll(filepath.Join(other, "models"), 0o755)
	os.WriteFile(filepath.Join(other, "models", "keep"), []byte("x"), 0o644)
	var fe *synth.FieldError
	if err := prepareOut(other); !errors.As(err, &fe) || fe.Field != "Out" || strings.Contains(err.Error(), "--") {
		t.Fatalf("non-demo folder: err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(other, "models", "keep")); err != nil {
		t.Fatal("prepareOut touched a folder it does not own")
	}
	// A new folder is made; a demo folder is cleared of earlier outputs.
	out := filepath.Join(dir, "a", "b")
	if err := prepareOut(out); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(out, ModelsDir, "old"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(out, "notes.txt"), []byte("x"), 0o644)
	if err := prepareOut(out); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, ModelsDir, "old")); err == nil {
		t.Error("earlier model output survived a rerun")
	}
	if _, err := os.Stat(filepath.Join(out, "notes.txt")); err != nil {
		t.Error("a file the demo does not make was removed")
	}
}

func TestOptionsValidate(t *testing.T) {
	if err := func() error { o := DefaultOptions(); return o.Validate() }(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
	for name, change := range map[string]func(*Options){
		"no out":       func(o *Options) { o.Out = "" },
		"scale 0":      func(o *Options) { o.Scale = 0 },
		"scale 2":      func(o *Options) { o.Scale = 2 },
		"epochs 0":     func(o *Options) { o.CNN.Epochs = 0 },
		"components 0": func(o *Options) { o.GMM.Components = 0 },
		"iterations 0": func(o *Options) { o.GMM.Iterations = 0 },
		"threads -1":   func(o *Options) { o.Threads = -1 },
		"arch":         func(o *Options) { o.CNN.Arch = "resnet-9000" },
		"features":     func(o *Options) { o.CNN.Features = "wavelets" },
		"augment":      func(o *Options) { o.CNN.Augment = "reverse@2" },
	} {
		o := DefaultOptions()
		change(&o)
		if _, err := Run(context.Background(), o); err == nil || !strings.HasPrefix(err.Error(), "demo: ") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

// TestRunTinySeedCNN runs the demo with the seed CNN on CQCC and
// augmentation: the system is named after its features, its model records
// the architecture fitted to 90-dim CQCC and the augmentation, and the
// summary lists it beside gmm-cqcc.
func TestRunTinySeedCNN(t *testing.T) {
	o := tinyOptions(t)
	o.CNN = CNNOptions{Features: features.CQCC, Augment: "rawboost:5@0.5,device@0.5,freqmask:8@0.5", Epochs: 1, FramesPerUtt: 8, DevFramesPerUtt: 8}
	if got := o.CNN.System(); got != "cnn-cqcc" {
		t.Fatalf("system %q, want cnn-cqcc", got)
	}
	if _, err := Run(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	cfg, err := os.ReadFile(filepath.Join(o.Out, ModelDir("cnn-cqcc"), "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"input_height": 90`, `"rawboost:5@0.5,device@0.5,freqmask:8@0.5"`} {
		if !strings.Contains(string(cfg), want) {
			t.Errorf("config.json lacks %s", want)
		}
	}
	var sum struct {
		Systems map[string]json.RawMessage `json:"systems"`
	}
	data, err := os.ReadFile(filepath.Join(o.Out, SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &sum); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"cnn-cqcc", GMMSystem, "fusion"} {
		if _, ok := sum.Systems[name]; !ok {
			t.Errorf("summary.json: no system %q", name)
		}
	}
}

func TestConfigCounts(t *testing.T) {
	sp := func(e, p, r string) corpus.Trial {
		return corpus.Trial{Label: corpus.Spoof, Environment: e, Playback: p, Recorder: r}
	}
	trials := []corpus.Trial{{Label: corpus.Genuine, Environment: "-", Playback: "-", Recorder: "-"},
		sp("E2", "P1", "R1"), sp("E1", "P1", "R1"), sp("E2", "P1", "R1"), sp("E0", "P9", "R1")}
	got := configCounts(trials)
	want := []ConfigCount{{"E2", "P1", "R1", 2}, {"E0", "P9", "R1", 1}, {"E1", "P1", "R1", 1}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("configCounts = %v, want %v", got, want)
	}
}
