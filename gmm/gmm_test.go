package gmm

import (
	"context"
	"github.com/deep4deep/deep4deep/internal/simd"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// mixture draws n frames from a known diagonal mixture.
func mixture(rng *rand.Rand, n int, g *GMM) []float32 {
	x := make([]float32, n*g.Dim)
	for t := 0; t < n; t++ {
		u := rng.Float64()
		k := 0
		for ; k < g.K-1; k++ {
			u -= g.Weights[k]
			if u < 0 {
				break
			}
		}
		for i := 0; i < g.Dim; i++ {
			x[t*g.Dim+i] = float32(g.Means[k*g.Dim+i] + math.Sqrt(g.Vars[k*g.Dim+i])*rng.NormFloat64())
		}
	}
	return x
}

// naiveLogLik is log Σₖ wₖ N(x|μₖ,σ²ₖ) straight from the definition.
func naiveLogLik(g *GMM, x []float32) float64 {
	terms := make([]float64, g.K)
	mx := math.Inf(-1)
	for k := 0; k < g.K; k++ {
		s := math.Log(g.Weights[k])
		for i := 0; i < g.Dim; i++ {
			v := g.Vars[k*g.Dim+i]
			d := float64(x[i]) - g.Means[k*g.Dim+i]
			s -= 0.5 * (math.Log(2*math.Pi*v) + d*d/v)
		}
		terms[k] = s
		mx = max(mx, s)
	}
	sum := 0.0
	for _, v := range terms {
		sum += math.Exp(v - mx)
	}
	return mx + math.Log(sum)
}

func randomModel(rng *rand.Rand, k, dim int) *GMM {
	g := &GMM{K: k, Dim: dim, Weights: make([]float64, k), Means: make([]float64, k*dim), Vars: make([]float64, k*dim)}
	s := 0.0
	for i := range g.Weights {
		g.Weights[i] = 0.1 + rng.Float64()
		s += g.Weights[i]
	}
	for i := range g.Weights {
		g.Weights[i] /= s
	}
	for i := range g.Means {
		g.Means[i] = 3 * rng.NormFloat64()
		g.Vars[i] = 0.2 + 2*rng.Float64()
	}
	return g
}

// forEachKernelSet runs f on the Go reference and on every assembly set of
// this architecture, as subtests named after the sets; a set this CPU lacks
// is skipped with a message naming it and the CPU features it needs.
func forEachKernelSet(t *testing.T, f func(t *testing.T, ks *kernelSet)) {
	simd.ForEach(t, &goKernels, archKernels(), func(ks *kernelSet) string { return ks.name }, f)
}

func TestDefaultKernels(t *testing.T) {
	want := &goKernels
	for _, a := range archKernels() {
		if a.Supported {
			want = a.Kernels
		}
	}
	if defaultKernels != want {
		t.Errorf("default kernel set %s, want %s (the last supported)", defaultKernels.name, want.name)
	}
	t.Logf("kernel set in use: %s", defaultKernels.name)
}

// TestKernelsMatchGo runs the micro-kernels and the exponential of every
// kernel set against the Go reference. The bound allows the last-bit
// differences of fused multiply-adds.
func TestKernelsMatchGo(t *testing.T) {
	forEachKernelSet(t, func(t *testing.T, ks *kernelSet) {
		rng := rand.New(rand.NewPCG(1, 2))
		randn := func(n int) []float64 {
			v := make([]float64, n)
			for i := range v {
				v[i] = rng.NormFloat64()
			}
			return v
		}
		check := func(what string, p int, got, want []float64) {
			t.Helper()
			for i := range got {
				if math.Abs(got[i]-want[i]) > 1e-12*(1+math.Abs(want[i])) {
					t.Fatalf("%s p=%d: c[%d] = %v, Go %v", what, p, i, got[i], want[i])
				}
			}
		}
		for _, p := range []int{0, 1, 2, 3, 7, 64, 121} {
			const ldc = 19
			a, a1, b, b1 := randn(p*mr), randn(p*mr), randn(p*nr), randn(p*nr)
			c1 := randn((mr-1)*ldc + nr)
			c2 := append([]float64(nil), c1...)
			ks.kernel(p, a, b, c1, ldc)
			kernelGo(p, a, b, c2, ldc)
			check("kernel", p, c1, c2)
			c1 = randn((2*mr-1)*ldc + 2*nr)
			c2 = append([]float64(nil), c1...)
			ks.kernel2x2(p, a, a1, b, b1, c1, ldc)
			kernel2x2Go(p, a, a1, b, b1, c2, ldc)
			check("kernel2x2", p, c1, c2)
		}
		for _, n := range []int{1, 3, 4, 5, 64, 513} {
			x := randn(n)
			for i := range x {
				x[i] *= 30
			}
			x[0] = -800 // underflows to 0
			mx := rowMax(x)
			y := append([]float64(nil), x...)
			s1, s2 := ks.expSub(x, mx), expSubGo(y, mx)
			check("expSub", n, x, y)
			if math.Abs(s1-s2) > 1e-12*s2 {
				t.Fatalf("expSub n=%d: sum %v, Go %v", n, s1, s2)
			}
		}
	})
}

func TestExpNeg(t *testing.T) {
	for x := -710.0; x <= 0; x += 0.0137 {
		got, want := expNeg(x), math.Exp(x)
		if x < -700 {
			if got != 0 {
				t.Fatalf("expNeg(%v) = %v, want 0", x, got)
			}
			continue
		}
		if math.Abs(got-want) > 2e-14*want {
			t.Fatalf("expNeg(%v) = %v, math.Exp %v", x, got, want)
		}
	}
	if expNeg(math.NaN()) != 0 || expNeg(math.Inf(-1)) != 0 || expNeg(0) != 1 {
		t.Fatal("expNeg special values")
	}
}

// The matrix form of the E-step equals the per-component definition.
func TestEStepMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct{ k, dim, n int }{{1, 1, 1}, {3, 2, 5}, {13, 7, 70}, {64, 60, 130}, {9, 90, 3}} {
		g := randomModel(rng, tc.k, tc.dim)
		x := mixture(rng, tc.n, g)
		s, err := g.NewScorer()
		if err != nil {
			t.Fatal(err)
		}
		out := make([]float64, tc.n)
		if err := s.LogLikelihoods(x, out); err != nil {
			t.Fatal(err)
		}
		mean := 0.0
		for i := 0; i < tc.n; i++ {
			want := naiveLogLik(g, x[i*tc.dim:(i+1)*tc.dim])
			if math.Abs(out[i]-want) > 1e-9*(1+math.Abs(want)) {
				t.Fatalf("%+v frame %d: matrix form %v, naive %v", tc, i, out[i], want)
			}
			mean += want
		}
		mean /= float64(tc.n)
		if got := g.MeanLogLikelihood(x); math.Abs(got-mean) > 1e-9*(1+math.Abs(mean)) {
			t.Fatalf("%+v: MeanLogLikelihood %v, naive %v", tc, got, mean)
		}
	}
}

// The M-step statistics from the packed product equal direct sums.
func TestAccumulateMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	k, dim, n := 11, 5, 77
	g := randomModel(rng, k, dim)
	x := mixture(rng, n, g)
	tr := newTrainer(g, x, 1, make([]float64, dim))
	tr.p.load(g)
	w := tr.works[0]
	clear(w.acc)
	for lo := 0; lo < n; lo += blockFrames {
		hi := min(lo+blockFrames, n)
		w.block(tr.p, x[lo*dim:hi*dim], hi-lo, true)
	}
	want := make([]float64, k*(2*dim+1))
	for t0 := 0; t0 < n; t0++ {
		xt := x[t0*dim : (t0+1)*dim]
		lse := naiveLogLik(g, xt)
		for c := 0; c < k; c++ {
			s := math.Log(g.Weights[c])
			for i := 0; i < dim; i++ {
				v := g.Vars[c*dim+i]
				d := float64(xt[i]) - g.Means[c*dim+i]
				s -= 0.5 * (math.Log(2*math.Pi*v) + d*d/v)
			}
			gam := math.Exp(s - lse)
			row := want[c*(2*dim+1):]
			for i := 0; i < dim; i++ {
				row[i] += gam * float64(xt[i])
				row[dim+i] += gam * float64(xt[i]) * float64(xt[i])
			}
			row[2*dim] += gam
		}
	}
	for c := 0; c < k; c++ {
		for j := 0; j <= 2*dim; j++ {
			got, exp := w.acc[c*w.np+j], want[c*(2*dim+1)+j]
			if math.Abs(got-exp) > 1e-9*(1+math.Abs(exp)) {
				t.Fatalf("component %d stat %d: %v, want %v", c, j, got, exp)
			}
		}
	}
}

// EM recovers the parameters of a well-separated synthetic mixture.
func TestRecoverMixture(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	truth := &GMM{K: 3, Dim: 2,
		Weights: []float64{0.5, 0.3, 0.2},
		Means:   []float64{0, 0, 8, 1, -4, 9},
		Vars:    []float64{1, 0.5, 2, 1, 0.3, 3},
	}
	x := mixture(rng, 20000, truth)
	opt := DefaultOptions()
	opt.Components = 3
	g, err := Train(context.Background(), x, 2, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	for k := 0; k < 3; k++ {
		// Match by nearest mean.
		best, bd := 0, math.Inf(1)
		for c := 0; c < 3; c++ {
			d := math.Hypot(g.Means[2*c]-truth.Means[2*k], g.Means[2*c+1]-truth.Means[2*k+1])
			if d < bd {
				best, bd = c, d
			}
		}
		if bd > 0.1 {
			t.Errorf("component %d: mean %v, want %v", k, g.Means[2*best:2*best+2], truth.Means[2*k:2*k+2])
		}
		if math.Abs(g.Weights[best]-truth.Weights[k]) > 0.02 {
			t.Errorf("component %d: weight %v, want %v", k, g.Weights[best], truth.Weights[k])
		}
		for i := 0; i < 2; i++ {
			got, want := g.Vars[2*best+i], truth.Vars[2*k+i]
			if math.Abs(got/want-1) > 0.1 {
				t.Errorf("component %d dim %d: variance %v, want %v", k, i, got, want)
			}
		}
	}
	// The fit is at least as likely as the truth on its training data.
	if a, b := g.MeanLogLikelihood(x), truth.MeanLogLikelihood(x); a < b-1e-6 {
		t.Errorf("trained mean log-likelihood %v below the true model's %v", a, b)
	}
}

func TestLogLikelihoodNonDecreasing(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	truth := randomModel(rng, 12, 6)
	x := mixture(rng, 5000, truth)
	for _, threads := range []int{1, 3} {
		opt := Options{Components: 16, MaxIter: 25, VarFloor: 1e-3, Seed: 1, Threads: threads}
		var lls []float64
		if _, err := Train(context.Background(), x, 6, opt, func(it int, ll float64) {
			if it != len(lls)+1 {
				t.Fatalf("progress iteration %d after %d calls", it, len(lls))
			}
			lls = append(lls, ll)
		}); err != nil {
			t.Fatal(err)
		}
		if len(lls) != 25 {
			t.Fatalf("%d iterations with Tol=0, want 25", len(lls))
		}
		for i := 1; i < len(lls); i++ {
			if lls[i] < lls[i-1]-1e-10*math.Abs(lls[i-1]) {
				t.Fatalf("threads=%d: log-likelihood fell at iteration %d: %v → %v", threads, i+1, lls[i-1], lls[i])
			}
		}
		if !(lls[len(lls)-1] > lls[0]) {
			t.Fatalf("EM did not improve: %v", lls)
		}
	}
}

func TestDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	x := mixture(rng, 3000, randomModel(rng, 5, 4))
	opt := Options{Components: 8, MaxIter: 10, Tol: 0, VarFloor: 1e-3, Seed: 42, Threads: 2}
	a, err := Train(context.Background(), x, 4, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Train(context.Background(), x, 4, opt, nil)
	for i := range a.Means {
		if a.Means[i] != b.Means[i] || a.Vars[i] != b.Vars[i] {
			t.Fatal("same seed and threads gave different models")
		}
	}
	opt.Seed = 43
	c, _ := Train(context.Background(), x, 4, opt, nil)
	same := true
	for i := range a.Means {
		same = same && a.Means[i] == c.Means[i]
	}
	if same {
		t.Fatal("different seeds gave identical models")
	}
}

func TestDegenerateInputs(t *testing.T) {
	ctx := context.Background()
	opt := Options{Components: 4, MaxIter: 10, Tol: 1e-6, VarFloor: 1e-3, Seed: 1}
	for _, tc := range []struct {
		name string
		data []float32
		dim  int
		opt  Options
		want string
	}{
		{"fewer frames than components", make([]float32, 3*2), 2, opt, "3 frames cannot train 4 components"},
		{"ragged", make([]float32, 7), 2, opt, "whole number"},
		{"zero dim", make([]float32, 8), 0, opt, "invalid dimension"},
		{"nan", []float32{0, 1, 2, float32(math.NaN()), 4, 5, 6, 7, 8, 9}, 1, opt, "frame 3, dimension 0 is NaN"},
		{"no components", make([]float32, 8), 1, Options{MaxIter: 1}, "invalid number of components"},
	} {
		_, err := Train(ctx, tc.data, tc.dim, tc.opt, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}

	// A constant dimension gets the variance floor; all-identical frames
	// give finite parameters and likelihoods.
	rng := rand.New(rand.NewPCG(13, 14))
	x := make([]float32, 400*3)
	for t0 := 0; t0 < 400; t0++ {
		x[t0*3] = float32(rng.NormFloat64())
		x[t0*3+1] = 5 // constant
		x[t0*3+2] = float32(rng.NormFloat64())
	}
	g, err := Train(ctx, x, 3, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	for k := 0; k < g.K; k++ {
		if v := g.Vars[k*3+1]; v != 1e-10*25 {
			t.Errorf("component %d: constant dimension variance %v, want floor %v", k, v, 1e-10*25)
		}
	}
	if ll := g.MeanLogLikelihood(x); math.IsNaN(ll) || math.IsInf(ll, 0) {
		t.Errorf("mean log-likelihood %v", ll)
	}
	same := make([]float32, 50*2)
	for i := range same {
		same[i] = 1.5
	}
	g, err = Train(ctx, same, 2, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	if ll := g.MeanLogLikelihood(same); math.IsNaN(ll) || math.IsInf(ll, 0) {
		t.Errorf("identical frames: mean log-likelihood %v", ll)
	}
	if !math.IsNaN(g.MeanLogLikelihood(nil)) || !math.IsNaN(g.MeanLogLikelihood(make([]float32, 3))) {
		t.Error("MeanLogLikelihood of empty or ragged input is not NaN")
	}
}

func TestCancel(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	x := mixture(rng, 2000, randomModel(rng, 4, 3))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Train(ctx, x, 3, Options{Components: 4, MaxIter: 5, Seed: 1}, nil); err != context.Canceled {
		t.Fatalf("error %v, want context.Canceled", err)
	}
}

func TestValidate(t *testing.T) {
	good := func() *GMM {
		return &GMM{K: 2, Dim: 1, Weights: []float64{0.25, 0.75}, Means: []float64{0, 1}, Vars: []float64{1, 2}}
	}
	if err := good().Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		mod  func(g *GMM)
		want string
	}{
		{"shape", func(g *GMM) { g.K = 0 }, "invalid shape"},
		{"weights len", func(g *GMM) { g.Weights = g.Weights[:1] }, "1 weights"},
		{"means len", func(g *GMM) { g.Means = nil }, "0 means"},
		{"vars len", func(g *GMM) { g.Vars = append(g.Vars, 1) }, "3 variances"},
		{"sum", func(g *GMM) { g.Weights[0] = 0.5 }, "sum to"},
		{"negative weight", func(g *GMM) { g.Weights[0], g.Weights[1] = -0.25, 1.25 }, "weight 0"},
		{"zero var", func(g *GMM) { g.Vars[1] = 0 }, "component 1 dim 0"},
		{"nan mean", func(g *GMM) { g.Means[0] = math.NaN() }, "mean of component 0"},
	} {
		g := good()
		tc.mod(g)
		if err := g.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want error containing %q", tc.name, err, tc.want)
		}
	}
}

// gemmPacked (AVX-512 8×16 tiles, AVX2 4×8 edges, or portable Go) equals a
// naive product on shapes with and without edge panels, with every kernel
// set.
func TestGemmPackedMatchesNaive(t *testing.T) {
	forEachKernelSet(t, func(t *testing.T, ks *kernelSet) { gemmPackedMatchesNaive(t, ks) })
}

func gemmPackedMatchesNaive(t *testing.T, ks *kernelSet) {
	rng := rand.New(rand.NewPCG(17, 18))
	for _, sz := range []struct{ m, n, p int }{{8, 16, 5}, {12, 24, 33}, {4, 8, 1}, {20, 40, 64}, {16, 32, 0}} {
		m, n, p := sz.m, sz.n, sz.p
		A := make([]float64, m*p) // row-major m × p
		B := make([]float64, p*n) // row-major p × n
		for i := range A {
			A[i] = rng.NormFloat64()
		}
		for i := range B {
			B[i] = rng.NormFloat64()
		}
		a := make([]float64, m*p)
		for i := 0; i < m; i++ {
			for q := 0; q < p; q++ {
				a[(i/mr)*p*mr+q*mr+i%mr] = A[i*p+q]
			}
		}
		b := make([]float64, p*n)
		for j := 0; j < n; j++ {
			for q := 0; q < p; q++ {
				b[(j/nr)*p*nr+q*nr+j%nr] = B[q*n+j]
			}
		}
		ldc := n + 3
		c := make([]float64, m*ldc)
		want := make([]float64, m*ldc)
		for i := range c {
			c[i] = rng.NormFloat64()
			want[i] = c[i]
		}
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				for q := 0; q < p; q++ {
					want[i*ldc+j] += A[i*p+q] * B[q*n+j]
				}
			}
		}
		gemmPacked(ks, m, n, p, a, b, c, ldc)
		for i := range c {
			if math.Abs(c[i]-want[i]) > 1e-12*(1+math.Abs(want[i])) {
				t.Fatalf("%+v: c[%d] = %v, want %v (%s kernels)", sz, i, c[i], want[i], ks.name)
			}
		}
	}
}
