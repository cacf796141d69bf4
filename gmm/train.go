package gmm

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"
)

// Options controls Train.
type Options struct {
	// Components is the number of mixture components K (512 in both
	// ASVspoof baselines).
	Components int
	// MaxIter bounds the number of EM iterations.
	MaxIter int
	// Tol stops EM once the mean frame log-likelihood changes by at most
	// Tol·max(1, |previous|) between iterations (a relative change). 0 runs
	// exactly MaxIter iterations.
	Tol float64
	// VarFloor is the variance floor as a fraction of the data's global
	// variance in each dimension (HTK's convention): σ²ₖd ≥ VarFloor·Var(x_d).
	// Two absolute guards apply beneath it: 1e-10·E[x_d²] (keeps the expanded
	// quadratic form of the E-step accurate in float64) and 1e-12 (for
	// all-zero dimensions).
	VarFloor float64
	// Seed drives the initialisation (subsampling and k-means++).
	Seed uint64
	// Threads is the number of goroutines for EM; 0 means GOMAXPROCS. The
	// result is deterministic for a given Seed and Threads.
	Threads int
}

// DefaultOptions returns 512 components (as in both ASVspoof baselines) and
// this package's choices for the rest: at most 100 EM iterations, stopping
// at a relative log-likelihood change of 1e-5, a variance floor of 1e-3 of
// the global variance, seed 1, all cores.
func DefaultOptions() Options {
	return Options{Components: 512, MaxIter: 100, Tol: 1e-5, VarFloor: 1e-3, Seed: 1}
}

// Train fits a diagonal GMM to data (n frames × dim, row-major) with EM,
// starting from k-means++ seeding refined by a few k-means iterations on a
// subsample (init.go). progress, if not nil, is called after every EM
// iteration with the iteration number (from 1) and the mean frame
// log-likelihood under the parameters before that iteration's M-step, which
// EM never lets decrease. Train stops early, with ctx's error, when ctx is
// cancelled.
func Train(ctx context.Context, data []float32, dim int, opt Options, progress func(iter int, avgLL float64)) (*GMM, error) {
	if dim <= 0 {
		return nil, fmt.Errorf("gmm: invalid dimension %d", dim)
	}
	if len(data)%dim != 0 {
		return nil, fmt.Errorf("gmm: %d values is not a whole number of %d-dimensional frames", len(data), dim)
	}
	if opt.Components <= 0 {
		return nil, fmt.Errorf("gmm: invalid number of components %d", opt.Components)
	}
	if opt.MaxIter < 0 || opt.Tol < 0 || !(opt.VarFloor >= 0) || math.IsInf(opt.VarFloor, 0) {
		return nil, fmt.Errorf("gmm: invalid options (MaxIter %d, Tol %v, VarFloor %v)", opt.MaxIter, opt.Tol, opt.VarFloor)
	}
	n := len(data) / dim
	if n < opt.Components {
		return nil, fmt.Errorf("gmm: %d frames cannot train %d components (need at least one frame per component)", n, opt.Components)
	}
	threads := opt.Threads
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	threads = min(threads, (n+blockFrames-1)/blockFrames)

	st, err := globalStats(data, dim)
	if err != nil {
		return nil, err
	}
	floor := make([]float64, dim)
	for i := range floor {
		floor[i] = max(opt.VarFloor*st.variance[i], 1e-10*st.meanSq[i], 1e-12)
	}
	g, err := initModel(ctx, data, dim, opt.Components, opt.Seed, threads, st, floor)
	if err != nil {
		return nil, err
	}
	tr := newTrainer(g, data, threads, floor)
	prev := math.Inf(-1)
	for it := 1; it <= opt.MaxIter; it++ {
		ll, err := tr.step(ctx)
		if err != nil {
			return nil, err
		}
		if progress != nil {
			progress(it, ll)
		}
		if it > 1 && opt.Tol > 0 && math.Abs(ll-prev) <= opt.Tol*max(1, math.Abs(prev)) {
			break
		}
		prev = ll
	}
	return g, nil
}

// stats are per-dimension moments of the training data.
type stats struct {
	mean, variance, meanSq []float64
}

func globalStats(data []float32, dim int) (stats, error) {
	n := len(data) / dim
	s := stats{make([]float64, dim), make([]float64, dim), make([]float64, dim)}
	for t := 0; t < n; t++ {
		for i, v := range data[t*dim : (t+1)*dim] {
			f := float64(v)
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return s, fmt.Errorf("gmm: frame %d, dimension %d is %v", t, i, f)
			}
			s.mean[i] += f
		}
	}
	for i := range s.mean {
		s.mean[i] /= float64(n)
	}
	for t := 0; t < n; t++ {
		for i, v := range data[t*dim : (t+1)*dim] {
			dv := float64(v) - s.mean[i]
			s.variance[i] += dv * dv
		}
	}
	for i := range s.variance {
		s.variance[i] /= float64(n)
		s.meanSq[i] = s.variance[i] + s.mean[i]*s.mean[i]
	}
	return s, nil
}

// trainer runs EM iterations on a fixed data set with per-thread scratch.
type trainer struct {
	g       *GMM
	data    []float32
	n       int
	threads int
	floor   []float64
	p       *prep
	works   []*work
	ll      []float64
}

func newTrainer(g *GMM, data []float32, threads int, floor []float64) *trainer {
	p := newPrep(g.K, g.Dim)
	tr := &trainer{g: g, data: data, n: len(data) / g.Dim, threads: threads, floor: floor, p: p,
		ll: make([]float64, threads)}
	for range threads {
		tr.works = append(tr.works, newWork(p, true))
	}
	return tr
}

// step runs one EM iteration: the E-step and the accumulation of sufficient
// statistics in parallel over contiguous frame ranges (one per thread), then
// the M-step. It returns the mean log-likelihood before the update.
func (tr *trainer) step(ctx context.Context) (float64, error) {
	tr.p.load(tr.g)
	d := tr.g.Dim
	var wg sync.WaitGroup
	var cancelled bool
	var mu sync.Mutex
	for th := 0; th < tr.threads; th++ {
		// Thread th owns frames [lo, hi), cut at block boundaries so the
		// split depends only on n and the thread count.
		blocks := (tr.n + blockFrames - 1) / blockFrames
		lo := min(tr.n, th*blocks/tr.threads*blockFrames)
		hi := min(tr.n, (th+1)*blocks/tr.threads*blockFrames)
		w := tr.works[th]
		clear(w.acc)
		wg.Add(1)
		go func() {
			defer wg.Done()
			total := 0.0
			for b, t := 0, lo; t < hi; b, t = b+1, t+blockFrames {
				if b%16 == 15 && ctx.Err() != nil {
					mu.Lock()
					cancelled = true
					mu.Unlock()
					return
				}
				e := min(t+blockFrames, hi)
				total += w.block(tr.p, tr.data[t*d:e*d], e-t, true)
			}
			tr.ll[th] = total
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil || cancelled {
		if err == nil {
			err = context.Canceled
		}
		return 0, err
	}
	total := 0.0
	for th := 1; th < tr.threads; th++ {
		a, b := tr.works[0].acc, tr.works[th].acc
		for i := range a {
			a[i] += b[i]
		}
	}
	for _, v := range tr.ll {
		total += v
	}
	tr.mstep(tr.works[0].acc, tr.works[0].np)
	return total / float64(tr.n), nil
}

// mstep sets wₖ = Nₖ/n, μₖ = Σγx/Nₖ, σ²ₖ = max(Σγx²/Nₖ − μₖ², floor) from
// the accumulated statistics acc[k·np + (x: 0…D−1 | x²: D…2D−1 | 1: 2D)].
// A component that collected (almost) no frames keeps its mean and variance
// and gets a tiny weight, so it neither divides by zero nor disappears.
func (tr *trainer) mstep(acc []float64, np int) {
	g, d := tr.g, tr.g.Dim
	const minCount = 1e-6
	wsum := 0.0
	for k := 0; k < g.K; k++ {
		row := acc[k*np : (k+1)*np]
		nk := row[2*d]
		if nk < minCount {
			g.Weights[k] = minCount / float64(tr.n)
			wsum += g.Weights[k]
			continue
		}
		g.Weights[k] = nk / float64(tr.n)
		wsum += g.Weights[k]
		mu := g.Means[k*d : (k+1)*d]
		vr := g.Vars[k*d : (k+1)*d]
		inv := 1 / nk
		for i := 0; i < d; i++ {
			m := row[i] * inv
			v := row[d+i]*inv - m*m
			mu[i] = m
			vr[i] = max(v, tr.floor[i])
		}
	}
	for k := range g.Weights {
		g.Weights[k] /= wsum
	}
}
