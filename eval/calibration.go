package eval

import (
	"math"
)

// This file holds the measures of calibrated scores: scores read as
// natural-log likelihood ratios, ln p(score | genuine) / p(score | spoof).
// The EERs say how well a system separates the classes; these say whether
// its scores can be used as they are, with a threshold set from a prior and
// costs instead of from the evaluation data.

// CalibrationMetrics are the measures of Result that read scores as
// log-likelihood ratios. Their JSON names are those of the --json object.
type CalibrationMetrics struct {
	// Cllr is the log-likelihood-ratio cost in bits (Brümmer & du Preez
	// 2006): 0 for perfect, confident LLRs; 1 for a system that always says
	// "don't know" (LLR 0); above 1 for misleading scores.
	Cllr float64 `json:"cllr"`
	// MinCllr is the Cllr after the best monotone recalibration of the
	// scores on this very set (PAV), so Cllr − MinCllr is the loss due to
	// miscalibration.
	MinCllr float64 `json:"min_cllr"`
	// ActDCF is the normalised detection cost of the decisions taken at the
	// Bayes threshold of the ASVspoof 5 parameters (see ASVspoof5); MinDCF
	// the same cost at the best threshold chosen on this set.
	ActDCF float64 `json:"act_dcf"`
	MinDCF float64 `json:"min_dcf"`
}

// CalibrationOf computes the CalibrationMetrics of a scored set with the
// ASVspoof 5 cost parameters. Fields are NaN when a class is empty or a
// score is NaN.
func CalibrationOf(genuine, spoof []float64) CalibrationMetrics {
	return CalibrationMetrics{
		Cllr:    Cllr(genuine, spoof),
		MinCllr: MinCllr(genuine, spoof),
		ActDCF:  ActDCF(genuine, spoof, ASVspoof5),
		MinDCF:  MinDCF(genuine, spoof, ASVspoof5),
	}
}

// softplus returns ln(1 + e^x) without overflow or loss of precision for
// large |x|.
func softplus(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}

// Cllr returns the log-likelihood-ratio cost, in bits, of the LLRs genuine
// (of genuine trials) and spoof (of spoof trials):
//
//	Cllr = ½ [ mean_genuine log2(1 + e^−s) + mean_spoof log2(1 + e^s) ]
//
// as the BOSARIS toolkit's cllr.m computes it (prior 0.5). It is NaN when a
// class is empty or a score is NaN.
func Cllr(genuine, spoof []float64) float64 {
	if len(genuine) == 0 || len(spoof) == 0 {
		return math.NaN()
	}
	var ct, cn float64
	for _, s := range genuine {
		ct += softplus(-s)
	}
	for _, s := range spoof {
		cn += softplus(s)
	}
	return (ct/float64(len(genuine)) + cn/float64(len(spoof))) / (2 * math.Ln2)
}

// MinCllr returns the Cllr of the scores after the optimal monotone
// transformation to LLRs on this set, as BOSARIS min_cllr.m computes it
// (opt_loglr with the 'raw' option): PAV gives each block of trials the
// posterior p = genuine/trials of the block, and the block's LLR is
// logit(p) − ln(Nt/Nn). The costs are computed from the block counts,
// exactly: a genuine trial in a block with k genuine and z spoof trials
// costs log2(1 + z·Nt/(k·Nn)), a spoof trial log2(1 + k·Nn/(z·Nt)).
// MinCllr ≤ min(Cllr, 1) up to rounding. It is NaN when a class is empty or
// a score is NaN.
func MinCllr(genuine, spoof []float64) float64 {
	g, s, ok := sortedCopies(genuine, spoof)
	if !ok {
		return math.NaN()
	}
	nt, nn := float64(len(g)), float64(len(s))
	var ct, cn float64
	for _, b := range pavBlocks(g, s) {
		k, z := float64(b.ones), float64(b.n-b.ones)
		if k > 0 && z > 0 {
			ct += k * math.Log1p(z*nt/(k*nn))
			cn += z * math.Log1p(k*nn/(z*nt))
		}
	}
	return (ct/nt + cn/nn) / (2 * math.Ln2)
}

// DCFParams are the parameters of a detection cost function: the prior
// probability of a spoof trial and the costs of missing a genuine trial
// (rejecting a genuine speaker) and of a false acceptance (accepting a
// spoof).
type DCFParams struct {
	PSpoof float64 `json:"p_spoof"`
	CMiss  float64 `json:"c_miss"`
	CFA    float64 `json:"c_fa"`
}

// ASVspoof5 are the DCF parameters of the ASVspoof 5 challenge's
// countermeasure track: Pspoof = 0.05, Cmiss = 1, Cfa = 10.
var ASVspoof5 = DCFParams{PSpoof: 0.05, CMiss: 1, CFA: 10}

// Valid reports whether the parameters define a cost: 0 < PSpoof < 1 and
// positive finite costs.
func (p DCFParams) Valid() bool {
	return p.PSpoof > 0 && p.PSpoof < 1 && p.CMiss > 0 && p.CFA > 0 &&
		!math.IsInf(p.CMiss, 0) && !math.IsInf(p.CFA, 0)
}

// Threshold returns the Bayes decision threshold on a log-likelihood ratio
// under p: accept as genuine when LLR ≥ −ln β, β = Cmiss(1−Pspoof)/(Cfa·Pspoof)
// (the threshold of the ASVspoof 5 evaluation package's compute_actDCF).
// With the ASVspoof 5 parameters it is ln(0.5/0.95) ≈ −0.642.
func (p DCFParams) Threshold() float64 {
	beta := p.CMiss * (1 - p.PSpoof) / (p.CFA * p.PSpoof)
	return -math.Log(beta)
}

// norm is the cost of the better of the two trivial systems (accept all,
// reject all), by which DCFs are normalised.
func (p DCFParams) norm() float64 {
	return math.Min(p.CMiss*(1-p.PSpoof), p.CFA*p.PSpoof)
}

// ActDCF returns the normalised detection cost of deciding at the Bayes
// threshold of p (see Threshold), reading the scores as LLRs, as the
// ASVspoof 5 evaluation package's compute_actDCF does: a genuine trial is
// missed when its score < threshold, a spoof accepted when its score ≥
// threshold, and
//
//	actDCF = (Cmiss(1−Pspoof)·Pmiss + Cfa·Pspoof·Pfa) / min(Cmiss(1−Pspoof), Cfa·Pspoof).
//
// 1 is the cost of the better trivial system. It is NaN when a class is
// empty, a score is NaN or p is not Valid.
func ActDCF(genuine, spoof []float64, p DCFParams) float64 {
	if len(genuine) == 0 || len(spoof) == 0 || !p.Valid() {
		return math.NaN()
	}
	th := p.Threshold()
	miss, fa := 0, 0
	for _, s := range genuine {
		if math.IsNaN(s) {
			return math.NaN()
		}
		if s < th {
			miss++
		}
	}
	for _, s := range spoof {
		if math.IsNaN(s) {
			return math.NaN()
		}
		if s >= th {
			fa++
		}
	}
	pmiss := float64(miss) / float64(len(genuine))
	pfa := float64(fa) / float64(len(spoof))
	return (p.CMiss*(1-p.PSpoof)*pmiss + p.CFA*p.PSpoof*pfa) / p.norm()
}

// MinDCF returns the normalised detection cost at the best threshold, the
// minimum over the points of the empirical DET curve as the ASVspoof 5
// evaluation package's compute_mindcf takes it (the thresholds between
// consecutive sorted scores, genuine first among ties, plus accept-all and
// reject-all). It does not depend on the scale of the scores, only their
// order; MinDCF ≤ min(ActDCF, 1). It is NaN when a class is empty, a score
// is NaN or p is not Valid.
func MinDCF(genuine, spoof []float64, p DCFParams) float64 {
	if !p.Valid() {
		return math.NaN()
	}
	g, s, ok := sortedCopies(genuine, spoof)
	if !ok {
		return math.NaN()
	}
	nt, nn := len(g), len(s)
	ft, fn := float64(nt), float64(nn)
	pt := 1 - p.PSpoof
	cost := func(frr, far float64) float64 { return p.CMiss*frr*pt + p.CFA*far*(1-pt) }
	best := cost(0, 1)
	i, j, tar := 0, 0, 0
	for k := 1; k <= nt+nn; k++ {
		if i < nt && (j == nn || g[i] <= s[j]) {
			i++
			tar++
		} else {
			j++
		}
		if c := cost(float64(tar)/ft, float64(nn-(k-tar))/fn); c < best {
			best = c
		}
	}
	return best / math.Min(p.CMiss*pt, p.CFA*(1-pt))
}

// ReliabilityBin is one bin of a reliability diagram: the trials whose
// predicted probability of being genuine fell in [Lo, Hi).
type ReliabilityBin struct {
	Lo, Hi    float64 // the bin's range of predicted probabilities
	Predicted float64 // mean predicted probability of the bin's trials
	Observed  float64 // fraction of the bin's trials that are genuine
	N         int     // trials in the bin
}

// Reliability returns the reliability diagram of LLR scores: each trial's
// predicted probability of being genuine is its posterior
// sigmoid(llr + logit(prior)), binned into bins equal-width bins over [0, 1]
// (the last includes 1); bins without trials are left out. For calibrated
// LLRs the observed fraction of genuine trials in each bin matches the mean
// prediction when prior is the set's own proportion of genuine trials,
// which is what prior ≤ 0 or ≥ 1 selects. It returns nil when a class is
// empty, bins < 1 or a score is NaN.
func Reliability(genuine, spoof []float64, prior float64, bins int) []ReliabilityBin {
	if len(genuine) == 0 || len(spoof) == 0 || bins < 1 {
		return nil
	}
	if prior <= 0 || prior >= 1 || math.IsNaN(prior) {
		prior = float64(len(genuine)) / float64(len(genuine)+len(spoof))
	}
	lo := math.Log(prior / (1 - prior))
	sum := make([]float64, bins)
	pos := make([]int, bins)
	cnt := make([]int, bins)
	add := func(s float64, gen int) bool {
		if math.IsNaN(s) {
			return false
		}
		p := 1 / (1 + math.Exp(-(s + lo)))
		b := min(int(p*float64(bins)), bins-1)
		sum[b] += p
		pos[b] += gen
		cnt[b]++
		return true
	}
	for _, s := range genuine {
		if !add(s, 1) {
			return nil
		}
	}
	for _, s := range spoof {
		if !add(s, 0) {
			return nil
		}
	}
	var out []ReliabilityBin
	for b := range bins {
		if cnt[b] == 0 {
			continue
		}
		n := float64(cnt[b])
		out = append(out, ReliabilityBin{
			Lo: float64(b) / float64(bins), Hi: float64(b+1) / float64(bins),
			Predicted: sum[b] / n, Observed: float64(pos[b]) / n, N: cnt[b],
		})
	}
	return out
}
