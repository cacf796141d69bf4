package eval

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
)

const tol = 1e-12

// unbalanced builds the four-group score set worked by hand below: Nn−b
// spoof trials at 0, a genuine at 1, b spoof at 2 and Nt−a genuine at 3.
func unbalanced(nt, nn, a, b int) (gen, spoof []float64) {
	for i := 0; i < nt; i++ {
		if i < a {
			gen = append(gen, 1)
		} else {
			gen = append(gen, 3)
		}
	}
	for i := 0; i < nn; i++ {
		if i < b {
			spoof = append(spoof, 2)
		} else {
			spoof = append(spoof, 0)
		}
	}
	return gen, spoof
}

// TestEERHandWorked checks both EERs on cases worked out by hand (the
// working is in each comment).
func TestEERHandWorked(t *testing.T) {
	ug, us := unbalanced(1298, 12008, 100, 500)
	tests := []struct {
		name         string
		gen, spoof   []float64
		eer, eerStep float64
	}{
		{
			// Labels in score order 0 0 1 1: PAV blocks [00][11], hull
			// (1,0) (0,0) (0,1): only horizontal/vertical segments → 0.
			// Step: FRR 0 0 0 .5 1, FAR 1 .5 0 0 0 → index 2, (0+0)/2.
			name: "perfect separation", gen: []float64{2, 3}, spoof: []float64{0, 1},
			eer: 0, eerStep: 0,
		},
		{
			// Labels 1 1 0 0 pool into one block: hull (1,0)-(0,1), the
			// chance line, which meets the diagonal at 0.5. Step: FRR
			// 0 .5 1 1 1, FAR 1 1 1 .5 0 → index 2, (1+1)/2 = 1.
			name: "inverted scores", gen: []float64{0, 1}, spoof: []float64{2, 3},
			eer: 0.5, eerStep: 1,
		},
		{
			// All five scores tie: genuine first, 1 1 0 0 0, one block →
			// 0.5. Step: FRR 0 .5 1 1 1 1, FAR 1 1 1 2/3 1/3 0 → index 2 → 1.
			name: "total overlap", gen: []float64{0, 0}, spoof: []float64{0, 0, 0},
			eer: 0.5, eerStep: 1,
		},
		{
			// Order 0(s) 1(g) 2(g) 2(g) 2(s) 2(s) 2(s) 3(g): labels
			// 0 1 1 1 0 0 0 1; PAV blocks [0] [1110 00] [1]; hull (1,0)
			// (.75,0) (0,.75) (0,1); the middle segment x+y=.75 meets the
			// diagonal at .375. Step: FRR 0 0 .25 .5 .75 .75 .75 .75 1,
			// FAR 1 .75 .75 .75 .75 .5 .25 0 0 → index 4 → .75.
			name: "heavy ties between classes", gen: []float64{1, 2, 2, 3}, spoof: []float64{0, 2, 2, 2},
			eer: 0.375, eerStep: 0.75,
		},
		{
			// Labels 0 1 0: blocks [0] [10]; hull (1,0) (.5,0) (0,1); the
			// segment 2x+y=1 meets the diagonal at 1/3. Step: FRR 0 0 1 1,
			// FAR 1 .5 .5 0 → first minimum index 1 → (0+.5)/2.
			name: "single genuine trial", gen: []float64{0.5}, spoof: []float64{0, 1},
			eer: 1.0 / 3, eerStep: 0.25,
		},
		{
			// Mirror: labels 1 0 1 → blocks [10] [1]; hull (1,0) (0,.5)
			// (0,1); x+2y=1 → 1/3. Step: FRR 0 .5 .5 1, FAR 1 1 0 0 →
			// index 1: (.5+1)/2 = .75 (|.5−1| = |.5−0|, first wins).
			name: "single spoof trial", gen: []float64{0, 1}, spoof: []float64{0.5},
			eer: 1.0 / 3, eerStep: 0.75,
		},
		{
			name: "one trial each, separated", gen: []float64{1}, spoof: []float64{0},
			eer: 0, eerStep: 0,
		},
		{
			// Labels 1 0 (tie, genuine first): one block → 0.5; step FRR
			// 0 1 1, FAR 1 1 0 → index 1 → 1.
			name: "one trial each, tied", gen: []float64{7}, spoof: []float64{7},
			eer: 0.5, eerStep: 1,
		},
		{
			// Nt=1298, Nn=12008 as the real eval set; a=100 genuine below
			// b=500 spoof. Labels: 0×11508, 1×100, 0×500, 1×1198. Hull
			// (1,0) (500/12008, 0) (0, 100/1298) (0,1): x/(b/Nn) + y/(a/Nt)
			// = 1 meets the diagonal at ab/(a·Nn + b·Nt) = 50000/1849800.
			// Step: within the run of 100 genuine FAR = 500/12008 and FRR =
			// j/1298; |FRR−FAR| is least at j = 54.
			name: "unbalanced 1298 vs 12008", gen: ug, spoof: us,
			eer: 50000.0 / 1849800, eerStep: (54.0/1298 + 500.0/12008) / 2,
		},
		{
			name: "infinite scores", gen: []float64{math.Inf(1), 1}, spoof: []float64{math.Inf(-1), 2},
			// labels 0 1 0 1 → blocks [0] [10] [1]: hull (1,0) (.5,0)
			// (0,.5) (0,1): x+y=.5 → .25. Step: FRR 0 0 .5 .5 1, FAR 1 .5
			// .5 0 0 → index 2: (.5+.5)/2.
			eer: 0.25, eerStep: 0.5,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g0, s0 := slices.Clone(tc.gen), slices.Clone(tc.spoof)
			if got := EER(tc.gen, tc.spoof); math.Abs(got-tc.eer) > tol {
				t.Errorf("EER = %.17g, want %.17g", got, tc.eer)
			}
			if got := EERStep(tc.gen, tc.spoof); math.Abs(got-tc.eerStep) > tol {
				t.Errorf("EERStep = %.17g, want %.17g", got, tc.eerStep)
			}
			if !slices.Equal(g0, tc.gen) || !slices.Equal(s0, tc.spoof) {
				t.Error("inputs were modified")
			}
			// Relabelling scores by a monotone map changes nothing.
			g2, s2 := affine(tc.gen, -3, 0.5), affine(tc.spoof, -3, 0.5)
			if got := EER(g2, s2); math.Abs(got-tc.eer) > tol {
				t.Errorf("EER after monotone map = %.17g, want %.17g", got, tc.eer)
			}
		})
	}
}

func affine(x []float64, b, a float64) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = b + a*v
	}
	return y
}

func TestEERUndefined(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name       string
		gen, spoof []float64
	}{
		{"no genuine", nil, []float64{1}},
		{"no spoof", []float64{1}, []float64{}},
		{"NaN genuine", []float64{1, nan}, []float64{0}},
		{"NaN spoof", []float64{1}, []float64{nan, 0}},
	} {
		if got := EER(tc.gen, tc.spoof); !math.IsNaN(got) {
			t.Errorf("%s: EER = %v, want NaN", tc.name, got)
		}
		if got := EERStep(tc.gen, tc.spoof); !math.IsNaN(got) {
			t.Errorf("%s: EERStep = %v, want NaN", tc.name, got)
		}
		if pfa, pmiss := ROCCH(tc.gen, tc.spoof); pfa != nil || pmiss != nil {
			t.Errorf("%s: ROCCH = %v %v, want nil", tc.name, pfa, pmiss)
		}
	}
}

// TestEERReference compares both EERs with the reference code: the ASVspoof
// 2019 eval package's compute_eer verbatim and BOSARIS rocch/pavx/rocch2eer
// transcribed to NumPy (testdata/gen_eer_ref.py).
func TestEERReference(t *testing.T) {
	data, err := os.ReadFile("testdata/eer_ref.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Cases []struct {
			Genuine, Spoof []float64
			EER            float64 `json:"eer"`
			EERStep        float64 `json:"eer_step"`
		}
	}
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Cases) < 10 {
		t.Fatalf("only %d reference cases", len(ref.Cases))
	}
	for i, c := range ref.Cases {
		if got := EER(c.Genuine, c.Spoof); math.Abs(got-c.EER) > tol {
			t.Errorf("case %d (%d/%d): EER = %.17g, BOSARIS %.17g", i, len(c.Genuine), len(c.Spoof), got, c.EER)
		}
		// The step EER repeats NumPy's operations, so it must be bit-exact.
		if got := EERStep(c.Genuine, c.Spoof); got != c.EERStep {
			t.Errorf("case %d (%d/%d): EERStep = %.17g, ASVspoof 2019 %.17g", i, len(c.Genuine), len(c.Spoof), got, c.EERStep)
		}
	}
}

// bruteROCCHEER computes the ROCCH-EER independently of PAV: the operating
// points of every threshold between distinct scores (ties accepted or
// rejected together), then the lowest point of their convex hull on the
// diagonal Pfa = Pmiss, which lies on a segment between two operating points:
// the minimum over all O(P²) pairs whose segment crosses the diagonal.
func bruteROCCHEER(gen, spoof []float64) float64 {
	thr := append(slices.Clone(gen), spoof...)
	slices.Sort(thr)
	thr = slices.Compact(thr)
	type pt struct{ x, y float64 } // x = Pfa, y = Pmiss
	pts := []pt{{1, 0}}
	for _, th := range thr { // reject every score <= th
		miss, fa := 0, 0
		for _, v := range gen {
			if v <= th {
				miss++
			}
		}
		for _, v := range spoof {
			if v > th {
				fa++
			}
		}
		pts = append(pts, pt{float64(fa) / float64(len(spoof)), float64(miss) / float64(len(gen))})
	}
	best := math.Inf(1)
	for i, p := range pts {
		d1 := p.x - p.y
		if d1 == 0 {
			best = min(best, p.x)
		}
		for _, q := range pts[i+1:] {
			d2 := q.x - q.y
			if d1*d2 >= 0 || d1 == d2 {
				continue
			}
			s := d1 / (d1 - d2)
			best = min(best, p.x+s*(q.x-p.x))
		}
	}
	return best
}

// TestEERBruteForce compares EER with bruteROCCHEER on random score sets
// with and without ties, balanced and not, and checks the hull from ROCCH.
func TestEERBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 2017))
	for trial := 0; trial < 300; trial++ {
		nt, nn := 1+rng.IntN(60), 1+rng.IntN(200)
		sep := rng.NormFloat64() * 2
		q := []float64{0, 0.1, 0.5, 2}[rng.IntN(4)]
		gen := make([]float64, nt)
		spoof := make([]float64, nn)
		for i := range gen {
			gen[i] = quant(sep+rng.NormFloat64(), q)
		}
		for i := range spoof {
			spoof[i] = quant(rng.NormFloat64(), q)
		}
		want := bruteROCCHEER(gen, spoof)
		got := EER(gen, spoof)
		if math.Abs(got-want) > tol {
			t.Fatalf("trial %d (%d/%d, q=%g): EER = %.17g, brute force %.17g", trial, nt, nn, q, got, want)
		}
		pfa, pmiss := ROCCH(gen, spoof)
		if pfa[0] != 1 || pmiss[0] != 0 || pfa[len(pfa)-1] != 0 || pmiss[len(pmiss)-1] != 1 {
			t.Fatalf("trial %d: hull runs from (%g,%g) to (%g,%g)", trial, pfa[0], pmiss[0], pfa[len(pfa)-1], pmiss[len(pmiss)-1])
		}
		for i := 1; i < len(pfa); i++ {
			if pfa[i] > pfa[i-1] || pmiss[i] < pmiss[i-1] {
				t.Fatalf("trial %d: hull not monotone at vertex %d", trial, i)
			}
			if i >= 2 { // strictly convex: each vertex strictly below the chord of its neighbours (clockwise turn)
				x0, y0, x1, y1, x2, y2 := pfa[i-2], pmiss[i-2], pfa[i-1], pmiss[i-1], pfa[i], pmiss[i]
				if cross := (x1-x0)*(y2-y0) - (y1-y0)*(x2-x0); cross >= 0 {
					t.Fatalf("trial %d: hull not convex at vertex %d (cross %g)", trial, i-1, cross)
				}
			}
		}
	}
}

func quant(x, q float64) float64 {
	if q == 0 {
		return x
	}
	return math.Round(x/q) * q
}

func randomScores(n int, seed uint64) (gen, spoof []float64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	nt := n / 10
	gen = make([]float64, nt)
	spoof = make([]float64, n-nt)
	for i := range gen {
		gen[i] = 2 + rng.NormFloat64()
	}
	for i := range spoof {
		spoof[i] = rng.NormFloat64()
	}
	return gen, spoof
}

// BenchmarkEER measures both EERs on 13,306 trials (the real eval set's
// size) and on 1 M trials, reporting trials/s.
func BenchmarkEER(b *testing.B) {
	for _, n := range []int{13306, 1_000_000} {
		gen, spoof := randomScores(n, 1)
		for _, f := range []struct {
			name string
			fn   func(g, s []float64) float64
		}{{"rocch", EER}, {"step", EERStep}} {
			b.Run(f.name+"/"+itoa(n), func(b *testing.B) {
				for b.Loop() {
					f.fn(gen, spoof)
				}
				b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "trials/s")
			})
		}
	}
}

func itoa(n int) string {
	s := ""
	for n >= 10 {
		s = string(rune('0'+n%10)) + s
		n /= 10
	}
	return string(rune('0'+n)) + s
}
