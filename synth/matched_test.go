package synth_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/demo"
	"github.com/deep4deep/deep4deep/eval"
	"github.com/deep4deep/deep4deep/synth"
	"github.com/deep4deep/deep4deep/train"
)

// TestMatchedCNN is the matched-condition check of the corpus
// (DEEP4DEEP_LONG=1; about 10 CPU-minutes): the seed CNN, trained with fast
// settings (6 epochs of 100 random frames per utterance) on a matched
// corpus (synth --matched: train, dev and eval share every replay
// configuration, speakers disjoint) at scale 0.1 (eval: 130 genuine and
// about 480 spoof trials), must reach ≤ 3 % pooled eval EER and ≤ 10 % on
// every environment, playback and recording device with at least 5 spoof
// trials: every replay chain carries a cue a detector can learn. The
// table it logs gives each EER a seeded 95 % bootstrap interval.
// DEEP4DEEP_MATCHED_SCALE overrides the scale, DEEP4DEEP_MATCHED_SEED the
// seed of both the corpus and the training (default 1),
// DEEP4DEEP_MATCHED_EPOCHS and DEEP4DEEP_MATCHED_FRAMES the training (6
// epochs of 100 frames per utterance). It also logs, without asserting it,
// the pooled EER without the chains CONDITIONS.md finds transparent.
func TestMatchedCNN(t *testing.T) {
	if os.Getenv("DEEP4DEEP_LONG") == "" {
		t.Skip("set DEEP4DEEP_LONG=1")
	}
	scale := 0.1
	if s := os.Getenv("DEEP4DEEP_MATCHED_SCALE"); s != "" {
		var err error
		if scale, err = strconv.ParseFloat(s, 64); err != nil {
			t.Fatal(err)
		}
	}
	epochs, frames := 6, 100
	for _, v := range []struct {
		name string
		dst  *int
	}{{"DEEP4DEEP_MATCHED_EPOCHS", &epochs}, {"DEEP4DEEP_MATCHED_FRAMES", &frames}} {
		if s := os.Getenv(v.name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 {
				t.Fatalf("%s=%q: want a positive integer", v.name, s)
			}
			*v.dst = n
		}
	}
	seed := uint64(1)
	if s := os.Getenv("DEEP4DEEP_MATCHED_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	root := filepath.Join(t.TempDir(), "corpus")
	if err := synth.Generate(ctx, synth.Options{Out: root, Scale: scale, Seed: seed, Matched: true}); err != nil {
		t.Fatal(err)
	}
	c := corpus.Corpus{Root: root}
	o := train.DefaultCNNOptions()
	o.Corpus, o.Out = c, filepath.Join(t.TempDir(), "cnn")
	o.Epochs, o.FramesPerUtt, o.DevFrames, o.Patience = epochs, frames, 100, 0
	o.Seed = seed
	o.Logf = t.Logf
	res, err := train.TrainCNN(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	trials, err := c.Trials(corpus.Eval)
	if err != nil {
		t.Fatal(err)
	}
	paths := make([]string, len(trials))
	ids := make([]string, len(trials))
	for i, tr := range trials {
		paths[i], ids[i] = c.AudioPath(corpus.Eval, tr), tr.ID()
	}
	scores, err := res.Model.ScoreFiles(ctx, paths, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]float64{}
	for i, id := range ids {
		byID[id] = scores[i]
	}
	r, err := eval.Evaluate(trials, byID, false)
	if err != nil {
		t.Fatal(err)
	}
	// 95 % intervals: a stratified bootstrap over trials (demo.BootstrapEER,
	// seeded), every condition's spoofs against all genuine trials, as in
	// its EER.
	var genuine []float64
	spoofs := map[string][]float64{} // "pooled", environment, playback and recorder IDs
	for i, tr := range trials {
		if tr.Label == corpus.Genuine {
			genuine = append(genuine, scores[i])
			continue
		}
		for _, k := range []string{"pooled", tr.Environment, tr.Playback, tr.Recorder} {
			spoofs[k] = append(spoofs[k], scores[i])
		}
	}
	ci := func(k string) string {
		lo, hi := demo.BootstrapEER(genuine, spoofs[k], demo.BootstrapResamples, 1)
		return fmt.Sprintf("[%5.2f, %5.2f]", 100*lo, 100*hi)
	}
	// For information (not asserted): the pooled EER without the chains
	// that synth/CONDITIONS.md ("What stays nearly undetectable") finds
	// transparent at physical magnitudes, which the owner may exempt.
	for i, tr := range trials {
		if tr.Label != corpus.Genuine && !transparentChain(tr) {
			spoofs["with a cue"] = append(spoofs["with a cue"], scores[i])
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "matched check, seed %d, scale %g, %d epochs × %d frames: eval %d genuine / %d spoof, pooled EER %.2f %% %s (dev %.2f %%, best epoch %d)\n",
		seed, scale, epochs, frames, r.NGenuine, r.NSpoof, 100*r.EER, ci("pooled"), 100*res.DevEER, res.BestEpoch)
	fmt.Fprintf(&b, "  pooled without the transparent chains (%d spoofs, not asserted): EER %.2f %% %s\n",
		len(spoofs["with a cue"]), 100*eval.EER(genuine, spoofs["with a cue"]), ci("with a cue"))
	if r.EER > 0.03 {
		t.Errorf("pooled eval EER %.2f %% > 3 %%", 100*r.EER)
	}
	for _, f := range []struct {
		name string
		by   map[string]eval.Condition
	}{{"environment", r.By.Environment}, {"playback", r.By.Playback}, {"recorder", r.By.Recorder}} {
		keys := make([]string, 0, len(f.by))
		for k := range f.by {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		worst := ""
		for _, k := range keys {
			cnd := f.by[k]
			fmt.Fprintf(&b, "  %-11s %s %-36s %4d spoofs  EER %6.2f %% %s\n", f.name, k, synth.DescribeCondition(k), cnd.NSpoof, 100*cnd.EER, ci(k))
			if cnd.NSpoof < 5 {
				continue
			}
			if worst == "" || cnd.EER > f.by[worst].EER {
				worst = k
			}
			if cnd.EER > 0.10 {
				t.Errorf("%s %s (%s): EER %.2f %% > 10 %% on %d spoofs", f.name, k, synth.DescribeCondition(k), 100*cnd.EER, cnd.NSpoof)
			}
		}
		if worst != "" {
			fmt.Fprintf(&b, "  worst %s: %s (%s) %.2f %% %s, %d spoofs\n", f.name, worst, synth.DescribeCondition(worst), 100*f.by[worst].EER, ci(worst), f.by[worst].NSpoof)
		}
	}
	t.Log(b.String())
}

// transparentChain reports whether a spoof's replay chain is one that
// synth/CONDITIONS.md lists as transparent at physical magnitudes: a studio
// monitor (P10, P15) in an anechoic room (E01, E23) into the studio
// microphone (R13), a line output (P13, P23, P24) into a line input (R08,
// R23, R24), or any device over an analog wire (E24–E26).
func transparentChain(tr corpus.Trial) bool {
	in := func(v string, set ...string) bool { return slices.Contains(set, v) }
	switch {
	case in(tr.Environment, "E24", "E25", "E26"):
		return true
	case in(tr.Environment, "E01", "E23") && in(tr.Playback, "P10", "P15") && tr.Recorder == "R13":
		return true
	case in(tr.Playback, "P13", "P23", "P24") && in(tr.Recorder, "R08", "R23", "R24"):
		return true
	}
	return false
}
