package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deep4deep/deep4deep/internal/cli"
)

// evalFixture writes a small protocol and two score files: sys A separates
// the classes except for one tie, sys B has one missing trial.
func evalFixture(t *testing.T) (dir, protocol, a, b string) {
	t.Helper()
	dir = t.TempDir()
	protocol = filepath.Join(dir, "eval.trl.txt")
	var proto, sa, sb strings.Builder
	for i := 0; i < 40; i++ {
		id := fmt.Sprintf("E_%07d", i)
		if i%4 == 0 {
			fmt.Fprintf(&proto, "%s.wav genuine M0001 S0%d - - -\n", id, i%10)
			fmt.Fprintf(&sa, "%s %d\n", id, 100+i)
		} else {
			fmt.Fprintf(&proto, "%s.wav spoof M0001 S0%d E0%d P01 R0%d\n", id, i%10, 1+i%3, 1+i%2)
			fmt.Fprintf(&sa, "%s.wav %d\n", id, -i)
		}
		if i != 5 {
			fmt.Fprintf(&sb, "%s %g\n", id, float64(i%7)-3)
		}
	}
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("eval.trl.txt", proto.String())
	return dir, protocol, write("a.txt", sa.String()), write("b.txt", sb.String())
}

func runCLI(args ...string) (stdout, stderr string, status int) {
	var o, e bytes.Buffer
	status = cli.Main("deep4deep", commands, args, &o, &e, false)
	return o.String(), e.String(), status
}

func TestEvalCommand(t *testing.T) {
	dir, protocol, a, b := evalFixture(t)

	out, errOut, st := runCLI("eval", "--scores", a, "--protocol", protocol, "--json")
	if st != 0 {
		t.Fatalf("status %d: %s", st, errOut)
	}
	var r map[string]any
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, out)
	}
	if r["eer"] != 0.0 || r["n_genuine"] != 10.0 || r["n_spoof"] != 30.0 || r["missing"] != 0.0 {
		t.Errorf("JSON %s", out)
	}
	if env := r["by"].(map[string]any)["environment"].(map[string]any); len(env) != 3 {
		t.Errorf("environments %v", env)
	}

	// Missing score: failure naming the file, unless allowed.
	_, errOut, st = runCLI("eval", "--scores", b, "--protocol", protocol)
	if st != 1 || !strings.Contains(errOut, b+": 1 of 40 protocol trials have no score (first: E_0000005)") || strings.Count(errOut, "\n") != 1 {
		t.Errorf("missing: status %d, stderr %q", st, errOut)
	}
	det := filepath.Join(dir, "det.png")
	out, errOut, st = runCLI("eval", "--scores", "good="+a, "--scores", b, "--protocol", protocol, "--allow-missing", "--det", det)
	if st != 0 {
		t.Fatalf("status %d: %s", st, errOut)
	}
	for _, want := range []string{"good", "== b: " + b, "EER (ROCCH, ASVspoof 2017 official)", "E02"} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "1 of 40 protocol trials have no score") {
		t.Errorf("no warning about the missing score: %q", errOut)
	}
	f, err := os.Open(det)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Errorf("DET plot: %v", err)
	}

	out, _, st = runCLI("eval", "--scores", "good="+a, "--scores", "weak="+b, "--protocol", protocol, "--allow-missing", "--json")
	var multi struct {
		Systems map[string]struct {
			Scores  string  `json:"scores"`
			EER     float64 `json:"eer"`
			Missing int     `json:"missing"`
		}
	}
	if err := json.Unmarshal([]byte(out), &multi); st != 0 || err != nil || len(multi.Systems) != 2 ||
		multi.Systems["weak"].Missing != 1 || multi.Systems["good"].Scores != a {
		t.Errorf("multi-system JSON (status %d, %v): %s", st, err, out)
	}

	// Bad usage and bad input.
	bad := filepath.Join(dir, "bad.txt")
	os.WriteFile(bad, []byte("E_0000000 1\nE_0000001 inf\n"), 0o644)
	for _, tc := range []struct {
		args   []string
		status int
		want   string
	}{
		{[]string{"eval", "--protocol", protocol}, 2, "--scores is required"},
		{[]string{"eval", "--scores", a}, 2, "--protocol is required"},
		{[]string{"eval", "--scores", "x=" + a, "--scores", "x=" + b, "--protocol", protocol}, 2, `label "x" given to 2 score files`},
		{[]string{"eval", "--scores", bad, "--protocol", protocol}, 1, bad + `:2: score "inf" is not finite`},
		{[]string{"eval", "--scores", filepath.Join(dir, "none.txt"), "--protocol", protocol}, 1, "none.txt"},
		{[]string{"eval", "--scores", a, "--protocol", a}, 1, a + ":1:"},
	} {
		_, errOut, st := runCLI(tc.args...)
		if st != tc.status || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: status %d, stderr %q; want %d and %q", tc.args, st, errOut, tc.status, tc.want)
		}
	}
}
