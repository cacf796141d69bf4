package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// demoProtocols writes a tiny protocol_V2 folder (disjoint speakers, eval
// conditions unseen in train and dev) for a demo run of seconds.
func demoProtocols(t *testing.T) string {
	dir := t.TempDir()
	write := func(name, prefix string, speakers []string, genuine int, configs []string, per int) {
		var b strings.Builder
		n := 0
		line := func(label, cond string) {
			n++
			fmt.Fprintf(&b, "%s_%07d.wav %s %s S%02d %s\n", prefix, 1000000+n, label, speakers[n%len(speakers)], 1+n%10, cond)
		}
		for range genuine {
			line("genuine", "- - -")
		}
		for _, c := range configs {
			for range per {
				line("spoof", c)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	known := []string{"E07 P20 R14", "E19 P22 R22"}
	write("ASVspoof2017_V2_train.trn.txt", "T", []string{"M0001", "M0002"}, 6, known, 3)
	write("ASVspoof2017_V2_dev.trl.txt", "D", []string{"M0011", "M0012"}, 3, known, 2)
	write("ASVspoof2017_V2_eval.trl.txt", "E", []string{"M0021", "M0022"}, 4, []string{"E02 P03 R04", "E25 P13 R08"}, 4)
	return dir
}

// TestDemoCommand runs `deep4deep demo` on a tiny corpus, then `deep4deep
// eval` on the score files it wrote: the report and summary.json must hold
// exactly the numbers eval prints.
func TestDemoCommand(t *testing.T) {
	like := demoProtocols(t)
	out := filepath.Join(t.TempDir(), "demo-out")
	code, stdout, stderr := run("demo", "--out", out, "--like", like, "--scale", "1", "--seed", "3",
		"--epochs", "1", "--frames-per-utt", "8", "--dev-frames-per-utt", "8",
		"--gmm-components", "4", "--gmm-iterations", "2", "--gmm-max-frames", "2000", "--threads", "2", "--quiet")
	if code != 0 {
		t.Fatalf("demo: exit %d: %s", code, stderr)
	}
	if stderr != "" {
		t.Errorf("demo --quiet wrote to stderr: %q", stderr)
	}
	report, err := os.ReadFile(filepath.Join(out, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	var summary struct {
		Systems map[string]map[string]any `json:"systems"`
	}
	data, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &summary); err != nil {
		t.Fatal(err)
	}
	protocol := filepath.Join(out, "corpus", "protocol_V2", "ASVspoof2017_V2_eval.trl.txt")
	eerLine := regexp.MustCompile(`EER \(ROCCH, ASVspoof 2017 official\)\s+([0-9.]+) %`)
	stepLine := regexp.MustCompile(`EER \(step, ASVspoof 2019/2021\)\s+([0-9.]+) %`)
	for _, system := range []string{"lcnn-lfcc", "gmm-cqcc"} { // the demo's default systems
		scores := filepath.Join(out, "scores", system+".eval.txt")
		code, text, stderr := run("eval", "--scores", scores, "--protocol", protocol)
		if code != 0 {
			t.Fatalf("eval %s: exit %d: %s", system, code, stderr)
		}
		eer, step := eerLine.FindStringSubmatch(text), stepLine.FindStringSubmatch(text)
		if eer == nil || step == nil {
			t.Fatalf("eval output without EERs:\n%s", text)
		}
		row := regexp.MustCompile(fmt.Sprintf(`\| %s \| %s \[[0-9.]+, [0-9.]+\] \| %s \|`,
			regexp.QuoteMeta(system), regexp.QuoteMeta(eer[1]), regexp.QuoteMeta(step[1])))
		if !row.MatchString(string(report)) {
			t.Errorf("report lacks %q (deep4deep eval printed EER %s %%, step %s %%)", row, eer[1], step[1])
		}
		if !strings.Contains(stdout, fmt.Sprintf("%-10s eval EER %6s %%", system, eer[1])) {
			t.Errorf("demo printed %q, eval says %s %%", stdout, eer[1])
		}
		code, js, stderr := run("eval", "--scores", scores, "--protocol", protocol, "--json")
		if code != 0 {
			t.Fatalf("eval --json %s: exit %d: %s", system, code, stderr)
		}
		var res struct {
			EER     float64 `json:"eer"`
			EERStep float64 `json:"eer_step"`
			F1      float64 `json:"f1"`
		}
		if err := json.Unmarshal([]byte(js), &res); err != nil {
			t.Fatalf("eval --json: %v\n%s", err, js)
		}
		got := summary.Systems[system]
		if got["eer"] != res.EER || got["eer_step"] != res.EERStep || got["f1"] != res.F1 {
			t.Errorf("summary %s = %v, eval --json = %+v", system, got, res)
		}
	}
}

func TestDemoUsage(t *testing.T) {
	for _, args := range [][]string{
		{"demo", "--scale", "0"},
		{"demo", "--epochs", "0"},
		{"demo", "--cnn-features", "wavelets"},
		{"demo", "--cnn-arch", "resnet-9000"},
		{"demo", "--cnn-augment", "reverse"},
		{"demo", "extra"},
		{"demo", "--no-such-flag"},
	} {
		code, _, stderr := run(args...)
		last := strings.TrimSpace(stderr[strings.LastIndex(strings.TrimSpace(stderr), "\n")+1:])
		if code != 2 || !strings.HasPrefix(last, "deep4deep demo: ") {
			t.Errorf("%q: exit %d, stderr %q", args, code, stderr)
		}
	}
}
