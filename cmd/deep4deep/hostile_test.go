package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deep4deep/deep4deep/audio"
	"github.com/deep4deep/deep4deep/corpus"
)

// fixtureModel is the PyTorch-written CNN fixture of package model.
const fixtureModel = "../../model/testdata/cnn"

// TestPredictHostileCLI: every crafted file of audio/testdata/hostile gives
// predict an error naming it (exit 1; with --json one object with "error")
// or the label no_speech with its score and a reason.
func TestPredictHostileCLI(t *testing.T) {
	dir := "../../audio/testdata/hostile"
	for _, tc := range []struct{ file, want string }{
		{"flac_streaminfo_huge.flac", "the limit is 1h0m0s (raise the limit with --max-duration)"},
		{"flac_2g_badframe.flac", "the limit is 1h0m0s (raise the limit with --max-duration)"},
		{"flac_59min_badframe.flac", "corrupt FLAC"},
		{"flac_bomb.flac", "decompression bomb"},
		{"wav_1hz.wav", "sample rate 1 Hz"},
		{"wav_float_1e30.wav", "beyond ±16"},
		{"silence.wav", "silent"},
		{"white_noise.wav", "stationary"},
		{"square_200hz.wav", "stationary"},
		{"tone_1khz.wav", "stationary"},
		{"sweep.wav", "stationary"},
	} {
		path := filepath.Join(dir, tc.file)
		code, out, errs := run("predict", "--model", fixtureModel, "--json", path)
		if strings.HasSuffix(tc.file, ".flac") || strings.HasPrefix(tc.file, "wav_") {
			// predict keeps going past a bad file: with --json its line is
			// an object with "error" (naming the file), and the exit status 1.
			var e struct{ File, Error string }
			if err := json.Unmarshal([]byte(out), &e); err != nil || code != 1 || strings.Count(out, "\n") != 1 ||
				e.File != path || !strings.Contains(e.Error, path) || !strings.Contains(e.Error, tc.want) {
				t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 1 and one error object naming it with %q", tc.file, code, out, errs, tc.want)
			}
			continue
		}
		var p struct {
			File   string   `json:"file"`
			Score  *float64 `json:"score"`
			Label  string   `json:"label"`
			Reason string   `json:"reason"`
		}
		if err := json.Unmarshal([]byte(out), &p); err != nil || code != 0 {
			t.Fatalf("%s: exit %d, %q, %v", tc.file, code, out+errs, err)
		}
		if p.File != path || p.Score == nil || p.Label != "no_speech" || !strings.HasPrefix(p.Reason, tc.want) {
			t.Errorf("%s: %+v; want no_speech, a score and reason %q…", tc.file, p, tc.want)
		}
		code, out, _ = run("predict", "--model", fixtureModel, path)
		if f := strings.Fields(out); code != 0 || len(f) != 3 || f[2] != "no_speech" {
			t.Errorf("%s: text output %q", tc.file, out)
		}
	}
}

func TestMaxDurationFlag(t *testing.T) {
	wav := "../../model/testdata/cnn.wav"
	code, _, errs := run("predict", "--model", fixtureModel, "--max-duration", "100ms", wav)
	if code != 1 || !strings.Contains(errs, wav) || !strings.Contains(errs, "the limit is 100ms (raise the limit with --max-duration)") {
		t.Errorf("100 ms limit: exit %d, %q", code, errs)
	}
	if code, _, errs := run("predict", "--model", fixtureModel, "--max-duration", "10s", wav); code != 0 {
		t.Errorf("10 s limit: exit %d, %q", code, errs)
	}
	for _, cmd := range [][]string{
		{"predict", "--model", fixtureModel, wav},
		{"score", "--model", fixtureModel, "--corpus", "x", "--set", "eval", "--out", "x"},
		{"features", "--corpus", "x", "--set", "eval", "--out", "x"},
		{"train", "--corpus", "x", "--out", "x"},
	} {
		args := append([]string{cmd[0], "--max-duration", "-1s"}, cmd[1:]...)
		if code, _, errs := run(args...); code != 2 || !strings.Contains(errs, "--max-duration -1s") {
			t.Errorf("%s --max-duration -1s: exit %d, %q", cmd[0], code, errs)
		}
	}
}

// TestMaxDurationTrainFeatures: the limit reaches the audio that train and
// features read (the corpus's files last 0.6 s).
func TestMaxDurationTrainFeatures(t *testing.T) {
	root := workflowCorpus(t, 2)
	out := t.TempDir()
	for _, args := range [][]string{
		{"train", "--corpus", root, "--out", filepath.Join(out, "m"), "--model", "gmm", "--components", "2", "--max-duration", "500ms"},
		{"train", "--corpus", root, "--out", filepath.Join(out, "c"), "--epochs", "1", "--max-duration", "500ms"},
		{"features", "--corpus", root, "--set", "dev", "--out", filepath.Join(out, "f"), "--max-duration", "500ms"},
	} {
		code, _, errs := run(append(args, "--quiet")...)
		if code != 1 || !strings.Contains(errs, ".wav: audio longer than the duration limit") || !strings.Contains(errs, "the limit is 500ms (raise the limit with --max-duration)") {
			t.Errorf("%s: exit %d, %q", args[0], code, errs)
		}
	}
	if code, _, errs := run("features", "--corpus", root, "--set", "dev", "--out", filepath.Join(out, "f"), "--max-duration", "700ms", "--quiet"); code != 0 {
		t.Errorf("features, 700 ms limit: exit %d, %q", code, errs)
	}
}

// TestScoreWarnsNoSpeech: score writes every trial's score and counts those
// without speech in a warning.
func TestScoreWarnsNoSpeech(t *testing.T) {
	root := workflowCorpus(t, 4)
	c := corpus.Corpus{Root: root}
	trials, err := c.Trials(corpus.Eval)
	if err != nil {
		t.Fatal(err)
	}
	if err := audio.WriteWAV16(c.AudioPath(corpus.Eval, trials[2]), make([]float32, 16000), 16000); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "s.txt")
	code, _, errs := run("score", "--model", fixtureModel, "--corpus", root, "--set", "eval", "--out", out, "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	want := "warning: 1 of 4 trials hold no speech (no_speech; scored all the same); " + trials[2].ID() + ": silent"
	if !strings.HasPrefix(errs, want) || strings.Count(errs, "\n") != 1 {
		t.Errorf("stderr %q, want %q…", errs, want)
	}
	data, err := os.ReadFile(out)
	if err != nil || strings.Count(string(data), "\n") != 4 {
		t.Errorf("score file %q, %v", data, err)
	}
}
