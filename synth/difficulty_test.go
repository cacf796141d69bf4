package synth

import (
	"fmt"
	"math"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/features"
	"gonum.org/v1/gonum/mat"
)

// The corpus's difficulty contract (DESIGN §6): a simple detector, logistic
// regression on each utterance's per-dimension mean and standard deviation
// of the 64-dim fbank (128 inputs, standardised on train), trained on train
// and scored on eval, must land between 3 % and 40 % EER.

// utteranceStats returns the per-dimension mean and standard deviation of
// the fbank frames of x.
func utteranceStats(ex features.Extractor, m *features.Matrix, x []float32) ([]float64, error) {
	if err := ex.Extract(m, x); err != nil {
		return nil, err
	}
	d := m.Cols
	v := make([]float64, 2*d)
	for t := range m.Rows {
		for j, f := range m.Row(t) {
			v[j] += float64(f)
			v[d+j] += float64(f) * float64(f)
		}
	}
	n := float64(m.Rows)
	for j := range d {
		mu := v[j] / n
		v[j] = mu
		v[d+j] = math.Sqrt(math.Max(v[d+j]/n-mu*mu, 0))
	}
	return v, nil
}

// statsOf renders trials in parallel and returns their utterance statistics.
func statsOf(t testing.TB, seed uint64, trials []corpus.Trial) [][]float64 {
	out := make([][]float64, len(trials))
	workers := 2
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g := NewRenderer(seed, nil)
			ex, err := features.New(features.DefaultConfig(features.Fbank))
			if err != nil {
				errs[w] = err
				return
			}
			var m features.Matrix
			for i := w; i < len(trials); i += workers {
				x, err := g.Render(trials[i])
				if err == nil {
					out[i], err = utteranceStats(ex, &m, x)
				}
				if err != nil {
					errs[w] = fmt.Errorf("%s: %w", trials[i].File, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// logistic fits p(genuine|x) = σ(w·x + b) by Newton's method (IRLS) with an
// L2 penalty λ/2·|w|² on the mean log-loss, on standardised inputs.
type logistic struct {
	mu, sd []float64
	w      []float64 // last element: bias
}

func fitLogistic(xs [][]float64, ys []float64, lambda float64) *logistic {
	d := len(xs[0])
	n := len(xs)
	l := &logistic{mu: make([]float64, d), sd: make([]float64, d)}
	for _, x := range xs {
		for j, v := range x {
			l.mu[j] += v / float64(n)
		}
	}
	for _, x := range xs {
		for j, v := range x {
			l.sd[j] += (v - l.mu[j]) * (v - l.mu[j]) / float64(n)
		}
	}
	for j := range l.sd {
		l.sd[j] = math.Sqrt(l.sd[j]) + 1e-9
	}
	z := make([][]float64, n)
	for i, x := range xs {
		z[i] = l.standardise(x)
	}
	w := make([]float64, d+1)
	for iter := 0; iter < 50; iter++ {
		g := mat.NewVecDense(d+1, nil)
		h := mat.NewSymDense(d+1, nil)
		for i := range z {
			p := sigmoid(dot(w, z[i]))
			r := p * (1 - p)
			for a := 0; a <= d; a++ {
				za := 1.0
				if a < d {
					za = z[i][a]
				}
				g.SetVec(a, g.AtVec(a)+(p-ys[i])*za/float64(n))
				for b := a; b <= d; b++ {
					zb := 1.0
					if b < d {
						zb = z[i][b]
					}
					h.SetSym(a, b, h.At(a, b)+r*za*zb/float64(n))
				}
			}
		}
		for a := 0; a < d; a++ { // no penalty on the bias
			g.SetVec(a, g.AtVec(a)+lambda*w[a])
			h.SetSym(a, a, h.At(a, a)+lambda)
		}
		var step mat.VecDense
		var ch mat.Cholesky
		if !ch.Factorize(h) {
			break
		}
		if err := ch.SolveVecTo(&step, g); err != nil {
			break
		}
		var maxStep float64
		for a := range w {
			w[a] -= step.AtVec(a)
			maxStep = math.Max(maxStep, math.Abs(step.AtVec(a)))
		}
		if maxStep < 1e-8 {
			break
		}
	}
	l.w = w
	return l
}

func (l *logistic) standardise(x []float64) []float64 {
	z := make([]float64, len(x))
	for j, v := range x {
		z[j] = (v - l.mu[j]) / l.sd[j]
	}
	return z
}

func (l *logistic) score(x []float64) float64 { return dot(l.w, l.standardise(x)) }

func dot(w, z []float64) float64 {
	s := w[len(w)-1]
	for j, v := range z {
		s += w[j] * v
	}
	return s
}

func sigmoid(a float64) float64 { return 1 / (1 + math.Exp(-a)) }

// sweepEER is the equal error rate by a sorted-threshold sweep: with the
// threshold just above the k lowest scores, FRR = genuine among them / N_g
// and FAR = spoof above / N_s; the EER is (FAR+FRR)/2 where |FAR−FRR| is
// smallest.
func sweepEER(genuine, spoof []float64) float64 {
	type sc struct {
		s float64
		g bool
	}
	var all []sc
	for _, s := range genuine {
		all = append(all, sc{s, true})
	}
	for _, s := range spoof {
		all = append(all, sc{s, false})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].s < all[j].s })
	ng, ns := float64(len(genuine)), float64(len(spoof))
	best, eer := math.Inf(1), 0.0
	var gBelow, sBelow float64
	for k := 0; k <= len(all); k++ {
		if k > 0 {
			if all[k-1].g {
				gBelow++
			} else {
				sBelow++
			}
			if k < len(all) && all[k].s == all[k-1].s {
				continue // thresholds only between distinct scores
			}
		}
		frr, far := gBelow/ng, (ns-sBelow)/ns
		if d := math.Abs(frr - far); d < best {
			best, eer = d, (frr+far)/2
		}
	}
	return eer
}

func TestSweepEER(t *testing.T) {
	tests := []struct {
		g, s []float64
		want float64
	}{
		{[]float64{3, 4, 5}, []float64{0, 1, 2}, 0},
		{[]float64{0, 1, 2}, []float64{3, 4, 5}, 1},
		{[]float64{4, 5, 6, 7}, []float64{0, 1, 2, 5.5}, 0.25},
	}
	for _, tc := range tests {
		if got := sweepEER(tc.g, tc.s); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("sweepEER(%v, %v) = %g, want %g", tc.g, tc.s, got, tc.want)
		}
	}
}

// difficulty trains on the train rows and scores the eval rows, returning
// the pooled EER and the EER of each environment, playback and recorder
// (its spoofs against all genuine trials, as ASVspoof reports them).
func difficulty(t testing.TB, seed uint64, train, eval []corpus.Trial) (float64, map[string]float64) {
	xs := statsOf(t, seed, train)
	ys := make([]float64, len(train))
	for i, tr := range train {
		if tr.Label == corpus.Genuine {
			ys[i] = 1
		}
	}
	model := fitLogistic(xs, ys, 0.05)
	ex := statsOf(t, seed, eval)
	var gen, spf []float64
	byCond := map[string][]float64{}
	for i, tr := range eval {
		s := model.score(ex[i])
		if tr.Label == corpus.Genuine {
			gen = append(gen, s)
			continue
		}
		spf = append(spf, s)
		for _, c := range []string{tr.Environment, tr.Playback, tr.Recorder} {
			byCond[c] = append(byCond[c], s)
		}
	}
	per := map[string]float64{}
	for c, s := range byCond {
		per[c] = sweepEER(gen, s)
	}
	return sweepEER(gen, spf), per
}

// evalSample keeps every eval genuine row of a scale-g plan and one spoof
// row per configuration of a scale-s plan.
func difficultyRows(seed uint64, trainScale, genScale, spoofScale float64) (train, eval []corpus.Trial) {
	p := GenerateProtocols(seed)
	train = Scale(p, trainScale, seed)[corpus.Train]
	for _, tr := range Scale(p, genScale, seed)[corpus.Eval] {
		if tr.Label == corpus.Genuine {
			eval = append(eval, tr)
		}
	}
	for _, tr := range Scale(p, spoofScale, seed)[corpus.Eval] {
		if tr.Label == corpus.Spoof {
			eval = append(eval, tr)
		}
	}
	return train, eval
}

func TestDifficulty(t *testing.T) {
	const seed = 1
	trainScale, genScale, spoofScale := 0.012, 0.025, 0.001
	if os.Getenv("DEEP4DEEP_LONG") != "" {
		trainScale, genScale, spoofScale = 0.2, 0.3, 0.05
	}
	train, eval := difficultyRows(seed, trainScale, genScale, spoofScale)
	eer, per := difficulty(t, seed, train, eval)
	g, s := counts(train)
	eg, es := counts(eval)
	t.Logf("train %d genuine / %d spoof, eval %d genuine / %d spoof: EER %.1f %%", g, s, eg, es, 100*eer)
	var keys []string
	for k := range per {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "\n  %s %-36s EER %5.1f %%", k, DescribeCondition(k), 100*per[k])
	}
	t.Logf("per condition:%s", b.String())
	if eer < 0.03 || eer > 0.40 {
		t.Errorf("EER %.1f %% outside the contract's 3–40 %%: the corpus is too easy or too hard", 100*eer)
	}
}
