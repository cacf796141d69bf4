package main

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deep4deep/deep4deep/audio"
	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/features"
	"github.com/deep4deep/deep4deep/internal/cli"
)

func featuresCLI(args ...string) (stdout, stderr string, status int) {
	var o, e bytes.Buffer
	status = cli.Main("deep4deep", commands, args, &o, &e, false)
	return o.String(), e.String(), status
}

// tinyCorpus writes a dev set of n short utterances.
func tinyCorpus(t *testing.T, n int) (root string, trials []corpus.Trial) {
	t.Helper()
	root = t.TempDir()
	c := corpus.Corpus{Root: root}
	if err := os.MkdirAll(filepath.Join(root, corpus.SetDir(corpus.Dev)), 0o755); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		tr := corpus.Trial{File: fmt.Sprintf("D_%07d.wav", i+1), Label: corpus.Genuine, Speaker: "M0011", Phrase: "S01",
			Environment: "-", Playback: "-", Recorder: "-"}
		if i%2 == 1 {
			tr.Label, tr.Environment, tr.Playback, tr.Recorder = corpus.Spoof, "E01", "P01", "R01"
		}
		x := make([]float32, 4000+100*i)
		for k := range x {
			x[k] = float32(0.3 * math.Sin(float64(k)*0.05*float64(i+1)))
		}
		if err := audio.WriteWAV16(c.AudioPath(corpus.Dev, tr), x, 16000); err != nil {
			t.Fatal(err)
		}
		trials = append(trials, tr)
	}
	if err := corpus.WriteProtocol(c.ProtocolPath(corpus.Dev), trials); err != nil {
		t.Fatal(err)
	}
	return root, trials
}

func TestFeaturesCommand(t *testing.T) {
	root, trials := tinyCorpus(t, 5)
	out := filepath.Join(t.TempDir(), "feats")
	stdout, stderr, st := featuresCLI("features", "--corpus", root, "--set", "dev", "--out", out, "--workers", "2")
	if st != 0 {
		t.Fatalf("status %d: %s", st, stderr)
	}
	if !strings.Contains(stdout, "5 files") {
		t.Errorf("stdout %q", stdout)
	}
	ex, _ := features.New(features.DefaultConfig(features.Fbank))
	c := corpus.Corpus{Root: root}
	for _, tr := range trials {
		got, err := features.ReadNpyFile(filepath.Join(out, tr.ID()+".npy"))
		if err != nil {
			t.Fatal(err)
		}
		x, _ := audio.Load(c.AudioPath(corpus.Dev, tr), 16000)
		var want features.Matrix
		ex.Extract(&want, x)
		if got.Rows != want.Rows || got.Cols != 64 {
			t.Fatalf("%s: %d×%d, want %d×64", tr.ID(), got.Rows, got.Cols, want.Rows)
		}
		for i := range want.Data {
			if got.Data[i] != want.Data[i] {
				t.Fatalf("%s: value %d differs", tr.ID(), i)
			}
		}
	}

	// cmp format and another kind.
	out2 := filepath.Join(t.TempDir(), "mfcc")
	if _, stderr, st := featuresCLI("features", "--corpus", root, "--set", "dev", "--out", out2,
		"--kind", "mfcc", "--format", "cmp"); st != 0 {
		t.Fatalf("mfcc/cmp: status %d: %s", st, stderr)
	}
	m, err := features.ReadCmpFile(filepath.Join(out2, trials[2].ID()+".cmp"), 20)
	if err != nil || m.Rows == 0 {
		t.Fatalf("mfcc cmp: %v", err)
	}
}

func TestFeaturesCommandErrors(t *testing.T) {
	root, trials := tinyCorpus(t, 6)
	c := corpus.Corpus{Root: root}
	bad := c.AudioPath(corpus.Dev, trials[3])
	if err := os.WriteFile(bad, []byte("RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "feats")
	_, stderr, st := featuresCLI("features", "--corpus", root, "--set", "dev", "--out", out)
	if st != 1 || !strings.Contains(stderr, trials[3].File) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Fatalf("status %d, stderr %q: want 1 and one line naming %s", st, stderr, trials[3].File)
	}
	// Nothing half-written: every file present is complete and readable,
	// there are no temporary files, and the bad utterance has no output.
	ents, _ := os.ReadDir(out)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file left behind: %s", e.Name())
			continue
		}
		if _, err := features.ReadNpyFile(filepath.Join(out, e.Name())); err != nil {
			t.Errorf("incomplete output: %v", err)
		}
	}
	if _, err := os.Stat(filepath.Join(out, trials[3].ID()+".npy")); !os.IsNotExist(err) {
		t.Errorf("output written for the bad file: %v", err)
	}

	// A missing file is named before any work starts.
	os.Remove(c.AudioPath(corpus.Dev, trials[1]))
	if _, stderr, st := featuresCLI("features", "--corpus", root, "--set", "dev", "--out", out); st != 1 || !strings.Contains(stderr, trials[1].File) {
		t.Errorf("missing file: status %d, %q", st, stderr)
	}

	for _, args := range [][]string{
		{"--corpus", root, "--set", "test", "--out", out},
		{"--corpus", root, "--set", "dev", "--out", out, "--kind", "mel"},
		{"--corpus", root, "--set", "dev", "--out", out, "--format", "csv"},
		{"--corpus", root, "--set", "dev"},
		{"--corpus", root, "--set", "dev", "--out", out, "--workers", "0"},
	} {
		if _, stderr, st := featuresCLI(append([]string{"features"}, args...)...); st != 2 {
			t.Errorf("%v: status %d (%q), want 2", args, st, stderr)
		}
	}
}
