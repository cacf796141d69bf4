package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deep4deep/deep4deep/defaultmodel"
)

// TestPredictKeepsGoing: a bad file among good ones gets its own error line
// (text: on stderr; --json: an object with "error"), the good files are
// scored in order, and the exit status is 1. Without --model the built-in
// model scores, MP3 included.
func TestPredictKeepsGoing(t *testing.T) {
	good := "../../serve/testdata/genuine.wav"
	mp3 := "../../audio/testdata/mp3/mono16k.mp3"
	bad := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(bad, []byte("not audio"), 0o644)
	missing := filepath.Join(t.TempDir(), "missing.wav")

	_, info, err := defaultmodel.Open("")
	if err != nil {
		t.Fatal(err)
	}
	code, out, errs := run("predict", "--json", good, bad, mp3, missing)
	if code != 1 {
		t.Fatalf("exit %d, %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines: %q", len(lines), out)
	}
	for i, want := range []struct{ file, err string }{{good, ""}, {bad, "unsupported audio format"}, {mp3, ""}, {missing, "no such file"}} {
		var v struct {
			File, Label, Error string
			LLR                *float64
		}
		if err := json.Unmarshal([]byte(lines[i]), &v); err != nil {
			t.Fatal(err)
		}
		if v.File != want.file || (want.err == "") != (v.Error == "") || !strings.Contains(v.Error, want.err) {
			t.Errorf("line %d: %+v, want %+v", i, v, want)
		}
		if want.err == "" && (v.Label == "" || (v.LLR != nil) != info.Calibrated) {
			t.Errorf("line %d: label %q, llr %v (built-in model calibrated: %v)", i, v.Label, v.LLR, info.Calibrated)
		}
	}
	if !strings.Contains(errs, "2 of 4 files could not be scored") {
		t.Errorf("stderr %q", errs)
	}
	code, out, errs = run("predict", good, bad)
	if code != 1 || strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, good+" ") ||
		!strings.Contains(errs, bad+": unsupported audio format") {
		t.Errorf("text: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

func TestModelInfo(t *testing.T) {
	code, out, errs := run("model", "info")
	if code != 0 || !strings.Contains(out, "deep4deep-default") || !strings.Contains(out, "hash:        sha256:") {
		t.Errorf("model info: exit %d, %q %q", code, out, errs)
	}
	code, out, _ = run("model", "info", "--json", "../../model/testdata/cnn")
	var v map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &v) != nil || v["kind"] != "cnn" || v["name"] != "cnn" {
		t.Errorf("model info --json DIR: exit %d, %q", code, out)
	}
	if code, _, errs := run("model", "info", "/nonexistent"); code != 1 || !strings.Contains(errs, "/nonexistent") {
		t.Errorf("missing dir: exit %d, %q", code, errs)
	}
	if code, _, _ := run("model", "frobnicate"); code != 2 {
		t.Errorf("bad subcommand: exit %d", code)
	}
}
