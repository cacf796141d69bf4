package eval

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
)

// WriteText writes r as a human-readable report: the two EERs in percent,
// trial counts, the decision metrics and confusion matrix, and one table per
// breakdown (values in sorted order).
func (r *Result) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', tabwriter.AlignRight)
	pct := func(x float64) string { return fmt.Sprintf("%.2f", 100*x) }

	fmt.Fprintf(bw, "EER (ROCCH, ASVspoof 2017 official)  %6.2f %%\n", 100*r.EER)
	fmt.Fprintf(bw, "EER (step, ASVspoof 2019/2021)       %6.2f %%\n", 100*r.EERStep)
	fmt.Fprintf(bw, "Cllr %.4f bits (min %.4f); DCF (ASVspoof 5: Pspoof 0.05, Cmiss 1, Cfa 10) actual %.4f, min %.4f\n",
		r.Cllr, r.MinCllr, r.ActDCF, r.MinDCF)
	fmt.Fprintf(bw, "trials: %d genuine, %d spoof scored; %d missing; %d extra scores ignored\n\n",
		r.NGenuine, r.NSpoof, r.Missing, r.Extra)

	fmt.Fprintf(bw, "decision score > 0 => genuine (genuine = positive class):\n")
	fmt.Fprintf(bw, "  accuracy %s %%   precision %s %%   recall %s %%   F1 %s %%\n",
		pct(r.Accuracy), pct(r.Precision), pct(r.Recall), pct(r.F1))
	c := r.Confusion
	fmt.Fprintf(tw, "  true \\ decided\tgenuine\tspoof\t\n")
	fmt.Fprintf(tw, "  %-14s\t%d\t%d\t\n", "genuine", c.GenuineAsGenuine, c.GenuineAsSpoof)
	fmt.Fprintf(tw, "  %-14s\t%d\t%d\t\n", "spoof", c.SpoofAsGenuine, c.SpoofAsSpoof)
	tw.Flush()

	sections := []struct {
		name string
		m    map[string]Condition
	}{
		{"environment", r.By.Environment},
		{"playback device", r.By.Playback},
		{"recording device", r.By.Recorder},
	}
	for _, s := range sections {
		fmt.Fprintf(bw, "\nEER by %s (its spoof trials against all %d genuine trials):\n", s.name, r.NGenuine)
		keys := sortedMapKeys(s.m)
		wid := keyWidth(s.name, keys)
		fmt.Fprintf(tw, "  %-*s\tEER %%\tEER step %%\tspoof\t\n", wid, s.name)
		for _, k := range keys {
			v := s.m[k]
			fmt.Fprintf(tw, "  %-*s\t%s\t%s\t%d\t\n", wid, k, pct(v.EER), pct(v.EERStep), v.NSpoof)
		}
		tw.Flush()
	}

	fmt.Fprintf(bw, "\nEER by phrase (its spoof trials against all %d genuine trials; own: against its own genuine trials):\n", r.NGenuine)
	keys := sortedMapKeys(r.By.Phrase)
	wid := keyWidth("phrase", keys)
	fmt.Fprintf(tw, "  %-*s\tEER %%\tEER step %%\tspoof\town EER %%\town EER step %%\tgenuine\t\n", wid, "phrase")
	for _, k := range keys {
		v := r.By.Phrase[k]
		own, ownStep := "-", "-"
		if v.EEROwn != nil {
			own, ownStep = pct(*v.EEROwn), pct(*v.EERStepOwn)
		}
		fmt.Fprintf(tw, "  %-*s\t%s\t%s\t%d\t%s\t%s\t%d\t\n", wid, k, pct(v.EER), pct(v.EERStep), v.NSpoof, own, ownStep, v.NGenuineOwn)
	}
	tw.Flush()
	return bw.Flush()
}

func sortedMapKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// keyWidth is the width of a left-aligned first column (tabwriter aligns
// every column right).
func keyWidth(head string, keys []string) int {
	w := len(head)
	for _, k := range keys {
		w = max(w, len(k))
	}
	return w
}
