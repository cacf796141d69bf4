package gmm

import (
	"context"
	"math/rand/v2"
	"runtime"
	"testing"
)

// BenchmarkGMMEMStep times one EM iteration (E-step, statistics, M-step) on
// 100,000 standard-normal frames × 60 dimensions with 512 components, as
// gmm/testdata/sklearn_em.py does for scikit-learn:
//
//	go test ./gmm -run '^$' -bench EMStep -cpu 2
//	LD_PRELOAD=libjemalloc.so.2 OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 \
//	    /usr/bin/python3 gmm/testdata/sklearn_em.py
func BenchmarkGMMEMStep(b *testing.B) {
	const n, dim, k = 100000, 60, 512
	rng := rand.New(rand.NewPCG(1, 1))
	x := make([]float32, n*dim)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	// Start like scikit-learn's "random" init would, from means at random
	// frames and unit variances, to skip k-means in the timing.
	g := &GMM{K: k, Dim: dim, Weights: make([]float64, k), Means: make([]float64, k*dim), Vars: make([]float64, k*dim)}
	for c := 0; c < k; c++ {
		g.Weights[c] = 1.0 / k
		t := rng.IntN(n)
		for i := 0; i < dim; i++ {
			g.Means[c*dim+i] = float64(x[t*dim+i])
			g.Vars[c*dim+i] = 1
		}
	}
	floor := make([]float64, dim)
	for i := range floor {
		floor[i] = 1e-3
	}
	tr := newTrainer(g, x, testingThreads(), floor)
	ctx := context.Background()
	b.ResetTimer()
	c0 := cpuSeconds()
	for b.Loop() {
		if _, err := tr.step(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "frames/s")
	// Per CPU-second of the whole process: robust to other load on a shared
	// machine (sklearn_em.py prints the same measure).
	if c := cpuSeconds() - c0; c > 0 {
		b.ReportMetric(float64(n)*float64(b.N)/c, "frames/cpu-s")
	}
}

func testingThreads() int { return runtime.GOMAXPROCS(0) }
