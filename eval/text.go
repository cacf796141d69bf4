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
	if r.TDCFLegacy != nil {
		fmt.Fprintf(bw, "min t-DCF (legacy, ASVspoof 2019)    %8.4f\n", *r.TDCFLegacy)
	}
	if r.TDCFRevised != nil {
		fmt.Fprintf(bw, "min t-DCF (revised, ASVspoof 2021)   %8.4f\n", *r.TDCFRevised)
	}
	if a := r.TDCFASV; a != nil {
		fmt.Fprintf(bw, "  ASV operating point: %s: Pfa %.5f, Pmiss %.5f, Pmiss(spoof) %.5f\n", a.Source, a.PfaASV, a.PmissASV, a.PmissSpoofASV)
	}
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
	legacy := len(r.By.Columns) == 0 || len(r.By.Environment)+len(r.By.Playback)+len(r.By.Recorder)+len(r.By.Phrase) > 0
	for _, s := range sections {
		if !legacy {
			break
		}
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

	ownTable := func(name string, m map[string]Phrase) {
		fmt.Fprintf(bw, "\nEER by %s (its spoof trials against all %d genuine trials; own: against the genuine trials with the same %s, if any):\n", name, r.NGenuine, name)
		keys := sortedMapKeys(m)
		wid := keyWidth(name, keys)
		hasOwn := false
		for _, v := range m {
			hasOwn = hasOwn || v.EEROwn != nil
		}
		if !hasOwn { // no genuine trial carries this column (an attack)
			fmt.Fprintf(tw, "  %-*s\tEER %%\tEER step %%\tspoof\t\n", wid, name)
			for _, k := range keys {
				v := m[k]
				fmt.Fprintf(tw, "  %-*s\t%s\t%s\t%d\t\n", wid, k, pct(v.EER), pct(v.EERStep), v.NSpoof)
			}
			tw.Flush()
			return
		}
		fmt.Fprintf(tw, "  %-*s\tEER %%\tEER step %%\tspoof\town EER %%\town EER step %%\tgenuine\t\n", wid, name)
		for _, k := range keys {
			v := m[k]
			own, ownStep := "-", "-"
			if v.EEROwn != nil {
				own, ownStep = pct(*v.EEROwn), pct(*v.EERStepOwn)
			}
			fmt.Fprintf(tw, "  %-*s\t%s\t%s\t%d\t%s\t%s\t%d\t\n", wid, k, pct(v.EER), pct(v.EERStep), v.NSpoof, own, ownStep, v.NGenuineOwn)
		}
		tw.Flush()
	}
	if legacy {
		ownTable("phrase", r.By.Phrase)
	}
	for _, name := range sortedMapKeys(r.By.Columns) {
		ownTable(name, r.By.Columns[name])
	}
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
