package demo

import (
	"math/rand/v2"
	"slices"

	"github.com/deep4deep/deep4deep/eval"
)

// BootstrapResamples is the number of bootstrap resamples behind each
// confidence interval of the report.
const BootstrapResamples = 1000

// BootstrapEER returns a 95 % confidence interval for the ROCCH-EER of the
// given scores: the 2.5th and 97.5th percentiles of the EER over n
// resamples in which the genuine and the spoof trials are each drawn with
// replacement (a stratified bootstrap over trials: every resample keeps
// both class sizes). The resamples are drawn from a PCG stream seeded by
// seed, so the interval is reproducible. It returns NaNs when a class is
// empty or n < 1.
func BootstrapEER(genuine, spoof []float64, n int, seed uint64) (lo, hi float64) {
	if len(genuine) == 0 || len(spoof) == 0 || n < 1 {
		return nan, nan
	}
	r := rand.New(rand.NewPCG(seed, 0xb0075723a9))
	g := make([]float64, len(genuine))
	s := make([]float64, len(spoof))
	eers := make([]float64, n)
	for i := range eers {
		for j := range g {
			g[j] = genuine[r.IntN(len(genuine))]
		}
		for j := range s {
			s[j] = spoof[r.IntN(len(spoof))]
		}
		eers[i] = eval.EER(g, s)
	}
	slices.Sort(eers)
	return percentile(eers, 0.025), percentile(eers, 0.975)
}

// percentile returns the q-quantile of sorted x by linear interpolation
// between order statistics (the "type 7" rule of R and NumPy's default).
func percentile(x []float64, q float64) float64 {
	if len(x) == 1 {
		return x[0]
	}
	h := q * float64(len(x)-1)
	i := int(h)
	if i >= len(x)-1 {
		return x[len(x)-1]
	}
	return x[i] + (h-float64(i))*(x[i+1]-x[i])
}
