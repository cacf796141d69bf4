package demo

import (
	"fmt"
	"math"
	"sort"

	"github.com/deep4deep/deep4deep/eval"
)

// findings returns remarks about the results that a reader should not miss,
// derived from the numbers only: which system is better and by how much,
// whether eval is harder than dev (it holds unseen replay configurations),
// whether a result is suspiciously easy or hopeless, and how far apart the
// easiest and hardest replay environments are.
func findings(r *Report) []string {
	var f []string
	if len(r.Systems) == 2 {
		a, b := r.Systems[0], r.Systems[1]
		if b.Eval.EER < a.Eval.EER {
			a, b = b, a
		}
		if a.Eval.EER == b.Eval.EER {
			f = append(f, fmt.Sprintf("%s and %s have the same eval EER (%s %%).", a.Name, b.Name, pct(a.Eval.EER)))
		} else {
			f = append(f, fmt.Sprintf("%s has the lower eval EER: %s %% against %s's %s %% (%.1f× lower)%s.",
				a.Name, pct(a.Eval.EER), b.Name, pct(b.Eval.EER), b.Eval.EER/math.Max(a.Eval.EER, 1e-12), separation(a, b)))
		}
		if o := ordering(r); o != "" {
			f = append(f, o)
		}
	}
	if len(r.Systems) == 2 {
		for _, fa := range Factors[:2] {
			if c := compareBy(r, fa.Key, fa.Of); c != "" {
				f = append(f, c)
			}
		}
	}
	for _, s := range r.Systems {
		switch {
		case s.Eval.EER < 0.01:
			f = append(f, fmt.Sprintf("%s: eval EER below 1 %%: the synthetic eval set is nearly trivial for it.", s.Name))
		case s.Eval.EER > 0.4:
			f = append(f, fmt.Sprintf("%s: eval EER above 40 %%: close to chance on the synthetic eval set.", s.Name))
		}
		if s.Eval.EER > s.Dev.EER {
			f = append(f, fmt.Sprintf("%s: eval EER %s %% against dev %s %%: eval holds replay configurations unseen in train and dev.",
				s.Name, pct(s.Eval.EER), pct(s.Dev.EER)))
		} else {
			f = append(f, fmt.Sprintf("%s: eval EER %s %% is not above dev %s %%, although eval holds unseen replay configurations.",
				s.Name, pct(s.Eval.EER), pct(s.Dev.EER)))
		}
		if f1 := overfitting(r, s); f1 != "" {
			f = append(f, f1)
		}
		if lo, hi, ok := extremes(s.Eval.By.Environment); ok && lo != hi {
			f = append(f, fmt.Sprintf("%s: replay environments range from %s %% EER (%s) to %s %% (%s).",
				s.Name, pct(s.Eval.By.Environment[lo].EER), r.describe(lo), pct(s.Eval.By.Environment[hi].EER), r.describe(hi)))
		}
	}
	return f
}

// describe returns "E05, cantine" when the report knows the condition's
// name, else the ID.
func (r *Report) describe(id string) string {
	if r.Describe != nil {
		if name := r.Describe(id); name != "" {
			return id + ", " + name
		}
	}
	return id
}

// overfitting describes a CNN run whose dev EER was lowest before the last
// epoch while the train loss kept falling, or returns "".
func overfitting(r *Report, s System) string {
	n := len(s.Epochs)
	if s.BestEpoch < 1 || s.BestEpoch >= n {
		return ""
	}
	best, last := s.Epochs[s.BestEpoch-1], s.Epochs[n-1]
	if !(last.TrainLoss < best.TrainLoss) {
		return ""
	}
	return fmt.Sprintf("%s: dev EER was lowest after epoch %d of %d (%s %%; %s %% after the last) while the train loss "+
		"kept falling (%.3f → %.3f): with %d train utterances from %d replay configurations the network overfits "+
		"the train conditions; the model of epoch %d is kept.",
		s.Name, s.BestEpoch, n, pct(best.DevEER), pct(last.DevEER), best.TrainLoss, last.TrainLoss,
		r.Corpus[0].Genuine+r.Corpus[0].Spoof, r.Corpus[0].Configs, s.BestEpoch)
}

// compareBy says on how many conditions of a factor each of the two systems
// has the lower eval EER, and where the gap is largest each way: which
// kinds of replay each system handles better.
func compareBy(r *Report, key string, of func(*eval.Result) map[string]eval.Condition) string {
	a, b := r.Systems[0], r.Systems[1]
	ma, mb := of(a.Eval), of(b.Eval)
	ids := make([]string, 0, len(ma))
	for id := range ma {
		if _, ok := mb[id]; ok {
			ids = append(ids, id)
		}
	}
	if len(ids) < 2 {
		return ""
	}
	sort.Strings(ids)
	var winsA, winsB int
	var bestA, bestB string // largest gap in each system's favour
	for _, id := range ids {
		d := mb[id].EER - ma[id].EER // > 0: a is better
		switch {
		case d > 0:
			winsA++
			if bestA == "" || d > mb[bestA].EER-ma[bestA].EER {
				bestA = id
			}
		case d < 0:
			winsB++
			if bestB == "" || -d > ma[bestB].EER-mb[bestB].EER {
				bestB = id
			}
		}
	}
	gap := func(best string, own, other map[string]eval.Condition) string {
		if best == "" {
			return ""
		}
		return fmt.Sprintf(" (largest gap: %s, %s vs %s %%)", r.describe(best), pct(own[best].EER), pct(other[best].EER))
	}
	out := fmt.Sprintf("By %s, %s has the lower eval EER on %d of %d conditions%s, %s on %d%s",
		key, a.Name, winsA, len(ids), gap(bestA, ma, mb), b.Name, winsB, gap(bestB, mb, ma))
	if tie := len(ids) - winsA - winsB; tie > 0 {
		out += fmt.Sprintf("; %d equal", tie)
	}
	return out + "."
}

// separation says whether the 95 % confidence intervals of the two eval
// EERs overlap (a is the better system), or "" when they are unknown.
func separation(a, b System) string {
	if !known(a.EvalCI, a.Eval.EER) || !known(b.EvalCI, b.Eval.EER) {
		return ""
	}
	if a.EvalCI[1] < b.EvalCI[0] {
		return fmt.Sprintf("; the 95 %% intervals [%s, %s] and [%s, %s] do not overlap",
			pct(a.EvalCI[0]), pct(a.EvalCI[1]), pct(b.EvalCI[0]), pct(b.EvalCI[1]))
	}
	return fmt.Sprintf("; the 95 %% intervals [%s, %s] and [%s, %s] overlap: this corpus does not tell the two apart",
		pct(a.EvalCI[0]), pct(a.EvalCI[1]), pct(b.EvalCI[0]), pct(b.EvalCI[1]))
}

// ordering lists the replay environments from easiest to hardest by the
// mean eval EER of the systems (ties by ID): the corpus's easy-to-hard
// ladder as these systems see it.
func ordering(r *Report) string {
	mean := map[string]float64{}
	n := map[string]int{}
	for _, s := range r.Systems {
		for id, c := range s.Eval.By.Environment {
			if !math.IsNaN(c.EER) {
				mean[id] += c.EER
				n[id]++
			}
		}
	}
	if len(mean) < 2 {
		return ""
	}
	ids := make([]string, 0, len(mean))
	for id := range mean {
		mean[id] /= float64(n[id])
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		if mean[ids[i]] != mean[ids[j]] {
			return mean[ids[i]] < mean[ids[j]]
		}
		return ids[i] < ids[j]
	})
	out := "Replay environments from easiest to hardest (mean eval EER of the systems):"
	for i, id := range ids {
		if i > 0 {
			out += ","
		}
		out += fmt.Sprintf(" %s %s %%", r.describe(id), pct(mean[id]))
	}
	return out + "."
}
