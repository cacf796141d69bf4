package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/internal/cli"
)

func synthCLI(args ...string) (stdout, stderr string, status int) {
	var o, e bytes.Buffer
	status = cli.Main("deep4deep", commands, args, &o, &e, false)
	return o.String(), e.String(), status
}

// TestSynthCommand writes a corpus like a two-row-per-set protocol folder
// and checks the layout, the summary and the refusals.
func TestSynthCommand(t *testing.T) {
	like := filepath.Join(t.TempDir(), "protocol_V2")
	for _, s := range corpus.Sets {
		p := strings.ToUpper(s.String()[:1])
		rows := []corpus.Trial{
			{File: p + "_1.wav", Label: corpus.Genuine, Speaker: "M0001", Phrase: "S02", Environment: "-", Playback: "-", Recorder: "-"},
			{File: p + "_2.wav", Label: corpus.Spoof, Speaker: "M0001", Phrase: "S02", Environment: "E01", Playback: "P15", Recorder: "R13"},
		}
		if err := corpus.WriteProtocol(filepath.Join(like, filepath.Base(corpus.ProtocolFile(s))), rows); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "corpus")
	stdout, stderr, st := synthCLI("synth", "--out", out, "--like", like, "--seed", "3", "--workers", "2")
	if st != 0 {
		t.Fatalf("status %d: %s", st, stderr)
	}
	if !strings.Contains(stdout, "wrote 6 files") {
		t.Errorf("stdout %q", stdout)
	}
	c := corpus.Corpus{Root: out}
	for _, s := range corpus.Sets {
		if ts, err := c.Trials(s); err != nil || len(ts) != 2 {
			t.Errorf("%s: %d trials, %v", s, len(ts), err)
		}
	}
	readme, err := os.ReadFile(filepath.Join(out, "README"))
	if err != nil || !strings.Contains(string(readme), "deep4deep synth --out") {
		t.Errorf("README: %v\n%s", err, readme)
	}
	for _, tc := range []struct {
		args   []string
		status int
		want   string
	}{
		{[]string{"synth", "--out", out, "--like", like}, 1, "not empty"},
		{[]string{"synth"}, 2, "--out is required"},
		{[]string{"synth", "--out", out, "--scale", "0"}, 2, "--scale"},
		{[]string{"synth", "--out", out, "--workers", "0"}, 2, "--workers"},
		{[]string{"synth", "--out", filepath.Join(t.TempDir(), "x"), "--like", filepath.Join(t.TempDir(), "none")}, 1, "none"},
	} {
		_, stderr, st := synthCLI(tc.args...)
		if st != tc.status || !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 && tc.status == 1 {
			t.Errorf("%v: status %d, stderr %q; want %d and %q", tc.args, st, stderr, tc.status, tc.want)
		}
	}
}
