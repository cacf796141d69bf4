package eval

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/internal/testshared"
)

const realEval = "asvspoof2017/protocol_V2/ASVspoof2017_V2_eval.trl.txt" // in ../shared

// realTrials reads the real ASVspoof 2017 V2 eval protocol, or skips.
func realTrials(t testing.TB) []corpus.Trial {
	t.Helper()
	trials, err := corpus.ReadProtocol(testshared.Path(t, realEval))
	if err != nil {
		t.Fatal(err)
	}
	return trials
}

// madeUpScores gives every trial a deterministic score: genuine N(2, 1),
// spoof N(0, 1) shifted up by an amount that grows with the environment
// number, so that some conditions are much harder than others.
func madeUpScores(trials []corpus.Trial, seed uint64) map[string]float64 {
	rng := rand.New(rand.NewPCG(seed, 17))
	m := make(map[string]float64, len(trials))
	for _, t := range trials {
		v := rng.NormFloat64()
		if t.Label == corpus.Genuine {
			v += 2
		} else if t.Environment == "E01" {
			v += 2 // indistinguishable from genuine
		} else if t.Environment == "E02" {
			v -= 3 // trivially rejected
		}
		m[t.ID()] = v
	}
	return m
}

func TestEvaluateRealProtocol(t *testing.T) {
	trials := realTrials(t)
	scores := madeUpScores(trials, 1)
	r, err := Evaluate(trials, scores, false)
	if err != nil {
		t.Fatal(err)
	}
	if r.NGenuine != 1298 || r.NSpoof != 12008 || r.Missing != 0 || r.Extra != 0 {
		t.Fatalf("counts %d/%d missing %d extra %d, want 1298/12008/0/0", r.NGenuine, r.NSpoof, r.Missing, r.Extra)
	}

	// Overall numbers against the EER functions on the raw classes.
	var gen, spoof []float64
	for _, tr := range trials {
		if tr.Label == corpus.Genuine {
			gen = append(gen, scores[tr.ID()])
		} else {
			spoof = append(spoof, scores[tr.ID()])
		}
	}
	if g, s := ClassScores(trials, scores); !slices.Equal(g, gen) || !slices.Equal(s, spoof) {
		t.Error("ClassScores differs from the classes split by hand")
	}
	if r.EER != EER(gen, spoof) || r.EERStep != EERStep(gen, spoof) {
		t.Errorf("EERs %v %v differ from EER/EERStep on the classes", r.EER, r.EERStep)
	}
	if !(r.EER > 0.05 && r.EER < 0.4) {
		t.Errorf("EER %v outside the plausible range for the made-up scores", r.EER)
	}

	// Confusion matrix and metrics, counted directly.
	var tp, fn, fp, tn int
	for _, v := range gen {
		if v > 0 {
			tp++
		} else {
			fn++
		}
	}
	for _, v := range spoof {
		if v > 0 {
			fp++
		} else {
			tn++
		}
	}
	if c := r.Confusion; c != (Confusion{tp, fn, fp, tn}) {
		t.Errorf("confusion %+v, want %d %d %d %d", c, tp, fn, fp, tn)
	}
	near := func(name string, got, want float64) {
		if math.Abs(got-want) > tol {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	p, rec := float64(tp)/float64(tp+fp), float64(tp)/float64(tp+fn)
	near("accuracy", r.Accuracy, float64(tp+tn)/13306)
	near("precision", r.Precision, p)
	near("recall", r.Recall, rec)
	near("f1", r.F1, 2*p*rec/(p+rec))

	// Breakdowns: every value of the protocol appears, spoof counts add up,
	// each EER equals EER on the condition's spoof trials vs all genuine.
	cols := []struct {
		name string
		m    map[string]Condition
		key  func(corpus.Trial) string
	}{
		{"environment", r.By.Environment, func(t corpus.Trial) string { return t.Environment }},
		{"playback", r.By.Playback, func(t corpus.Trial) string { return t.Playback }},
		{"recorder", r.By.Recorder, func(t corpus.Trial) string { return t.Recorder }},
		{"phrase", phraseConditions(r.By.Phrase), func(t corpus.Trial) string { return t.Phrase }},
	}
	for _, c := range cols {
		want := map[string][]float64{}
		for _, tr := range trials {
			if tr.Label == corpus.Spoof {
				want[c.key(tr)] = append(want[c.key(tr)], scores[tr.ID()])
			}
		}
		if len(c.m) != len(want) {
			t.Errorf("%s: %d values, protocol has %d", c.name, len(c.m), len(want))
		}
		total := 0
		for k, s := range want {
			got, ok := c.m[k]
			if !ok {
				t.Errorf("%s %s missing", c.name, k)
				continue
			}
			total += got.NSpoof
			if got.NSpoof != len(s) || got.NGenuine != 1298 || got.EER != EER(gen, s) || got.EERStep != EERStep(gen, s) {
				t.Errorf("%s %s: %+v, want n_spoof %d, eer %v, eer_step %v", c.name, k, got, len(s), EER(gen, s), EERStep(gen, s))
			}
		}
		if total != 12008 {
			t.Errorf("%s: spoof counts add up to %d", c.name, total)
		}
	}
	// The made-up difficulty shows: E01 is chance level, E02 is easy.
	if e := r.By.Environment["E01"].EER; e < 0.4 {
		t.Errorf("E01 EER %v, want near 0.5", e)
	}
	if e := r.By.Environment["E02"].EER; e > 0.05 {
		t.Errorf("E02 EER %v, want near 0", e)
	}
	// Phrase: own genuine trials against own spoof trials.
	for ph, v := range r.By.Phrase {
		var g, s []float64
		for _, tr := range trials {
			if tr.Phrase != ph {
				continue
			}
			if tr.Label == corpus.Genuine {
				g = append(g, scores[tr.ID()])
			} else {
				s = append(s, scores[tr.ID()])
			}
		}
		if v.EEROwn == nil || *v.EEROwn != EER(g, s) || *v.EERStepOwn != EERStep(g, s) || v.NGenuineOwn != len(g) {
			t.Errorf("phrase %s own: %+v, want eer %v with %d genuine", ph, v, EER(g, s), len(g))
		}
	}
	if len(r.By.Phrase) != 10 {
		t.Errorf("%d phrases, want 10", len(r.By.Phrase))
	}
}

func phraseConditions(m map[string]Phrase) map[string]Condition {
	c := make(map[string]Condition, len(m))
	for k, v := range m {
		c[k] = v.Condition
	}
	return c
}

// TestEvaluateScoreFileRoundTrip writes the made-up scores with WriteScores
// (with and without ".wav"), reads them back and gets the same result.
func TestEvaluateScoreFileRoundTrip(t *testing.T) {
	trials := realTrials(t)
	scores := madeUpScores(trials, 2)
	want, err := Evaluate(trials, scores, false)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(trials))
	vals := make([]float64, len(trials))
	for i, tr := range trials {
		ids[i] = tr.ID()
		if i%2 == 0 {
			ids[i] = tr.File // with .wav
		}
		vals[i] = scores[tr.ID()]
	}
	p := filepath.Join(t.TempDir(), "scores.txt")
	if err := WriteScores(p, ids, vals); err != nil {
		t.Fatal(err)
	}
	back, err := ReadScores(p)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Evaluate(trials, back, false)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(want)
	b, _ := json.Marshal(got)
	if !bytes.Equal(a, b) {
		t.Error("result differs after a round trip through a score file")
	}
}

// TestResultJSON checks the JSON layout of DESIGN §5.
func TestResultJSON(t *testing.T) {
	trials := []corpus.Trial{
		{File: "a.wav", Label: corpus.Genuine, Phrase: "S01", Environment: "-", Playback: "-", Recorder: "-"},
		{File: "b.wav", Label: corpus.Genuine, Phrase: "S02", Environment: "-", Playback: "-", Recorder: "-"},
		{File: "c.wav", Label: corpus.Spoof, Phrase: "S01", Environment: "E01", Playback: "P01", Recorder: "R01"},
		{File: "d.wav", Label: corpus.Spoof, Phrase: "S03", Environment: "E02", Playback: "P01", Recorder: "R02"},
	}
	scores := map[string]float64{"a": 1, "b": -0.5, "c": 0.5, "d": -2, "zzz": 3}
	r, err := Evaluate(trials, scores, false)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"eer", "eer_step", "n_genuine", "n_spoof", "missing", "extra", "accuracy", "precision", "recall", "f1", "confusion", "by"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, data)
		}
	}
	by := m["by"].(map[string]any)
	for _, k := range []string{"environment", "playback", "recorder", "phrase"} {
		if _, ok := by[k]; !ok {
			t.Errorf("JSON by lacks %q", k)
		}
	}
	// Sorted: d(s)=-2, b(g)=-0.5, c(s)=0.5, a(g)=1 → labels 0 1 0 1: hull
	// (1,0) (.5,0) (0,.5) (0,1) → EER .25. E01 = {c}: labels 1 0 1 → hull
	// (1,0) (0,.5) (0,1): x + 2y = 1 → 1/3. S03 has no own genuine trial →
	// eer_own null.
	if r.EER != 0.25 || r.Extra != 1 || r.Missing != 0 {
		t.Errorf("eer %v extra %d missing %d, want 0.25 1 0", r.EER, r.Extra, r.Missing)
	}
	if e := r.By.Environment["E01"]; math.Abs(e.EER-1.0/3) > tol || e.NSpoof != 1 || e.NGenuine != 2 {
		t.Errorf("E01 = %+v", e)
	}
	if e := r.By.Environment["E02"]; e.EER != 0 {
		t.Errorf("E02 = %+v", e)
	}
	ph := by["phrase"].(map[string]any)
	if s03 := ph["S03"].(map[string]any); s03["eer_own"] != nil || s03["n_genuine_own"] != 0.0 {
		t.Errorf("S03 = %v, want eer_own null", s03)
	}
	// S01 own: a(g)=1 against c(s)=0.5, separated → 0.
	if s01 := ph["S01"].(map[string]any); s01["eer_own"] != 0.0 || s01["n_genuine_own"] != 1.0 {
		t.Errorf("S01 = %v, want eer_own 0 with 1 genuine", s01)
	}
	if _, ok := ph["S02"]; ok {
		t.Error("S02 has no spoof trial but is listed")
	}
	// decision: a(g)=1 accepted, b(g) rejected, c(s) accepted, d(s) rejected.
	if c := r.Confusion; c != (Confusion{1, 1, 1, 1}) || r.Accuracy != 0.5 || r.Precision != 0.5 || r.Recall != 0.5 || r.F1 != 0.5 {
		t.Errorf("metrics %+v acc %v p %v r %v f1 %v", c, r.Accuracy, r.Precision, r.Recall, r.F1)
	}
	var buf bytes.Buffer
	if err := r.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"25.00 %", "E01", "33.33", "S03", "accuracy 50.00 %"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, buf.String())
		}
	}
}

func TestEvaluateErrors(t *testing.T) {
	g := corpus.Trial{File: "g.wav", Label: corpus.Genuine, Phrase: "S01", Environment: "-", Playback: "-", Recorder: "-"}
	s := corpus.Trial{File: "s.wav", Label: corpus.Spoof, Phrase: "S01", Environment: "E01", Playback: "P01", Recorder: "R01"}
	s2 := s
	s2.File = "s2.wav"

	// Missing scores: an error unless allowed.
	_, err := Evaluate([]corpus.Trial{g, s, s2}, map[string]float64{"g": 1, "s2": 0}, false)
	var me *MissingError
	if !errors.As(err, &me) || me.Missing != 1 || me.Trials != 3 || me.First != "s" {
		t.Errorf("missing: error %v", err)
	}
	r, err := Evaluate([]corpus.Trial{g, s, s2}, map[string]float64{"g": 1, "s2": 0}, true)
	if err != nil || r.Missing != 1 || r.NSpoof != 1 || r.By.Environment["E01"].NSpoof != 1 {
		t.Errorf("allow missing: %+v, %v", r, err)
	}

	for _, tc := range []struct {
		name   string
		trials []corpus.Trial
		scores map[string]float64
		want   string
	}{
		{"duplicate trial", []corpus.Trial{g, s, g}, map[string]float64{"g": 1, "s": 0}, `protocol lists trial "g" twice`},
		{"NaN", []corpus.Trial{g, s}, map[string]float64{"g": math.NaN(), "s": 0}, "trial g: score NaN is not finite"},
		{"no genuine", []corpus.Trial{s}, map[string]float64{"s": 0}, "no genuine trial has a score"},
		{"no spoof", []corpus.Trial{g}, map[string]float64{"g": 0}, "no spoof trial has a score"},
		{"nothing", []corpus.Trial{g, s}, map[string]float64{"x": 0}, "no protocol trial has a score"},
	} {
		_, err := Evaluate(tc.trials, tc.scores, true)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
	if ids := ExtraIDs([]corpus.Trial{g, s}, map[string]float64{"g": 1, "z": 2, "a": 3}); !slices.Equal(ids, []string{"a", "z"}) {
		t.Errorf("ExtraIDs = %v", ids)
	}
}

// BenchmarkEvaluate measures a full evaluation (both EERs, metrics and all
// breakdowns) of the real eval protocol, reporting trials/s.
func BenchmarkEvaluate(b *testing.B) {
	trials := realTrials(b)
	scores := madeUpScores(trials, 3)
	for b.Loop() {
		if _, err := Evaluate(trials, scores, false); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(trials))*float64(b.N)/b.Elapsed().Seconds(), "trials/s")
}
