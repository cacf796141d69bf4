package calibrate

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/deep4deep/deep4deep/corpus"
)

// gaussians draws n genuine and n spoof trials of K independent systems;
// system j scores genuine trials from N(mu[j], sd[j]²) and spoof trials
// from N(−mu[j], sd[j]²), then maps every score by s → scale[j]·s + shift[j].
// The true LLR of system j's raw score x is 2·mu[j]·x/sd[j]² (equal
// variances), so for the transformed score s it is
// 2·mu[j]/(sd[j]²·scale[j])·(s − shift[j]), and the fused LLR of
// independent systems is the sum.
func gaussians(seed uint64, n int, mu, sd, scale, shift []float64) (gen, spoof [][]float64) {
	r := rand.New(rand.NewPCG(seed, 99))
	draw := func(sign float64) []float64 {
		x := make([]float64, len(mu))
		for j := range mu {
			x[j] = scale[j]*(sign*mu[j]+sd[j]*r.NormFloat64()) + shift[j]
		}
		return x
	}
	for range n {
		gen = append(gen, draw(1))
		spoof = append(spoof, draw(-1))
	}
	return gen, spoof
}

// trueMap returns the weights and offset of the true LLR of gaussians.
func trueMap(mu, sd, scale, shift []float64) (w []float64, b float64) {
	for j := range mu {
		wj := 2 * mu[j] / (sd[j] * sd[j] * scale[j])
		w = append(w, wj)
		b -= wj * shift[j]
	}
	return w, b
}

// TestFitRecoversTrueLLR checks the fit against the analytic LLR of
// equal-variance Gaussian classes, for one system and for the fusion of two
// independent ones (plus a third that carries no information and must get
// weight ≈ 0), at several priors: a well-specified model gives the same map
// whatever the prior. The tolerance is a few standard errors of the
// estimates at n = 20000 per class.
func TestFitRecoversTrueLLR(t *testing.T) {
	tests := []struct {
		name                 string
		mu, sd, scale, shift []float64
	}{
		{"one system", []float64{1}, []float64{1}, []float64{3}, []float64{5}},
		{"one system, inverted scale", []float64{0.7}, []float64{1.5}, []float64{-0.5}, []float64{-2}},
		{"fusion of two", []float64{1, 0.5}, []float64{1, 0.5}, []float64{1, 10}, []float64{0, -3}},
		{"fusion with a useless system", []float64{1, 0.8, 0}, []float64{1, 1, 1}, []float64{2, 1, 1}, []float64{1, 0, 4}},
	}
	for _, tc := range tests {
		gen, spoof := gaussians(1, 20000, tc.mu, tc.sd, tc.scale, tc.shift)
		wantW, wantB := trueMap(tc.mu, tc.sd, tc.scale, tc.shift)
		for _, prior := range []float64{0.5, 0.05, 0.9} {
			w, b, err := Fit(gen, spoof, Options{Prior: prior})
			if err != nil {
				t.Fatalf("%s, prior %v: %v", tc.name, prior, err)
			}
			for j := range w {
				// compare the weights on the raw scores, 6 % + 0.08
				if d := math.Abs((w[j] - wantW[j]) * tc.scale[j]); d > 0.06*math.Abs(wantW[j]*tc.scale[j])+0.08 {
					t.Errorf("%s, prior %v: weight %d = %.4f, want %.4f", tc.name, prior, j, w[j], wantW[j])
				}
			}
			// The LLRs of fresh trials: within 6 % + 0.05 of the truth on
			// average.
			tg, ts := gaussians(2, 1000, tc.mu, tc.sd, tc.scale, tc.shift)
			var diff, size float64
			for _, x := range append(tg, ts...) {
				got, want := b, wantB
				for j := range x {
					got += w[j] * x[j]
					want += wantW[j] * x[j]
				}
				diff += math.Abs(got - want)
				size += math.Abs(want)
			}
			if diff > 0.06*size+0.05*2000 {
				t.Errorf("%s, prior %v: mean LLR error %.4f, mean |LLR| %.4f (w %v b %.4f, want %v %.4f)",
					tc.name, prior, diff/2000, size/2000, w, b, wantW, wantB)
			}
		}
	}
}

// TestFitIsOptimal checks that the fit is a minimum of J: moving any
// parameter a little either way does not lower J, and the gradient
// vanishes (finite differences).
func TestFitIsOptimal(t *testing.T) {
	gen, spoof := gaussians(3, 300, []float64{0.6, 0.3}, []float64{1, 1}, []float64{1, 2}, []float64{0, 1})
	gen = gen[:200] // unbalanced classes
	for _, o := range []Options{{Prior: 0.5}, {Prior: 0.2, L2: 0.1}} {
		w, b, err := Fit(gen, spoof, o)
		if err != nil {
			t.Fatal(err)
		}
		p := problem{gen: gen, spoof: spoof, k: 2, logit: math.Log(o.Prior / (1 - o.Prior)),
			wt: o.Prior / float64(len(gen)), wn: (1 - o.Prior) / float64(len(spoof)), l2: o.L2}
		theta := append(w, b)
		j0 := p.value(theta)
		for a := range theta {
			for _, eps := range []float64{1e-3, -1e-3} {
				th := append([]float64(nil), theta...)
				th[a] += eps
				if j := p.value(th); j < j0 {
					t.Errorf("%+v: J lower at θ[%d]%+g: %.17g < %.17g", o, a, eps, j, j0)
				}
			}
			h := 1e-6
			tp := append([]float64(nil), theta...)
			tm := append([]float64(nil), theta...)
			tp[a] += h
			tm[a] -= h
			if g := (p.value(tp) - p.value(tm)) / (2 * h); math.Abs(g) > 1e-8 {
				t.Errorf("%+v: dJ/dθ[%d] = %g at the fit", o, a, g)
			}
		}
	}
}

// TestFitReference compares the one-system fit with scikit-learn's
// LogisticRegression with per-class sample weights (the same objective,
// another optimiser), from ../eval/testdata/gen_calib_ref.py.
func TestFitReference(t *testing.T) {
	data, err := os.ReadFile("../eval/testdata/calib_ref.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Cases []struct {
			Genuine     []float64             `json:"genuine"`
			Spoof       []float64             `json:"spoof"`
			Calibration map[string][2]float64 `json:"calibration"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatal(err)
	}
	n := 0
	for i, c := range ref.Cases {
		col := func(x []float64) [][]float64 {
			out := make([][]float64, len(x))
			for k, v := range x {
				out[k] = []float64{v}
			}
			return out
		}
		for ps, want := range c.Calibration {
			var prior float64
			if err := json.Unmarshal([]byte(ps), &prior); err != nil {
				t.Fatal(err)
			}
			w, b, err := Fit(col(c.Genuine), col(c.Spoof), Options{Prior: prior})
			if err != nil {
				t.Fatalf("case %d prior %v: %v", i, prior, err)
			}
			n++
			if math.Abs(w[0]-want[0]) > 1e-5*(1+math.Abs(want[0])) || math.Abs(b-want[1]) > 1e-5*(1+math.Abs(want[1])) {
				t.Errorf("case %d prior %v: (w, b) = (%.9g, %.9g), scikit-learn (%.9g, %.9g)", i, prior, w[0], b, want[0], want[1])
			}
		}
	}
	if n < 20 {
		t.Fatalf("only %d reference fits", n)
	}
}

// TestFitSeparable checks that completely separated classes give a finite
// map with the default ridge penalty, ordering the classes correctly.
func TestFitSeparable(t *testing.T) {
	gen := [][]float64{{2}, {3}, {4}}
	spoof := [][]float64{{-1}, {0}, {1}}
	w, b, err := Fit(gen, spoof, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if !(w[0] > 1) || math.IsInf(w[0], 0) || math.IsNaN(b) {
		t.Fatalf("separable: w = %v, b = %v", w, b)
	}
	if llr := w[0]*1.5 + b; math.Abs(llr) > 0.5*w[0] {
		t.Errorf("boundary not between the classes: LLR(1.5) = %v with w = %v", llr, w[0])
	}
}

func TestFitErrors(t *testing.T) {
	ok := [][]float64{{1}}
	tests := []struct {
		name       string
		gen, spoof [][]float64
		o          Options
		want       string
	}{
		{"no genuine", nil, ok, DefaultOptions(), "genuine and spoof"},
		{"no spoof", ok, nil, DefaultOptions(), "genuine and spoof"},
		{"prior 0", ok, ok, Options{Prior: 0}, "prior"},
		{"prior 1", ok, ok, Options{Prior: 1}, "prior"},
		{"prior NaN", ok, ok, Options{Prior: math.NaN()}, "prior"},
		{"negative L2", ok, ok, Options{Prior: 0.5, L2: -1}, "ridge"},
		{"ragged", [][]float64{{1, 2}}, ok, DefaultOptions(), "spoof trial 0 has 1 scores, want 2"},
		{"no scores", [][]float64{{}}, [][]float64{{}}, DefaultOptions(), "no scores"},
		{"infinite", [][]float64{{math.Inf(1)}}, ok, DefaultOptions(), "genuine trial 0: score +Inf is not finite"},
	}
	for _, tc := range tests {
		_, _, err := Fit(tc.gen, tc.spoof, tc.o)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	// Constant scores: the weight is undetermined by the data; the fit must
	// still return the prior-free offset (the classes' log odds) and no
	// NaN.
	w, b, err := Fit([][]float64{{1}, {1}}, [][]float64{{1}, {1}, {1}, {1}}, DefaultOptions())
	if err != nil || math.IsNaN(w[0]) || math.IsNaN(b) || math.Abs(w[0]+b) > 1e-6 {
		t.Errorf("constant scores: w %v b %v err %v, want LLR(1) = 0", w, b, err)
	}
}

// TestTrainMapFiles trains a calibration and a fusion from protocol trials,
// saves and loads them, and applies them.
func TestTrainMapFiles(t *testing.T) {
	gen, spoof := gaussians(5, 400, []float64{1, 0.5}, []float64{1, 1}, []float64{1, 1}, []float64{2, -1})
	var trials []corpus.Trial
	a, b := map[string]float64{}, map[string]float64{}
	add := func(i int, x []float64, l corpus.Label) {
		id := string(rune('A'+i%26)) + strings.Repeat("x", i/26)
		trials = append(trials, corpus.Trial{File: id, Label: l})
		a[id], b[id] = x[0], x[1]
	}
	for i, x := range gen {
		add(2*i, x, corpus.Genuine)
	}
	for i, x := range spoof {
		add(2*i+1, x, corpus.Spoof)
	}
	delete(b, trials[0].ID()) // one trial unscored by system b
	dir := t.TempDir()

	cal, missing, err := Train(trials, []map[string]float64{a}, []string{"a.txt"}, DefaultOptions())
	if err != nil || missing != 0 {
		t.Fatalf("calibration: %v, %d missing", err, missing)
	}
	if cal.Kind != KindCalibration || cal.NGenuine != 400 || cal.NSpoof != 400 {
		t.Errorf("calibration map %+v", cal)
	}
	if !(cal.CllrAfter < cal.CllrBefore[0]) || !(cal.MinCllr <= cal.CllrAfter+1e-9) {
		t.Errorf("Cllr before %v after %v min %v: calibration did not help", cal.CllrBefore, cal.CllrAfter, cal.MinCllr)
	}
	fus, missing, err := Train(trials, []map[string]float64{a, b}, []string{"A", "B"}, DefaultOptions())
	if err != nil || missing != 1 || fus.Kind != KindFusion {
		t.Fatalf("fusion: %v, %d missing, kind %q", err, missing, fus.Kind)
	}
	if !(fus.CllrAfter < cal.CllrAfter) {
		t.Errorf("fusion Cllr %v not below the single system's %v", fus.CllrAfter, cal.CllrAfter)
	}
	for _, m := range []*Map{cal, fus} {
		p := filepath.Join(dir, m.Kind+"-map.json")
		if err := m.Save(p); err != nil {
			t.Fatal(err)
		}
		back, err := Load(p)
		if err != nil {
			t.Fatal(err)
		}
		x := []float64{0.3, -1.2}[:len(m.Weights)]
		if back.Apply(x) != m.Apply(x) {
			t.Errorf("%s: reloaded map gives %v, want %v", m.Kind, back.Apply(x), m.Apply(x))
		}
	}
	ids, fused, missing, err := fus.Fuse([]map[string]float64{a, b})
	if err != nil || missing != 1 || len(ids) != len(trials)-1 {
		t.Fatalf("Fuse: %v, %d missing, %d fused", err, missing, len(ids))
	}
	for i, id := range ids {
		if want := fus.Offset + fus.Weights[0]*a[id] + fus.Weights[1]*b[id]; math.Abs(fused[i]-want) > 1e-12 {
			t.Fatalf("fused %s = %v, want %v", id, fused[i], want)
		}
	}
	if _, err := cal.Calibrate(a); err != nil {
		t.Error(err)
	}
	if _, err := fus.Calibrate(a); err == nil {
		t.Error("a fusion calibrated one score file")
	}
	if m, err := LoadModel(dir); m != nil || err != nil {
		t.Errorf("LoadModel of a directory without %s: %v, %v", FileName, m, err)
	}
}

// TestParseErrors checks that bad map files give one-line errors naming the
// file.
func TestParseErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", "not a calibration"},
		{"not JSON", "weights: 1", "not a calibration"},
		{"unknown field", `{"kind":"calibration","systems":["a"],"weights":[1],"prior":0.5,"wieghts":2}`, "unknown field"},
		{"bad kind", `{"kind":"svm","systems":["a"],"weights":[1],"prior":0.5}`, `kind "svm"`},
		{"no weights", `{"kind":"fusion","systems":[],"weights":[],"prior":0.5}`, "no weights"},
		{"names", `{"kind":"fusion","systems":["a"],"weights":[1,2],"prior":0.5}`, "1 systems but 2 weights"},
		{"calibration of two", `{"kind":"calibration","systems":["a","b"],"weights":[1,2],"prior":0.5}`, "one weight"},
		{"prior", `{"kind":"calibration","systems":["a"],"weights":[1],"prior":1}`, "prior 1"},
		{"trailing", `{"kind":"calibration","systems":["a"],"weights":[1],"prior":0.5} {}`, "data after"},
		{"huge number", `{"kind":"calibration","systems":["a"],"weights":[1e999],"prior":0.5}`, "not a calibration"},
	}
	for _, tc := range tests {
		_, err := Parse(strings.NewReader(tc.in), "cal.json")
		if err == nil || !strings.HasPrefix(err.Error(), "cal.json: ") || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want a line starting cal.json: containing %q", tc.name, err, tc.want)
		}
	}
}

// FuzzParse checks that no input panics Parse or makes it use more than a
// bounded amount of memory, and that an accepted map round-trips.
func FuzzParse(f *testing.F) {
	f.Add(`{"kind":"calibration","systems":["a"],"weights":[1.5],"offset":-2,"prior":0.5}`)
	f.Add(`{"kind":"fusion","systems":["a","b"],"weights":[1,2],"offset":0,"prior":0.05}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, in string) {
		var before, after runtimeMem
		before.read()
		m, err := Parse(strings.NewReader(in), "f")
		after.read()
		if d := after.total - before.total; d > 64<<20 {
			t.Fatalf("Parse allocated %d bytes on a %d-byte input", d, len(in))
		}
		if err != nil {
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("accepted an invalid map: %v", err)
		}
	})
}

// runtimeMem reads the bytes allocated so far by the process.
type runtimeMem struct{ total uint64 }

func (m *runtimeMem) read() {
	var s runtime.MemStats
	runtime.ReadMemStats(&s)
	m.total = s.TotalAlloc
}
