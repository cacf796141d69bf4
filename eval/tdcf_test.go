package eval

import (
	"encoding/json"
	"math"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/internal/testshared"
)

// TestTDCFHandWorked checks both forms on cases worked by hand (the
// arithmetic is in the comments).
func TestTDCFHandWorked(t *testing.T) {
	zero := ASVOperatingPoint{}
	op := ASVOperatingPoint{PfaASV: 0.1, PmissASV: 0.2, PmissSpoofASV: 0.5}
	for _, tc := range []struct {
		name            string
		bona, spoof     []float64
		asv             ASVOperatingPoint
		legacy, revised float64
	}{
		// Perfect separation: the threshold between the classes costs 0.
		{"separated", []float64{2, 3}, []float64{0, 1}, zero, 0, 0},
		// Sorted s b s b. Perfect ASV: C0 = 0, C1 = Ptar = 0.9405, C2 =
		// 10·0.05 = 0.5; rejecting the lowest spoof only: Pmiss 0, Pfa ½ →
		// 0.25/0.5 = 0.5 in both forms.
		{"interleaved", []float64{1, 3}, []float64{0, 2}, zero, 0.5, 0.5},
		// Same scores, ASV Pfa 0.1, Pmiss 0.2, Pmiss,spoof 0.5.
		// Legacy: C1 = 0.9405·0.8 − 0.0095·10·0.1 = 0.7429, C2 = 0.25;
		// best point Pmiss 0, Pfa ½: 0.125/0.25 = 0.5.
		// Revised: C0 = 0.9405·0.2 + 0.0095·10·0.1 = 0.1976, C1 = 0.7429,
		// C2 = 0.25, normaliser 0.4476; best (0.1976 + 0.125)/0.4476.
		{"interleaved asv", []float64{1, 3}, []float64{0, 2}, op, 0.5, 0.3226 / 0.4476},
		// Sorted b s b s: no threshold beats accepting everything
		// (Pmiss 0, Pfa 1: C2/min(C1, C2) = 1).
		{"reversed", []float64{0, 2}, []float64{1, 3}, op, 1, 1},
		// A tie counts bona fide first: the points are (0, 1), (1, 1),
		// (1, 0); the best is the first, cost 1.
		{"tie", []float64{1}, []float64{1}, zero, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := TDCFLegacy(tc.bona, tc.spoof, tc.asv, ASVspoof2019Costs)
			if err != nil {
				t.Fatal(err)
			}
			r, err := TDCFRevised(tc.bona, tc.spoof, tc.asv, ASVspoof2019Costs)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(l-tc.legacy) > 1e-12 || math.Abs(r-tc.revised) > 1e-12 {
				t.Errorf("legacy %.15g revised %.15g, want %.15g %.15g", l, r, tc.legacy, tc.revised)
			}
		})
	}
	// An ASV point that leaves the CM nothing to do is refused.
	if _, err := TDCFLegacy([]float64{1}, []float64{0}, ASVOperatingPoint{PmissSpoofASV: 1}, ASVspoof2019Costs); err == nil {
		t.Error("legacy t-DCF with C2 = 0 accepted")
	}
	if _, err := TDCFLegacy(nil, []float64{0}, zero, ASVspoof2019Costs); err == nil {
		t.Error("t-DCF without bona fide scores accepted")
	}
}

// lcgScores reproduces gen_tdcf_ref.py's lcg_scores exactly.
func lcgScores(seed uint64, n int, mu, sigma, grid float64) []float64 {
	x := seed
	out := make([]float64, n)
	for i := range out {
		s := 0.0
		for range 4 {
			x = x*6364136223846793005 + 1442695040888963407
			s += float64(x>>11) / float64(uint64(1)<<53)
		}
		v := mu + sigma*(s-2.0)
		if grid > 0 {
			v = math.Floor(v*grid+0.5) / grid
		}
		out[i] = v
	}
	return out
}

// TestTDCFReference compares both forms, and the ASV operating point at the
// ASV EER threshold, with the independent NumPy transcription in
// testdata/gen_tdcf_ref.py on synthetic cases (with and without ties), the
// ASVspoof 5 fixed point, and the real ASVspoof 2019 LA dev and eval ASV
// scores (102,579 trials) when ../shared is present.
func TestTDCFReference(t *testing.T) {
	data, err := os.ReadFile("testdata/tdcf_ref.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Cases []struct {
			Name string
			ASV  struct {
				File string
				LCG  *struct {
					Seed        uint64
					N           [3]int
					Mu          [3]float64
					Sigma, Grid float64
				}
				Fixed string
			}
			CM struct {
				Seed        uint64
				NBonafide   int     `json:"n_bonafide"`
				NSpoof      int     `json:"n_spoof"`
				MuBonafide  float64 `json:"mu_bonafide"`
				MuSpoof     float64 `json:"mu_spoof"`
				Sigma, Grid float64
			}
			OP          ASVOperatingPoint
			TDCFLegacy  float64 `json:"tdcf_legacy"`
			TDCFRevised float64 `json:"tdcf_revised"`
		}
	}
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Cases) < 5 {
		t.Fatalf("%d reference cases", len(ref.Cases))
	}
	for _, c := range ref.Cases {
		t.Run(c.Name, func(t *testing.T) {
			var op ASVOperatingPoint
			switch {
			case c.ASV.File != "":
				path := testshared.Path(t, "asvspoof2019/"+c.ASV.File)
				s, err := ReadASVScores(path)
				if err != nil {
					t.Fatal(err)
				}
				op = s.OperatingPoint(path)
			case c.ASV.LCG != nil:
				g := c.ASV.LCG
				var s ASVScores
				for k, dst := range []*[]float64{&s.Target, &s.Nontarget, &s.Spoof} {
					*dst = lcgScores(g.Seed+uint64(k), g.N[k], g.Mu[k], g.Sigma, g.Grid)
				}
				op = s.OperatingPoint("lcg")
			default:
				op = ASVspoof5Reference
			}
			if c.OP.Threshold != nil && (op.Threshold == nil || *op.Threshold != *c.OP.Threshold) {
				t.Errorf("ASV threshold %v, want %v", op.Threshold, *c.OP.Threshold)
			}
			for _, p := range [][3]any{{"pfa", op.PfaASV, c.OP.PfaASV}, {"pmiss", op.PmissASV, c.OP.PmissASV}, {"pmiss_spoof", op.PmissSpoofASV, c.OP.PmissSpoofASV}} {
				if math.Abs(p[1].(float64)-p[2].(float64)) > 1e-15 {
					t.Errorf("ASV %s %.17g, want %.17g", p[0], p[1], p[2])
				}
			}
			bona := lcgScores(c.CM.Seed, c.CM.NBonafide, c.CM.MuBonafide, c.CM.Sigma, c.CM.Grid)
			spoof := lcgScores(c.CM.Seed+1, c.CM.NSpoof, c.CM.MuSpoof, c.CM.Sigma, c.CM.Grid)
			l, err := TDCFLegacy(bona, spoof, op, ASVspoof2019Costs)
			if err != nil {
				t.Fatal(err)
			}
			r, err := TDCFRevised(bona, spoof, op, ASVspoof2019Costs)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(l-c.TDCFLegacy) > 1e-12 || math.Abs(r-c.TDCFRevised) > 1e-12 {
				t.Errorf("legacy %.17g revised %.17g, want %.17g %.17g", l, r, c.TDCFLegacy, c.TDCFRevised)
			}
		})
	}
}

func TestParseASVScores(t *testing.T) {
	s, err := ParseASVScores(strings.NewReader("bonafide target 1.5\n\nA07 spoof -2\nbonafide nontarget -3.25\n"), "a")
	if err != nil || len(s.Target) != 1 || len(s.Spoof) != 1 || s.Nontarget[0] != -3.25 {
		t.Fatalf("%+v, %v", s, err)
	}
	for _, tc := range []struct{ in, want string }{
		{"bonafide target\n", "a:1: 2 columns, want 3"},
		{"bonafide target 1\nbonafide impostor 2\n", `a:2: trial type "impostor"`},
		{"bonafide target x\n", `a:1: score "x" is not a number`},
		{"bonafide target 1\nA07 spoof 1\n", "a: no nontarget trial"},
	} {
		if _, err := ParseASVScores(strings.NewReader(tc.in), "a"); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want prefix %q", tc.in, err, tc.want)
		}
	}
}

// TestAddTDCF checks that a Result carries both forms and the operating
// point, and that they come from the protocol's classes.
func TestAddTDCF(t *testing.T) {
	trials := []corpus.Trial{{File: "a", Label: corpus.Genuine}, {File: "b", Label: corpus.Genuine}, {File: "c", Label: corpus.Spoof}, {File: "d", Label: corpus.Spoof}}
	scores := map[string]float64{"a": 1, "b": 3, "c": 0, "d": 2}
	r, err := Evaluate(trials, scores, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.AddTDCF(trials, scores, ASVOperatingPoint{Source: "x"}); err != nil {
		t.Fatal(err)
	}
	if *r.TDCFLegacy != 0.5 || *r.TDCFRevised != 0.5 || r.TDCFASV.Source != "x" {
		t.Fatalf("%v %v %+v", *r.TDCFLegacy, *r.TDCFRevised, r.TDCFASV)
	}
	js, _ := json.Marshal(r)
	if !strings.Contains(string(js), `"tdcf_legacy":0.5`) || !strings.Contains(string(js), `"tdcf_revised":0.5`) {
		t.Errorf("JSON %s", js)
	}
}

func FuzzParseASVScores(f *testing.F) {
	f.Add("bonafide target 1.5\nA07 spoof -2\nbonafide nontarget -3\n")
	f.Fuzz(func(t *testing.T, in string) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		s, err := ParseASVScores(strings.NewReader(in), "fuzz")
		runtime.ReadMemStats(&after)
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > uint64(64*len(in))+1<<20 {
			t.Fatalf("%d bytes allocated for %d bytes of input", alloc, len(in))
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz:") {
				t.Fatalf("error without file name: %v", err)
			}
			return
		}
		op := s.OperatingPoint("fuzz")
		for _, p := range []float64{op.PfaASV, op.PmissASV, op.PmissSpoofASV} {
			if !(p >= 0 && p <= 1) {
				t.Fatalf("rate %v", p)
			}
		}
	})
}
