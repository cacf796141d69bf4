package eval

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"testing"
)

// TestCalibrationHandWorked checks Cllr, MinCllr, ActDCF and MinDCF on cases
// worked out by hand (the working is in each comment). ASVspoof 5
// parameters: threshold ln(0.5/0.95) ≈ −0.642, normaliser min(0.95, 0.5).
func TestCalibrationHandWorked(t *testing.T) {
	l3 := math.Log(3)
	tests := []struct {
		name                          string
		gen, spoof                    []float64
		cllr, minCllr, actDCF, minDCF float64
	}{
		{
			// LLR 0 everywhere: each trial costs log2(2) = 1 → Cllr 1. One
			// PAV block with k = Nt, z = Nn: log2(1 + Nn·Nt/(Nt·Nn)) = 1.
			// Everything is accepted (0 ≥ −0.642): Pfa = 1 → 0.5/0.5 = 1.
			// MinDCF: best of accept-all (0.5) and reject-all (0.95) → 1.
			name: "don't know", gen: []float64{0, 0}, spoof: []float64{0, 0, 0},
			cllr: 1, minCllr: 1, actDCF: 1, minDCF: 1,
		},
		{
			// ±ln 3: each trial costs log2(1 + 1/3) = log2(4/3). Perfectly
			// separated → MinCllr 0, MinDCF 0; threshold −0.642 lies
			// between −ln 3 and ln 3 → ActDCF 0.
			name: "ln 3", gen: []float64{l3}, spoof: []float64{-l3},
			cllr: math.Log2(4.0 / 3), minCllr: 0, actDCF: 0, minDCF: 0,
		},
		{
			// Labels in score order 0 1 0 1 (0, 1, 2, 3): PAV blocks [0]
			// [1 0] [1]. The middle block has k = z = 1 with Nt = Nn = 2:
			// its genuine and spoof trial each cost log2(1 + 1) = 1, the
			// rest 0 → Cllr_min = (1/2 + 1/2)/2 = 0.5.
			// Raw Cllr: genuine at 1, 3 cost log2(1+e^−1), log2(1+e^−3);
			// spoof at 0, 2 cost 1, log2(1+e^2).
			// Threshold −0.642: all accepted but spoof 0? 0 ≥ −0.642 →
			// accepted too: Pmiss 0, Pfa 1 → 1. MinDCF: the step curve
			// points (frr, far): (0,1) (0,.5) (.5,.5) (.5,0) (1,0) →
			// 0.95·.5 / 0.5 = 0.95 at (.5, 0); 0.5·.5/0.5 = 0.5 at (0, .5)
			// → 0.5.
			name: "interleaved", gen: []float64{1, 3}, spoof: []float64{0, 2},
			cllr:    (math.Log2(1+math.Exp(-1)) + math.Log2(1+math.Exp(-3)) + 1 + math.Log2(1+math.Exp(2))) / 4,
			minCllr: 0.5, actDCF: 1, minDCF: 0.5,
		},
		{
			// Everything at −1 < −0.642: all rejected → Pmiss 1 →
			// 0.95/0.5 = 1.9 (worse than accepting all). Ties pool into one
			// block → MinCllr 1, MinDCF 1. Cllr: genuine cost
			// log2(1+e), spoof log2(1+e^−1).
			name: "all rejected", gen: []float64{-1, -1}, spoof: []float64{-1},
			cllr:    (math.Log2(1+math.E) + math.Log2(1+math.Exp(-1))) / 2,
			minCllr: 1, actDCF: 1.9, minDCF: 1,
		},
		{
			// A score exactly at the threshold is accepted (ASVspoof 5:
			// miss when < threshold, false alarm when ≥). Genuine at the
			// threshold, spoof far below: no error → 0.
			name: "at threshold", gen: []float64{ASVspoof5.Threshold()}, spoof: []float64{-10},
			cllr:    (math.Log2(1+math.Exp(-ASVspoof5.Threshold())) + math.Log2(1+math.Exp(-10))) / 2,
			minCllr: 0, actDCF: 0, minDCF: 0,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := CalibrationOf(tc.gen, tc.spoof)
			for _, c := range []struct {
				what      string
				got, want float64
			}{
				{"Cllr", m.Cllr, tc.cllr}, {"MinCllr", m.MinCllr, tc.minCllr},
				{"ActDCF", m.ActDCF, tc.actDCF}, {"MinDCF", m.MinDCF, tc.minDCF},
			} {
				if math.Abs(c.got-c.want) > tol {
					t.Errorf("%s = %.17g, want %.17g", c.what, c.got, c.want)
				}
			}
		})
	}
}

// TestCalibrationNaN checks the NaN conditions.
func TestCalibrationNaN(t *testing.T) {
	cases := []struct {
		name       string
		gen, spoof []float64
	}{
		{"no genuine", nil, []float64{1}},
		{"no spoof", []float64{1}, nil},
		{"NaN genuine", []float64{math.NaN()}, []float64{1}},
		{"NaN spoof", []float64{1}, []float64{0, math.NaN()}},
	}
	for _, c := range cases {
		m := CalibrationOf(c.gen, c.spoof)
		// Cllr of a NaN score is NaN through the arithmetic itself.
		for what, v := range map[string]float64{"Cllr": m.Cllr, "MinCllr": m.MinCllr, "ActDCF": m.ActDCF, "MinDCF": m.MinDCF} {
			if !math.IsNaN(v) {
				t.Errorf("%s: %s = %v, want NaN", c.name, what, v)
			}
		}
	}
	if v := ActDCF([]float64{1}, []float64{0}, DCFParams{PSpoof: 1, CMiss: 1, CFA: 1}); !math.IsNaN(v) {
		t.Errorf("ActDCF with Pspoof = 1: %v, want NaN", v)
	}
	if v := MinDCF([]float64{1}, []float64{0}, DCFParams{PSpoof: 0.5, CMiss: 0, CFA: 1}); !math.IsNaN(v) {
		t.Errorf("MinDCF with Cmiss = 0: %v, want NaN", v)
	}
}

// TestCalibrationProperties checks relations that hold for any scores:
// the minimum costs are below the actual ones and below the trivial
// systems', they depend only on the order of the scores, and the step-curve
// MinDCF equals the minimum of the cost over the ROC convex hull.
func TestCalibrationProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 1))
	for it := range 200 {
		nt, nn := 1+r.IntN(60), 1+r.IntN(200)
		sep, sc := 3*r.Float64()-1, 0.2+3*r.Float64()
		gen, spoof := make([]float64, nt), make([]float64, nn)
		q := float64(r.IntN(3)) * 0.5 // 0: continuous; else quantised (ties)
		draw := func(mu float64) float64 {
			v := (r.NormFloat64() + mu) * sc
			if q > 0 {
				v = math.Round(v/q) * q
			}
			return v
		}
		for i := range gen {
			gen[i] = draw(sep)
		}
		for i := range spoof {
			spoof[i] = draw(0)
		}
		m := CalibrationOf(gen, spoof)
		if m.MinCllr > m.Cllr+1e-12 || m.MinCllr > 1+1e-12 || m.MinCllr < 0 {
			t.Fatalf("case %d: MinCllr %v, Cllr %v", it, m.MinCllr, m.Cllr)
		}
		if m.MinDCF > m.ActDCF+1e-12 || m.MinDCF > 1+1e-12 || m.MinDCF < 0 {
			t.Fatalf("case %d: MinDCF %v, ActDCF %v", it, m.MinDCF, m.ActDCF)
		}
		// A strictly increasing map changes neither minimum.
		f := func(x []float64) []float64 {
			y := make([]float64, len(x))
			for i, v := range x {
				y[i] = math.Exp(v/4) - 7
			}
			return y
		}
		if v := MinCllr(f(gen), f(spoof)); math.Abs(v-m.MinCllr) > 1e-12 {
			t.Fatalf("case %d: MinCllr changed under a monotone map: %v vs %v", it, v, m.MinCllr)
		}
		if v := MinDCF(f(gen), f(spoof), ASVspoof5); math.Abs(v-m.MinDCF) > 1e-12 {
			t.Fatalf("case %d: MinDCF changed under a monotone map: %v vs %v", it, v, m.MinDCF)
		}
		// The linear cost is minimised at a hull vertex.
		pfa, pmiss := ROCCH(gen, spoof)
		hull := math.Inf(1)
		for i := range pfa {
			hull = math.Min(hull, (0.95*pmiss[i]+0.5*pfa[i])/0.5)
		}
		if math.Abs(hull-m.MinDCF) > 1e-12 {
			t.Fatalf("case %d: MinDCF %v, hull minimum %v", it, m.MinDCF, hull)
		}
		// Reliability bins partition the trials.
		n := 0
		for _, b := range Reliability(gen, spoof, 0, 10) {
			n += b.N
			if b.Predicted < b.Lo-1e-12 || b.Predicted > b.Hi+1e-12 || b.Observed < 0 || b.Observed > 1 {
				t.Fatalf("case %d: bad bin %+v", it, b)
			}
		}
		if n != nt+nn {
			t.Fatalf("case %d: bins hold %d of %d trials", it, n, nt+nn)
		}
	}
}

// TestReliabilityCalibrated draws scores that are exact LLRs (two unit-
// variance Gaussians at ±d/2, LLR = d·x) and checks that every populated bin
// observes what it predicts, within four binomial standard errors.
func TestReliabilityCalibrated(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	const d = 2.0
	gen, spoof := make([]float64, 20000), make([]float64, 60000)
	for i := range gen {
		gen[i] = d * (r.NormFloat64() + d/2)
	}
	for i := range spoof {
		spoof[i] = d * (r.NormFloat64() - d/2)
	}
	bins := Reliability(gen, spoof, 0, 10)
	if len(bins) != 10 {
		t.Fatalf("%d bins, want 10", len(bins))
	}
	for _, b := range bins {
		se := math.Sqrt(b.Predicted * (1 - b.Predicted) / float64(b.N))
		if math.Abs(b.Observed-b.Predicted) > 4*se+1e-3 {
			t.Errorf("bin [%.1f, %.1f): observed %.4f, predicted %.4f (n %d)", b.Lo, b.Hi, b.Observed, b.Predicted, b.N)
		}
	}
	// The same scores shifted by +2 are miscalibrated: the high bins
	// observe far less than they predict.
	for i := range gen {
		gen[i] += 2
	}
	for i := range spoof {
		spoof[i] += 2
	}
	worst := 0.0
	for _, b := range Reliability(gen, spoof, 0, 10) {
		worst = math.Max(worst, b.Predicted-b.Observed)
	}
	if worst < 0.1 {
		t.Errorf("shifted LLRs: largest over-prediction %.3f, want a clear miscalibration", worst)
	}
}

// TestCalibrationReference compares with the BOSARIS and ASVspoof 5 code
// transcribed to NumPy (testdata/gen_calib_ref.py).
func TestCalibrationReference(t *testing.T) {
	data, err := os.ReadFile("testdata/calib_ref.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Cases []struct {
			Genuine []float64 `json:"genuine"`
			Spoof   []float64 `json:"spoof"`
			Cllr    float64   `json:"cllr"`
			MinCllr float64   `json:"min_cllr"`
			ActDCF  float64   `json:"act_dcf"`
			MinDCF  float64   `json:"min_dcf"`
		}
	}
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Cases) < 10 {
		t.Fatalf("%d reference cases", len(ref.Cases))
	}
	for i, c := range ref.Cases {
		m := CalibrationOf(c.Genuine, c.Spoof)
		for _, v := range []struct {
			what      string
			got, want float64
		}{
			{"cllr", m.Cllr, c.Cllr}, {"min_cllr", m.MinCllr, c.MinCllr},
			{"act_dcf", m.ActDCF, c.ActDCF}, {"min_dcf", m.MinDCF, c.MinDCF},
		} {
			if math.Abs(v.got-v.want) > 1e-12*math.Max(1, math.Abs(v.want)) {
				t.Errorf("case %d (%d genuine, %d spoof): %s = %.17g, reference %.17g",
					i, len(c.Genuine), len(c.Spoof), v.what, v.got, v.want)
			}
		}
	}
}
