package demo

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/deep4deep/deep4deep/eval"
	"github.com/deep4deep/deep4deep/train"
)

// madeUpReport is a report with invented results, enough to exercise every
// section of the writers.
func madeUpReport() *Report {
	cnn := System{
		Name: "cnn-fbank", Title: "seed CNN on log-mel filterbank",
		Settings: []string{"3 epochs × 64 frames/utterance"},
		ModelDir: "models/cnn-fbank", Scores: [2]string{"scores/cnn-fbank.dev.txt", "scores/cnn-fbank.eval.txt"},
		TrainSeconds: 61.2, ScoreSeconds: 20.4,
		Dev: &eval.Result{EER: 0.051234, EERStep: 0.052},
		Eval: &eval.Result{EER: 0.123456, EERStep: 0.125, Accuracy: 0.9, F1: 0.61, NGenuine: 130, NSpoof: 1201,
			By: eval.Breakdown{
				Environment: map[string]eval.Condition{"E01": {EER: 0.02, NSpoof: 40}, "E25": {EER: 0.41, NSpoof: 38}, "E07": {EER: 0.1, NSpoof: 41}},
				Playback:    map[string]eval.Condition{"P03": {EER: 0.3, NSpoof: 12}},
				Phrase:      map[string]eval.Phrase{"S01": {Condition: eval.Condition{EER: 0.05, NSpoof: 100}}},
			}},
	}
	gmm := System{
		Name: "gmm-cqcc", Title: "CQCC-GMM baseline",
		ModelDir: "models/gmm-cqcc", Scores: [2]string{"scores/gmm-cqcc.dev.txt", "scores/gmm-cqcc.eval.txt"},
		TrainSeconds: 80,
		Dev:          &eval.Result{EER: 0.2, EERStep: 0.21},
		Eval: &eval.Result{EER: 0.25, EERStep: 0.26, Accuracy: 0.7, F1: 0.4, NGenuine: 130, NSpoof: 1201,
			By: eval.Breakdown{
				Environment: map[string]eval.Condition{"E01": {EER: 0.1, NSpoof: 40}, "E25": {EER: 0.49, NSpoof: 38}},
			}},
	}
	return &Report{
		Command: "deep4deep demo --scale 0.1", Scale: 0.1, Seed: 7, Threads: 2,
		Corpus:       [3]SetStats{{151, 151, 10, 900, 3}, {76, 95, 8, 500, 10}, {130, 1201, 24, 4000, 57}},
		CorpusNote:   "Synthetic.",
		TrainConfigs: []ConfigCount{{"E21", "P02", "R01", 58}, {"E01", "P01", "R01", 1}},
		Systems:      []System{cnn, gmm},
		Stages:       []StageTime{{"synth", 12.5, 20}, {"train cnn-fbank", 61.2, math.NaN()}},
		Seconds:      200.4567,
		CPUSeconds:   380,
		Figures:      []Figure{{"det.png", "DET curves"}},
		Describe: func(id string) string {
			return map[string]string{"E01": "anechoic room", "E25": "analog wire"}[id]
		},
	}
}

func TestSummaryJSON(t *testing.T) {
	r := madeUpReport()
	var buf bytes.Buffer
	if err := r.WriteSummary(&buf); err != nil {
		t.Fatal(err)
	}
	// Decode generically: the keys are the contract of DESIGN §7.
	var got struct {
		Systems map[string]map[string]float64 `json:"systems"`
		Seconds float64                       `json:"seconds"`
		Scale   float64                       `json:"scale"`
		Seed    uint64                        `json:"seed"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("summary is not JSON: %v\n%s", err, buf.Bytes())
	}
	if got.Seconds != 200.457 || got.Scale != 0.1 || got.Seed != 7 {
		t.Errorf("seconds, scale, seed = %v %v %v", got.Seconds, got.Scale, got.Seed)
	}
	for _, s := range r.Systems {
		g, ok := got.Systems[s.Name]
		if !ok {
			t.Fatalf("system %s missing from %s", s.Name, buf.Bytes())
		}
		// Rates must survive exactly (no rounding), so they can be checked
		// against eval's output.
		for key, want := range map[string]float64{
			"eer": s.Eval.EER, "eer_step": s.Eval.EERStep, "accuracy": s.Eval.Accuracy,
			"f1": s.Eval.F1, "dev_eer": s.Dev.EER, "train_seconds": s.TrainSeconds,
		} {
			if g[key] != want {
				t.Errorf("%s.%s = %v, want %v", s.Name, key, g[key], want)
			}
		}
	}
	r.Systems[1].Eval.EER = math.NaN()
	if err := r.WriteSummary(&buf); err == nil {
		t.Error("NaN EER written to summary.json")
	}
}

func TestMarkdown(t *testing.T) {
	r := madeUpReport()
	var buf bytes.Buffer
	if err := r.WriteMarkdown(&buf); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	for _, want := range []string{
		"`deep4deep demo --scale 0.1`",
		"| cnn-fbank | 12.35 | 12.50 | 90.00 | 61.00 | 5.12 | 61 s | 20 s |",
		"| gmm-cqcc | 25.00 | 26.00 | 70.00 | 40.00 | 20.00 | 80 s | 0 s |",
		"| train | 151 | 151 | 10 | 3 | 15.0 min |",
		"- 3 epochs × 64 frames/utterance",
		"come from 2 replay configurations:\n\n- E21 / P02 / R01: 58 spoof trials\n- E01, anechoic room / P01 / R01: 1 spoof trial\n",
		// Conditions sorted, a column per system, "–" where a system has none.
		"| environment | what | spoof trials | cnn-fbank | gmm-cqcc |\n|---|---|---:|---:|---:|\n" +
			"| E01 | anechoic room | 40 | 2.00 | 10.00 |\n| E07 |  | 41 | 10.00 | – |\n| E25 | analog wire | 38 | 41.00 | 49.00 |",
		"- cnn-fbank: easiest environment E01 (2.00 %), hardest E25 (41.00 %).",
		"- gmm-cqcc: easiest environment E01 (10.00 %), hardest E25 (49.00 %).",
		"### Phrase\n\n| phrase | spoof trials | cnn-fbank | gmm-cqcc |\n|---|---:|---:|---:|\n| S01 | 100 | 5.00 | – |",
		"| P03 |  | 12 | 30.00 | – |",
		// Published numbers, clearly marked.
		"not comparable one-to-one",
		"| ASVspoof 2017 V2 | CQCC-GMM baseline | 12.08 | 29.35 |",
		"| ASVspoof 2017 V1 | best primary submission | – | 6.73 |",
		"| synthetic, scale 0.1 | cnn-fbank | 5.12 | 12.35 |",
		"![DET curves](det.png)",
		"deep4deep eval --scores scores/cnn-fbank.eval.txt --protocol corpus/protocol_V2/ASVspoof2017_V2_eval.trl.txt",
		"| synth | 12.5 s | 20.0 s |",
		"| train cnn-fbank | 61.2 s | – |",
		"| **total** | **200.5 s** | **380.0 s** |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// No recorder or phrase data: no empty tables.
	if strings.Contains(md, "### Recording device") {
		t.Error("empty recorder table written")
	}
	if t.Failed() {
		t.Log(md)
	}
}

func TestPublished(t *testing.T) {
	// DESIGN §5 lists eight published results.
	pub := PublishedResults()
	if len(pub) != 8 {
		t.Fatalf("%d published results, want 8", len(pub))
	}
	sum := 0.0
	for _, p := range pub {
		sum += p.EvalEER
	}
	// 24.77+30.60+6.73+26.01+29.35+12.24+16.08+8.99
	if math.Abs(sum-154.77) > 1e-9 {
		t.Errorf("published eval EERs sum to %v, want 154.77", sum)
	}
}

func TestExtremes(t *testing.T) {
	for _, tc := range []struct {
		m      map[string]eval.Condition
		lo, hi string
		ok     bool
	}{
		{nil, "", "", false},
		{map[string]eval.Condition{"A": {EER: math.NaN()}}, "", "", false},
		{map[string]eval.Condition{"B": {EER: 0.1}, "A": {EER: 0.1}}, "A", "A", true},
		{map[string]eval.Condition{"B": {EER: 0.3}, "A": {EER: 0.1}, "C": {EER: math.NaN()}, "D": {EER: 0.3}}, "A", "B", true},
	} {
		lo, hi, ok := extremes(tc.m)
		if lo != tc.lo || hi != tc.hi || ok != tc.ok {
			t.Errorf("extremes(%v) = %q %q %v, want %q %q %v", tc.m, lo, hi, ok, tc.lo, tc.hi, tc.ok)
		}
	}
}

func TestFindings(t *testing.T) {
	r := madeUpReport()
	got := strings.Join(findings(r), "\n")
	for _, want := range []string{
		"cnn-fbank has the lower eval EER: 12.35 % against gmm-cqcc's 25.00 % (2.0× lower).",
		"cnn-fbank: eval EER 12.35 % against dev 5.12 %: eval holds replay configurations unseen",
		"cnn-fbank: replay environments range from 2.00 % EER (E01, anechoic room) to 41.00 % (E25, analog wire).",
		"gmm-cqcc: eval EER 25.00 % against dev 20.00 %",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("findings lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "trivial") || strings.Contains(got, "chance") || strings.Contains(got, "intervals") {
		t.Errorf("realistic EERs flagged, or unknown intervals compared:\n%s", got)
	}
	var ladder string
	for _, line := range strings.Split(got, "\n") {
		if strings.HasPrefix(line, "Replay environments from easiest to hardest") {
			ladder = line
		}
	}
	// mean EERs: E01 6 %, E07 10 % (one system), E25 45 %
	if a, b, c := strings.Index(ladder, "E01"), strings.Index(ladder, "E07"), strings.Index(ladder, "E25"); !(a > 0 && a < b && b < c) ||
		!strings.Contains(ladder, "6.00 %") || !strings.Contains(ladder, "45.00 %") {
		t.Errorf("easy-to-hard ladder %q", ladder)
	}
	r.Systems[0].EvalCI, r.Systems[1].EvalCI = [2]float64{0.10, 0.15}, [2]float64{0.2, 0.3}
	if got := strings.Join(findings(r), "\n"); !strings.Contains(got, "(2.0× lower); the 95 % intervals [10.00, 15.00] and [20.00, 30.00] do not overlap.") {
		t.Errorf("separated intervals not reported:\n%s", got)
	}
	r.Systems[1].EvalCI = [2]float64{0.14, 0.3}
	if got := strings.Join(findings(r), "\n"); !strings.Contains(got, "overlap: this corpus does not tell the two apart") {
		t.Errorf("overlapping intervals not reported:\n%s", got)
	}
	r.Systems[0].Eval.EER, r.Systems[1].Eval.EER = 0.005, 0.45
	got = strings.Join(findings(r), "\n")
	for _, want := range []string{"cnn-fbank: eval EER below 1 %", "gmm-cqcc: eval EER above 40 %", "90.0× lower"} {
		if !strings.Contains(got, want) {
			t.Errorf("findings lack %q:\n%s", want, got)
		}
	}
}

func TestFindingsOverfitting(t *testing.T) {
	r := madeUpReport()
	r.Systems[0].Epochs = []train.Epoch{{Epoch: 1, TrainLoss: 0.3, DevEER: 0.1}, {Epoch: 2, TrainLoss: 0.1, DevEER: 0.15}}
	r.Systems[0].BestEpoch = 1
	want := "cnn-fbank: dev EER was lowest after epoch 1 of 2 (10.00 %; 15.00 % after the last) while the train loss " +
		"kept falling (0.300 → 0.100): with 302 train utterances from 3 replay configurations the network overfits"
	if got := strings.Join(findings(r), "\n"); !strings.Contains(got, want) {
		t.Errorf("findings lack %q:\n%s", want, got)
	}
	r.Systems[0].BestEpoch = 2 // the last epoch was the best: nothing to say
	if got := strings.Join(findings(r), "\n"); strings.Contains(got, "overfits") {
		t.Errorf("overfitting reported for a best last epoch:\n%s", got)
	}
}

func TestFindingsCompare(t *testing.T) {
	r := madeUpReport()
	r.Systems[1].Eval.By.Environment["E01"] = eval.Condition{EER: 0.15}
	got := strings.Join(findings(r), "\n")
	// Environments common to both: E01 (2 vs 15) and E25 (41 vs 49); E07 is
	// cnn-fbank's only.
	want := "By environment, cnn-fbank has the lower eval EER on 2 of 2 conditions " +
		"(largest gap: E01, anechoic room, 2.00 vs 15.00 %), gmm-cqcc on 0."
	if !strings.Contains(got, want) {
		t.Errorf("findings lack %q:\n%s", want, got)
	}
	r.Systems[1].Eval.By.Environment["E25"] = eval.Condition{EER: 0.30}
	r.Systems[1].Eval.By.Environment["E07"] = eval.Condition{EER: 0.10}
	got = strings.Join(findings(r), "\n")
	want = "By environment, cnn-fbank has the lower eval EER on 1 of 3 conditions " +
		"(largest gap: E01, anechoic room, 2.00 vs 15.00 %), gmm-cqcc on 1 (largest gap: E25, analog wire, 30.00 vs 41.00 %); 1 equal."
	if !strings.Contains(got, want) {
		t.Errorf("findings lack %q:\n%s", want, got)
	}
}
