package eval

import "math"

// EER returns the ROCCH-EER of a detector that gave the scores genuine to
// genuine trials and spoof to spoof trials (higher = more genuine): the
// equal error rate of the ROC convex hull, exactly as the BOSARIS toolkit's
// rocch + rocch2eer compute it, which is the official measure of ASVspoof
// 2017 (DESIGN §5).
//
// The algorithm: sort all scores ascending, genuine (target) trials first
// among ties, and run pool-adjacent-violators on the 1/0 target labels. The
// PAV blocks are the steps of the optimal monotone posterior; the edges
// between blocks are the vertices of the ROC convex hull, from
// (Pfa, Pmiss) = (1, 0), accept all, to (0, 1), reject all. For each hull
// segment with ends (x1, y1), (x2, y2), the line a·Pfa + b·Pmiss = 1
// through both ends crosses the diagonal Pfa = Pmiss at 1/(a+b); segments
// that are horizontal or vertical give 0. The EER is the largest of these
// candidates (the convex hull lies above all its supporting lines, and the
// segment that crosses the diagonal attains it).
//
// The arithmetic is done on trial counts: with fa false acceptances (of Nn
// spoof trials) and miss misses (of Nt genuine trials) at each end,
//
//	1/(a+b) = (fa1·miss2 − fa2·miss1) / ((miss2−miss1)·Nn + (fa1−fa2)·Nt),
//
// an exact integer ratio rounded once, so the result is the exact hull EER
// correctly rounded (BOSARIS, which solves the 2×2 system in floating point,
// agrees to a few ulps). PAV compares block means exactly by
// cross-multiplying counts, where BOSARIS compares floating-point means;
// this can only change whether a vertex between two collinear segments is
// kept, which does not change the EER.
//
// EER does not modify its arguments. It returns NaN when either slice is
// empty or any score is NaN; ±Inf scores are ordinary extreme scores, and
// -0 ties with +0. Cost: a radix sort of each class's scores, then O(N).
func EER(genuine, spoof []float64) float64 {
	g, s, ok := sortedCopies(genuine, spoof)
	if !ok {
		return math.NaN()
	}
	return eerSorted(g, s)
}

// EERStep returns the equal error rate as the ASVspoof 2019 and 2021
// evaluation packages compute it (compute_eer in eval_metrics.py): sort
// all scores ascending with a stable sort of [genuine, spoof] (so genuine
// trials come first among ties); with labels l_k (1 genuine, 0 spoof) in
// that order, cumulative sums c_k and Nt, Nn trials of each class,
//
//	FRR = [0, c_1/Nt, …, c_N/Nt]
//	FAR = [1, (Nn − (1 − c_1))/Nn, …, (Nn − (N − c_N))/Nn]
//
// take the first index minimising |FRR − FAR| and return (FRR + FAR)/2
// there. Every floating-point operation is the one NumPy performs, so the
// result is bit-identical to the reference. Ties are not pooled: a tie
// between classes is resolved pessimistically (genuine rejected first).
//
// EERStep does not modify its arguments and returns NaN when either slice
// is empty or any score is NaN.
func EERStep(genuine, spoof []float64) float64 {
	g, s, ok := sortedCopies(genuine, spoof)
	if !ok {
		return math.NaN()
	}
	return eerStepSorted(g, s)
}

// ROCCH returns the vertices of the ROC convex hull (see EER) as parallel
// slices of false-acceptance rates (spoof trials accepted) and miss rates
// (genuine trials rejected), from (1, 0) to (0, 1): pfa decreases and pmiss
// increases along the slices. It returns nil slices under the conditions
// where EER returns NaN.
func ROCCH(genuine, spoof []float64) (pfa, pmiss []float64) {
	g, s, ok := sortedCopies(genuine, spoof)
	if !ok {
		return nil, nil
	}
	nt, nn := float64(len(g)), float64(len(s))
	hullVertices(g, s, func(fa, miss int) {
		pfa = append(pfa, float64(fa)/nn)
		pmiss = append(pmiss, float64(miss)/nt)
	})
	return pfa, pmiss
}

// sortedCopies returns the ascending keys (see scoreKey) of both score
// sets; ok is false when either is empty or holds a NaN.
func sortedCopies(genuine, spoof []float64) (g, s []uint64, ok bool) {
	if len(genuine) == 0 || len(spoof) == 0 {
		return nil, nil, false
	}
	if g, ok = sortedKeys(genuine); !ok {
		return nil, nil, false
	}
	s, ok = sortedKeys(spoof)
	return g, s, ok
}

// block is a run of pooled trials in PAV: n trials of which ones are genuine.
type block struct{ ones, n int }

// hullVertices calls vertex(fa, miss) for each vertex of the ROC convex hull
// of the ascending score keys g (genuine) and s (spoof), in
// order from (fa, miss) = (len(s), 0) to (0, len(g)). fa counts spoof
// trials above the threshold, miss genuine trials at or below it.
func hullVertices(g, s []uint64, vertex func(fa, miss int)) {
	fa, miss := len(s), 0
	vertex(fa, miss)
	for _, b := range pavBlocks(g, s) {
		miss += b.ones
		fa -= b.n - b.ones
		vertex(fa, miss)
	}
}

// pavBlocks runs pool-adjacent-violators on the class labels of the
// ascending score keys g (genuine) and s (spoof) in their merged order,
// genuine first among ties (as a stable sort of [genuine, spoof] puts them,
// like BOSARIS opt_loglr), and returns the pooled blocks in score order.
// Runs of equal labels are pushed as one block: PAV would pool them anyway
// (a block is merged into its predecessor when the predecessor's mean is
// >= its own, as in BOSARIS pavx), and the pooled partition is unique.
func pavBlocks(g, s []uint64) []block {
	nt, nn := len(g), len(s)
	stack := make([]block, 0, 64)
	i, j := 0, 0
	for i < nt || j < nn {
		var b block
		if i < nt && (j == nn || g[i] <= s[j]) {
			k := i
			for i < nt && (j == nn || g[i] <= s[j]) {
				i++
			}
			b = block{i - k, i - k}
		} else {
			k := j
			for j < nn && (i == nt || s[j] < g[i]) {
				j++
			}
			b = block{0, j - k}
		}
		stack = append(stack, b)
		for len(stack) >= 2 {
			p, q := stack[len(stack)-2], stack[len(stack)-1]
			// mean(p) >= mean(q)  ⇔  p.ones·q.n >= q.ones·p.n
			if p.ones*q.n < q.ones*p.n {
				break
			}
			stack[len(stack)-2] = block{p.ones + q.ones, p.n + q.n}
			stack = stack[:len(stack)-1]
		}
	}
	return stack
}

// eerSorted is EER on ascending, non-empty key slices.
func eerSorted(g, s []uint64) float64 {
	nt, nn := int64(len(g)), int64(len(s))
	eer := 0.0
	first := true
	var fa1, miss1 int64
	hullVertices(g, s, func(fa, miss int) {
		fa2, miss2 := int64(fa), int64(miss)
		if first {
			first = false
		} else if fa1 != fa2 && miss1 != miss2 {
			num := fa1*miss2 - fa2*miss1
			den := (miss2-miss1)*nn + (fa1-fa2)*nt
			if c := float64(num) / float64(den); c > eer {
				eer = c
			}
		}
		fa1, miss1 = fa2, miss2
	})
	return eer
}

// eerStepSorted is EERStep on ascending, non-empty key slices.
func eerStepSorted(g, s []uint64) float64 {
	nt, nn := len(g), len(s)
	ft, fn := float64(nt), float64(nn)
	bestFRR, bestFAR := 0.0, 1.0
	best := math.Abs(bestFRR - bestFAR)
	i, tar := 0, 0
	j := 0
	for k := 1; k <= nt+nn; k++ {
		if i < nt && (j == nn || g[i] <= s[j]) {
			i++
			tar++
		} else {
			j++
		}
		frr := float64(tar) / ft
		far := float64(nn-(k-tar)) / fn
		if d := math.Abs(frr - far); d < best {
			best, bestFRR, bestFAR = d, frr, far
		}
	}
	return (bestFRR + bestFAR) / 2
}
