// Package calibrate turns detector scores into calibrated log-likelihood
// ratios and fuses several detectors into one, the way the BOSARIS toolkit
// does (Brümmer & de Villiers 2011): a linear map
//
//	llr = w₁·s₁ + … + w_K·s_K + b
//
// fitted on a development set by prior-weighted logistic regression. With
// one system (K = 1) the map is an affine calibration; with several it is a
// linear logistic fusion whose output is itself calibrated.
//
// Why: a raw score says which trial is more genuine than another, not how
// sure the system is. An LLR can be thresholded for any prior and costs by
// Bayes' rule (eval.DCFParams.Threshold) and read by a person: LLR 2 means
// the evidence is e² ≈ 7.4 times more likely for a genuine trial than for a
// replay.
//
// The fit minimises the prior-weighted cross-entropy
//
//	J = π/Nt Σ_genuine ln(1 + e^−(z+L)) + (1−π)/Nn Σ_spoof ln(1 + e^(z+L)) + λ/2·|w|²,
//
// z = w·s + b, L = logit π, π the prior probability of a genuine trial,
// whose value at the optimum divided by ln 2 (and with λ = 0, π = ½) is the
// Cllr of the calibrated development scores. J is convex; it is solved by
// Newton's method with a backtracking line search to machine precision. When
// the development scores separate the classes completely, J has no finite
// minimum with λ = 0; the small default λ keeps the weights finite there and
// changes the fit elsewhere by about λ relative.
package calibrate

import (
	"errors"
	"fmt"
	"math"
)

// DefaultL2 is the ridge penalty on the weights that Fit uses unless told
// otherwise: negligible on overlapping classes, finite weights on separable
// ones.
const DefaultL2 = 1e-6

// Options are the settings of a fit.
type Options struct {
	// Prior is the prior probability of a genuine trial, π in J, in (0, 1).
	// The fit is best at the operating points near this prior; BOSARIS uses
	// ½ by default.
	Prior float64
	// L2 is λ, the ridge penalty on the weights (not the offset); ≥ 0.
	L2 float64
}

// DefaultOptions are prior ½ and DefaultL2.
func DefaultOptions() Options { return Options{Prior: 0.5, L2: DefaultL2} }

// Fit fits the linear map from score vectors to LLRs. genuine[i] and
// spoof[i] are the scores of one trial by each of the K systems (all of
// length K ≥ 1). It returns the weights (length K) and the offset b.
//
// Errors: an empty class, vectors of unequal length, a non-finite score, a
// prior outside (0, 1), a negative λ, or no convergence (which a convex J
// does not produce on finite data).
func Fit(genuine, spoof [][]float64, o Options) (w []float64, b float64, err error) {
	if len(genuine) == 0 || len(spoof) == 0 {
		return nil, 0, errors.New("calibration needs genuine and spoof trials")
	}
	if !(o.Prior > 0 && o.Prior < 1) {
		return nil, 0, fmt.Errorf("prior %v is not in (0, 1)", o.Prior)
	}
	if !(o.L2 >= 0) || math.IsInf(o.L2, 0) {
		return nil, 0, fmt.Errorf("ridge penalty %v is not a finite number ≥ 0", o.L2)
	}
	k := len(genuine[0])
	if k == 0 {
		return nil, 0, errors.New("trials have no scores")
	}
	for c, set := range [2][][]float64{genuine, spoof} {
		for i, x := range set {
			if len(x) != k {
				return nil, 0, fmt.Errorf("%s trial %d has %d scores, want %d", className(c), i, len(x), k)
			}
			for _, v := range x {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return nil, 0, fmt.Errorf("%s trial %d: score %v is not finite", className(c), i, v)
				}
			}
		}
	}
	p := problem{gen: genuine, spoof: spoof, k: k, logit: math.Log(o.Prior / (1 - o.Prior)),
		wt: o.Prior / float64(len(genuine)), wn: (1 - o.Prior) / float64(len(spoof)), l2: o.L2}
	theta, err := p.solve()
	if err != nil {
		return nil, 0, err
	}
	return theta[:k], theta[k], nil
}

func className(c int) string {
	if c == 0 {
		return "genuine"
	}
	return "spoof"
}

// problem is J of the package doc over θ = (w₁ … w_K, b).
type problem struct {
	gen, spoof [][]float64
	k          int
	logit      float64 // L = logit π
	wt, wn     float64 // π/Nt, (1−π)/Nn
	l2         float64
}

func (p *problem) z(theta, x []float64) float64 {
	z := theta[p.k] + p.logit
	for j, v := range x {
		z += theta[j] * v
	}
	return z
}

// value returns J(θ).
func (p *problem) value(theta []float64) float64 {
	var st, sn float64
	for _, x := range p.gen {
		st += softplus(-p.z(theta, x))
	}
	for _, x := range p.spoof {
		sn += softplus(p.z(theta, x))
	}
	reg := 0.0
	for _, v := range theta[:p.k] {
		reg += v * v
	}
	return p.wt*st + p.wn*sn + p.l2/2*reg
}

// derivatives fills the gradient g and Hessian h (row-major, n×n, n = K+1)
// of J at θ.
func (p *problem) derivatives(theta, g, h []float64) {
	n := p.k + 1
	clear(g)
	clear(h)
	acc := func(x []float64, d1, d2 float64) {
		// feature vector (x, 1)
		for a := range n {
			xa := 1.0
			if a < p.k {
				xa = x[a]
			}
			g[a] += d1 * xa
			for c := a; c < n; c++ {
				xc := 1.0
				if c < p.k {
					xc = x[c]
				}
				h[a*n+c] += d2 * xa * xc
			}
		}
	}
	for _, x := range p.gen {
		z := p.z(theta, x)
		s := sigmoid(-z) // d/dz softplus(−z) = −σ(−z)
		acc(x, -p.wt*s, p.wt*s*(1-s))
	}
	for _, x := range p.spoof {
		z := p.z(theta, x)
		s := sigmoid(z)
		acc(x, p.wn*s, p.wn*s*(1-s))
	}
	for a := range p.k {
		g[a] += p.l2 * theta[a]
		h[a*n+a] += p.l2
	}
	for a := range n {
		for c := range a {
			h[a*n+c] = h[c*n+a]
		}
	}
}

// solve minimises J by damped Newton iterations from θ = 0 (LLR = −L, all
// trials at the prior: J = its trivial value).
func (p *problem) solve() ([]float64, error) {
	n := p.k + 1
	theta := make([]float64, n)
	trial := make([]float64, n)
	g := make([]float64, n)
	h := make([]float64, n*n)
	step := make([]float64, n)
	j := p.value(theta)
	for range 200 {
		p.derivatives(theta, g, h)
		if err := solveSPD(h, g, step, n); err != nil {
			// Flat directions (a system with constant scores): fall back to
			// a gradient step, which the line search scales.
			copy(step, g)
		}
		// Newton decrement λ² = gᵀH⁻¹g: the predicted decrease × 2.
		dec := 0.0
		for a := range n {
			dec += g[a] * step[a]
		}
		// Newton converges quadratically: once the predicted decrease is
		// at the rounding level of J, θ is optimal to machine precision.
		if dec <= 1e-15*math.Abs(j) || dec < 1e-300 {
			return theta, nil
		}
		t := 1.0
		improved := false
		for range 60 {
			for a := range n {
				trial[a] = theta[a] - t*step[a]
			}
			if jt := p.value(trial); jt <= j-1e-4*t*dec {
				copy(theta, trial)
				j = jt
				improved = true
				break
			}
			t /= 2
		}
		if !improved {
			// No representable decrease is left: θ is optimal to machine
			// precision.
			return theta, nil
		}
	}
	return nil, errors.New("logistic regression did not converge in 200 Newton steps")
}

// solveSPD solves H·x = g for a symmetric positive definite n×n H by
// Cholesky factorisation (H is not modified).
func solveSPD(h, g, x []float64, n int) error {
	l := make([]float64, n*n)
	for i := range n {
		for j := 0; j <= i; j++ {
			s := h[i*n+j]
			for k := range j {
				s -= l[i*n+k] * l[j*n+k]
			}
			if i == j {
				if !(s > 0) {
					return errors.New("the Hessian is not positive definite")
				}
				l[i*n+i] = math.Sqrt(s)
			} else {
				l[i*n+j] = s / l[j*n+j]
			}
		}
	}
	for i := range n { // L y = g
		s := g[i]
		for k := range i {
			s -= l[i*n+k] * x[k]
		}
		x[i] = s / l[i*n+i]
	}
	for i := n - 1; i >= 0; i-- { // Lᵀ x = y
		s := x[i]
		for k := i + 1; k < n; k++ {
			s -= l[k*n+i] * x[k]
		}
		x[i] = s / l[i*n+i]
	}
	return nil
}

// softplus returns ln(1 + eˣ) without overflow.
func softplus(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}

// sigmoid returns 1/(1 + e^−x) without overflow.
func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}
