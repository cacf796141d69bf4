package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deep4deep/deep4deep/audio"
	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/eval"
	"github.com/deep4deep/deep4deep/internal/cli"
)

// run runs the deep4deep command line and returns its exit status, stdout and
// stderr.
func run(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := cli.Main("deep4deep", commands, args, &out, &errb, false)
	return code, out.String(), errb.String()
}

// workflowCorpus writes a small separable corpus: genuine = harmonics of a
// gliding pitch + broadband noise in two 220 ms "syllables" between pauses
// (0.6 s, enough to pass the speech check of predict and score), spoof =
// the same low-passed and soft-clipped.
func workflowCorpus(t *testing.T, n int) string {
	root := t.TempDir()
	c := corpus.Corpus{Root: root}
	rng := rand.New(rand.NewPCG(9, 9))
	for _, set := range corpus.Sets {
		os.MkdirAll(filepath.Join(root, corpus.SetDir(set)), 0o755)
		var trials []corpus.Trial
		for i := 0; i < n; i++ {
			tr := corpus.Trial{File: fmt.Sprintf("%c_%07d.wav", "TDE"[set], 1000001+i), Label: corpus.Label(i % 2),
				Speaker: "M0001", Phrase: "S01", Environment: "-", Playback: "-", Recorder: "-"}
			if tr.Label == corpus.Spoof {
				tr.Environment, tr.Playback, tr.Recorder = "E01", "P01", "R01"
			}
			x := make([]float32, 9600)
			f0, lp, ph := 100+100*rng.Float64(), 0.0, 0.0
			for k := range x {
				sec := float64(k) / 16000
				ph += 2 * math.Pi * f0 * (1 + 0.6*sec) / 16000
				v := 0.0
				for h := 1; h <= 6; h++ {
					v += 0.15 / float64(h) * math.Sin(float64(h)*ph)
				}
				v += 0.05 * rng.NormFloat64()
				if !(sec >= 0.05 && sec < 0.27 || sec >= 0.33 && sec < 0.55) {
					v *= 0.01 // pause
				}
				if tr.Label == corpus.Spoof {
					lp += 0.3 * (v - lp)
					v = math.Tanh(2*lp) / 2
				}
				x[k] = float32(v)
			}
			if err := audio.WriteWAV16(c.AudioPath(set, tr), x, 16000); err != nil {
				t.Fatal(err)
			}
			trials = append(trials, tr)
		}
		if err := corpus.WriteProtocol(c.ProtocolPath(set), trials); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// TestWorkflow: train → score → eval → predict through the command line, for
// the CNN (a small architecture variant, for speed) and the GMM.
func TestWorkflow(t *testing.T) {
	root := workflowCorpus(t, 8)
	dir := t.TempDir()
	arch := filepath.Join(dir, "arch.json")
	os.WriteFile(arch, []byte(`{"input_height": 64, "input_width": 17,
		"blocks": [{"channels": [2], "pool_h": 2, "pool_w": 1}, {"channels": [4], "pool_h": 4, "pool_w": 2}],
		"dense": [{"units": 16, "dropout": 0.25}], "classes": 2}`), 0o644)
	models := map[string][]string{
		"cnn": {"--model", "cnn", "--arch", arch, "--epochs", "2", "--batch", "32", "--frames-per-utt", "30", "--threads", "2"},
		"gmm": {"--model", "gmm", "--features", "mfcc", "--components", "4", "--gmm-iters", "5", "--threads", "2"},
	}
	for name, flags := range models {
		t.Run(name, func(t *testing.T) {
			mdir := filepath.Join(dir, name)
			code, out, errs := run(append([]string{"train", "--quiet", "--corpus", root, "--out", mdir}, flags...)...)
			if code != 0 {
				t.Fatalf("train: exit %d: %s", code, errs)
			}
			if !strings.Contains(out, "dev EER") {
				t.Errorf("train printed %q", out)
			}
			scores := filepath.Join(dir, name+".scores")
			if code, _, errs := run("score", "--quiet", "--model", mdir, "--corpus", root, "--set", "eval", "--out", scores); code != 0 {
				t.Fatalf("score: exit %d: %s", code, errs)
			}
			got, err := eval.ReadScores(scores)
			if err != nil {
				t.Fatal(err)
			}
			trials, _ := corpus.ReadProtocol(filepath.Join(root, corpus.ProtocolFile(corpus.Eval)))
			if len(got) != len(trials) {
				t.Fatalf("%d scores for %d trials", len(got), len(trials))
			}
			// predict on two eval files gives the same scores.
			files := []string{
				filepath.Join(root, corpus.SetDir(corpus.Eval), trials[0].File),
				filepath.Join(root, corpus.SetDir(corpus.Eval), trials[1].File),
			}
			code, out, errs = run(append([]string{"predict", "--model", mdir, "--json"}, files...)...)
			if code != 0 {
				t.Fatalf("predict: exit %d: %s", code, errs)
			}
			sc := bufio.NewScanner(strings.NewReader(out))
			for i := 0; sc.Scan(); i++ {
				var p struct {
					File  string  `json:"file"`
					Score float64 `json:"score"`
					Label string  `json:"label"`
				}
				if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
					t.Fatalf("predict line %q: %v", sc.Text(), err)
				}
				want := got[trials[i].ID()]
				if p.File != files[i] || math.Abs(p.Score-want) > 1e-9*math.Max(1, math.Abs(want)) {
					t.Errorf("predict %+v, score file says %v", p, want)
				}
				if (p.Label == "genuine") != (p.Score > 0) {
					t.Errorf("label %q for score %v", p.Label, p.Score)
				}
			}
			code, out, _ = run("predict", "--model", mdir, files[0])
			if f := strings.Fields(out); code != 0 || len(f) != 3 || f[0] != files[0] {
				t.Errorf("predict text: exit %d, %q", code, out)
			}
		})
	}
}

func TestWorkflowErrors(t *testing.T) {
	dir := t.TempDir()
	wav := filepath.Join(dir, "a.wav")
	audio.WriteWAV16(wav, make([]float32, 4000), 16000)
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"train", "--corpus", dir}, 2, "--out"},
		{[]string{"train", "--corpus", dir, "--out", dir + "/m", "--model", "svm"}, 2, "svm"},
		{[]string{"train", "--corpus", dir, "--out", dir + "/m"}, 1, "protocol"},
		{[]string{"score", "--model", dir + "/none", "--corpus", dir, "--set", "dev", "--out", "x"}, 1, "does not exist"},
		{[]string{"score", "--model", dir, "--corpus", dir, "--set", "test", "--out", "x"}, 2, "set"},
		{[]string{"predict", "--model", dir}, 2, "no audio files"},
		{[]string{"predict", "--model", dir, wav}, 1, filepath.Join(dir, "config.json")},
	}
	for _, tc := range tests {
		code, _, errs := run(tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, %q; want exit %d mentioning %q", tc.args, code, errs, tc.code, tc.want)
		}
	}
}
