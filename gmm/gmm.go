// Package gmm is a Gaussian mixture model with diagonal covariances, trained
// by expectation–maximisation: the back-end of the ASVspoof 2017 CQCC-GMM and
// ASVspoof 2019 LFCC-GMM baselines (DESIGN §4.2), where one 512-component GMM is
// trained on the frames of each class and an utterance is scored by the
// difference of mean frame log-likelihoods.
//
// The density of a frame x ∈ ℝᴰ is
//
//	p(x) = Σₖ wₖ N(x | μₖ, diag σₖ²)
//	log N(x | μ, σ²) = −½ Σ_d [ log 2πσ_d² + (x_d − μ_d)² / σ_d² ]
//
// Expanding the square turns the log-densities of a batch of frames against
// all components into one matrix product,
//
//	log wₖ N(x|μₖ,σₖ²) = cₖ + Σ_d x_d² (−1/2σ²ₖd) + Σ_d x_d (μₖd/σ²ₖd),
//	cₖ = log wₖ − ½ Σ_d [ log 2πσ²ₖd + μ²ₖd/σ²ₖd ],
//
// i.e. [x², x] (frames × 2D) times a 2D × K matrix, and the M-step
// sufficient statistics Σₙ γₙₖ [1, x, x²] are a second product γᵀ·[1, x, x²].
// Both run through a packed, cache-blocked float64 GEMM (8 × 16 AVX-512 or
// 4 × 8 AVX2+FMA assembly micro-kernels on amd64, portable Go elsewhere or
// with the purego build tag), parallel across blocks of frames; the
// exponentials of the responsibilities are vectorised too (exp_amd64.s).
// Everything is accumulated in float64 and the log-sum-exp over components is
// taken around the per-frame maximum, so no step can overflow.
//
// Training is deterministic for a given seed and thread count.
package gmm

import (
	"errors"
	"fmt"
	"math"
)

// GMM is a diagonal-covariance Gaussian mixture. The slices are row-major:
// component k's mean is Means[k*Dim : (k+1)*Dim].
type GMM struct {
	K, Dim  int
	Weights []float64 // K mixture weights, summing to 1
	Means   []float64 // K×Dim, row-major
	Vars    []float64 // K×Dim, row-major (diagonal covariances), all > 0
}

// Validate checks shapes, finiteness, positive variances and weights that
// sum to 1 (within 1e-6). Use it on a model loaded from disk.
func (g *GMM) Validate() error {
	if g == nil {
		return errors.New("gmm: nil model")
	}
	if g.K <= 0 || g.Dim <= 0 {
		return fmt.Errorf("gmm: invalid shape K=%d Dim=%d", g.K, g.Dim)
	}
	if len(g.Weights) != g.K {
		return fmt.Errorf("gmm: %d weights for K=%d components", len(g.Weights), g.K)
	}
	if len(g.Means) != g.K*g.Dim {
		return fmt.Errorf("gmm: %d means for K×Dim=%d×%d", len(g.Means), g.K, g.Dim)
	}
	if len(g.Vars) != g.K*g.Dim {
		return fmt.Errorf("gmm: %d variances for K×Dim=%d×%d", len(g.Vars), g.K, g.Dim)
	}
	sum := 0.0
	for k, w := range g.Weights {
		if !(w >= 0) || math.IsInf(w, 0) {
			return fmt.Errorf("gmm: weight %d is %v", k, w)
		}
		sum += w
	}
	if math.Abs(sum-1) > 1e-6 {
		return fmt.Errorf("gmm: weights sum to %v, not 1", sum)
	}
	for i, m := range g.Means {
		if math.IsNaN(m) || math.IsInf(m, 0) {
			return fmt.Errorf("gmm: mean of component %d dim %d is %v", i/g.Dim, i%g.Dim, m)
		}
	}
	for i, v := range g.Vars {
		if !(v > 0) || math.IsInf(v, 0) {
			return fmt.Errorf("gmm: variance of component %d dim %d is %v (must be positive and finite)", i/g.Dim, i%g.Dim, v)
		}
	}
	return nil
}

// MeanLogLikelihood returns (1/n) Σₜ log p(xₜ) over the n frames of data
// (n×Dim, row-major). It returns NaN when data is empty or its length is not
// a multiple of Dim; use a Scorer to get an error instead. Large inputs are
// split into fixed chunks scored in parallel, so the result does not depend
// on GOMAXPROCS. It allocates scratch space on every call: to score many
// utterances, keep one Scorer per goroutine.
func (g *GMM) MeanLogLikelihood(data []float32) float64 {
	s, err := g.NewScorer()
	if err != nil {
		return math.NaN()
	}
	v, err := s.meanLogLikelihoodParallel(data)
	if err != nil {
		return math.NaN()
	}
	return v
}

// Scorer evaluates a fixed GMM on many inputs, reusing its precomputed
// parameters and scratch buffers. It is not safe for concurrent use; create
// one per goroutine. It snapshots the model: later changes to the GMM are
// not seen.
type Scorer struct {
	p *prep
	w *work
}

// NewScorer validates g and precomputes the matrix form of its parameters.
func (g *GMM) NewScorer() (*Scorer, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	p := newPrep(g.K, g.Dim)
	p.load(g)
	return &Scorer{p: p, w: newWork(p, false)}, nil
}

// MeanLogLikelihood returns (1/n) Σₜ log p(xₜ) over the frames of data
// (n×Dim, row-major).
func (s *Scorer) MeanLogLikelihood(data []float32) (float64, error) {
	n, err := s.frames(data)
	if err != nil {
		return 0, err
	}
	return s.sum(data, n) / float64(n), nil
}

// LogLikelihoods writes log p(xₜ) of every frame into out (length n).
func (s *Scorer) LogLikelihoods(data []float32, out []float64) error {
	n, err := s.frames(data)
	if err != nil {
		return err
	}
	if len(out) != n {
		return fmt.Errorf("gmm: output has %d values for %d frames", len(out), n)
	}
	d := s.p.dim
	for lo := 0; lo < n; lo += blockFrames {
		hi := min(lo+blockFrames, n)
		s.w.logLik(s.p, data[lo*d:hi*d], hi-lo, out[lo:hi])
	}
	return nil
}

func (s *Scorer) frames(data []float32) (int, error) {
	d := s.p.dim
	if len(data) == 0 {
		return 0, errors.New("gmm: no frames to score")
	}
	if len(data)%d != 0 {
		return 0, fmt.Errorf("gmm: %d values is not a whole number of %d-dimensional frames", len(data), d)
	}
	return len(data) / d, nil
}

// sum returns Σₜ log p(xₜ) over n frames, block by block.
func (s *Scorer) sum(data []float32, n int) float64 {
	d := s.p.dim
	total := 0.0
	for lo := 0; lo < n; lo += blockFrames {
		hi := min(lo+blockFrames, n)
		total += s.w.block(s.p, data[lo*d:hi*d], hi-lo, false)
	}
	return total
}
