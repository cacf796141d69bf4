package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/eval"
	"github.com/deep4deep/deep4deep/internal/testshared"
)

// listCorpus turns the 2017-layout workflow corpus into a list-format
// folder: train.list/dev.list/eval.list with paths in subfolders and a
// condition column, the audio moved under the list root.
func listCorpus(t *testing.T, n int) string {
	src := workflowCorpus(t, n)
	root := t.TempDir()
	for _, set := range corpus.Sets {
		trials, err := corpus.ReadProtocol(filepath.Join(src, corpus.ProtocolFile(set)))
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for i, tr := range trials {
			rel := fmt.Sprintf("%s/spk%d/%s", set, i%2, tr.File)
			if err := os.MkdirAll(filepath.Join(root, filepath.Dir(rel)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(filepath.Join(src, corpus.SetDir(set), tr.File), filepath.Join(root, rel)); err != nil {
				t.Fatal(err)
			}
			label := "bonafide"
			if tr.Label == corpus.Spoof {
				label = "spoof"
			}
			fmt.Fprintf(&b, "%s %s mic=m%d\n", rel, label, i%3)
		}
		if err := os.WriteFile(filepath.Join(root, corpus.ListFile(set)), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// TestListWorkflowAndShards runs train → score → eval on a list-format
// folder (format detected), checks that scoring in three shards and
// merging gives the same bytes as one unsharded run, and that eval reports
// the list's condition column and both t-DCF forms, with and without ASV
// scores.
func TestListWorkflowAndShards(t *testing.T) {
	root := listCorpus(t, 8)
	dir := t.TempDir()
	mdir := filepath.Join(dir, "gmm")
	if code, _, errs := run("train", "--quiet", "--corpus", root, "--out", mdir, "--model", "gmm", "--features", "mfcc",
		"--components", "4", "--gmm-iters", "5", "--threads", "2"); code != 0 {
		t.Fatalf("train: exit %d: %s", code, errs)
	}
	whole := filepath.Join(dir, "eval.scores")
	if code, _, errs := run("score", "--quiet", "--model", mdir, "--corpus", root, "--set", "eval", "--out", whole); code != 0 {
		t.Fatalf("score: exit %d: %s", code, errs)
	}
	var shards []string
	total := 0
	for i := range 3 {
		p := filepath.Join(dir, fmt.Sprintf("eval.%d.scores", i))
		if code, _, errs := run("score", "--quiet", "--model", mdir, "--corpus", root, "--set", "eval",
			"--shard", fmt.Sprintf("%d/3", i), "--out", p); code != 0 {
			t.Fatalf("score shard %d: exit %d: %s", i, code, errs)
		}
		s, err := eval.ReadScores(p)
		if err != nil {
			t.Fatal(err)
		}
		total += len(s)
		shards = append(shards, p)
	}
	if total != 8 {
		t.Fatalf("shards scored %d trials, want 8", total)
	}
	merged := filepath.Join(dir, "merged.scores")
	if code, _, errs := run(append([]string{"merge-scores", "--quiet", "--corpus", root, "--set", "eval", "--out", merged}, shards...)...); code != 0 {
		t.Fatalf("merge-scores: exit %d: %s", code, errs)
	}
	a, _ := os.ReadFile(whole)
	b, _ := os.ReadFile(merged)
	if len(a) == 0 || string(a) != string(b) {
		t.Fatalf("merged shards differ from the unsharded run:\n%s\nvs\n%s", b, a)
	}
	// A missing shard is an error naming the gap.
	if code, _, errs := run(append([]string{"merge-scores", "--corpus", root, "--set", "eval", "--out", merged}, shards[:2]...)...); code != 1 || !strings.Contains(errs, "in no shard") {
		t.Errorf("merge of 2 of 3 shards: exit %d, %q", code, errs)
	}

	// eval on the list with the single --protocol form: the condition
	// column becomes a breakdown, the t-DCF uses the ASVspoof 5 point.
	code, out, errs := run("eval", "--scores", whole, "--protocol", filepath.Join(root, "eval.list"), "--json")
	if code != 0 {
		t.Fatalf("eval: exit %d: %s", code, errs)
	}
	var r struct {
		EER         float64                              `json:"eer"`
		TDCFLegacy  *float64                             `json:"tdcf_legacy"`
		TDCFRevised *float64                             `json:"tdcf_revised"`
		ASV         eval.ASVOperatingPoint               `json:"tdcf_asv"`
		By          map[string]map[string]map[string]any `json:"by"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.TDCFLegacy == nil || r.TDCFRevised == nil || !strings.Contains(r.ASV.Source, "ASVspoof 5") || len(r.By["mic"]) != 3 {
		t.Errorf("eval JSON %s", out)
	}
	// With ASV scores the operating point is theirs.
	asv := filepath.Join(dir, "asv.txt")
	os.WriteFile(asv, []byte("bonafide target 3\nbonafide target 2\nbonafide nontarget -1\nbonafide nontarget 2.5\nA01 spoof 1\nA01 spoof 2.2\n"), 0o644)
	code, out, errs = run("eval", "--scores", whole, "--corpus", root, "--set", "eval", "--asv-scores", asv)
	if code != 0 || !strings.Contains(out, "min t-DCF (legacy, ASVspoof 2019)") || !strings.Contains(out, "ASV EER threshold of "+asv) || !strings.Contains(out, "EER by mic") {
		t.Errorf("eval --asv-scores: exit %d, %s\n%s", code, errs, out)
	}

	// features by shard: the shards' files together are the set's.
	nfiles := 0
	for i := range 2 {
		fdir := filepath.Join(dir, "feats")
		if code, _, errs := run("features", "--quiet", "--corpus", root, "--set", "dev", "--out", fdir, "--kind", "mfcc", "--shard", fmt.Sprintf("%d/2", i)); code != 0 {
			t.Fatalf("features shard %d: exit %d: %s", i, code, errs)
		}
		nfiles = 0
		filepath.WalkDir(fdir, func(p string, d os.DirEntry, err error) error {
			if err == nil && strings.HasSuffix(p, ".npy") {
				nfiles++
			}
			return nil
		})
	}
	if nfiles != 8 {
		t.Errorf("features of both shards: %d files, want 8", nfiles)
	}
	if code, _, _ := run("score", "--model", mdir, "--corpus", root, "--set", "eval", "--shard", "3/3", "--out", whole); code != 2 {
		t.Errorf("--shard 3/3: exit %d, want 2", code)
	}
}

// TestPA2019Workflow: synth --layout asvspoof2019-pa → train → score → eval
// through the command line on a small --like protocol folder; eval reports
// the PA factors and both t-DCF forms.
func TestPA2019Workflow(t *testing.T) {
	like := t.TempDir()
	rows := map[string]string{
		"train.trn": "", "dev.trl": "", "eval.trl": "",
	}
	envs := []string{"aaa", "bcb", "cac", "abc"}
	attacks := []string{"AA", "BC", "CB", "AC", "CA", "BB"}
	for name, prefix := range map[string]string{"train.trn": "T", "dev.trl": "D", "eval.trl": "E"} {
		var b strings.Builder
		n := 0
		for i, env := range envs {
			for range 2 {
				n++
				fmt.Fprintf(&b, "PA_%s%03d PA_%s_%07d %s - bonafide\n", prefix, i, prefix, n, env)
			}
			for _, a := range attacks[i%3 : i%3+3] {
				n++
				fmt.Fprintf(&b, "PA_%s%03d PA_%s_%07d %s %s spoof\n", prefix, i, prefix, n, env, a)
			}
		}
		rows[name] = b.String()
		os.WriteFile(filepath.Join(like, "ASVspoof2019.PA.cm."+name+".txt"), []byte(rows[name]), 0o644)
	}
	dir := t.TempDir()
	root := filepath.Join(dir, "pa")
	if code, _, errs := run("synth", "--quiet", "--layout", "asvspoof2019-pa", "--out", root, "--like", like, "--seed", "3"); code != 0 {
		t.Fatalf("synth: exit %d: %s", code, errs)
	}
	got, err := os.ReadFile(filepath.Join(root, "ASVspoof2019_PA_cm_protocols", "ASVspoof2019.PA.cm.eval.trl.txt"))
	if err != nil || string(got) != rows["eval.trl"] {
		t.Fatalf("eval protocol not reproduced: %v", err)
	}
	mdir := filepath.Join(dir, "gmm")
	if code, _, errs := run("train", "--quiet", "--corpus", root, "--out", mdir, "--model", "gmm", "--features", "lfcc",
		"--components", "4", "--gmm-iters", "5", "--threads", "2"); code != 0 {
		t.Fatalf("train: exit %d: %s", code, errs)
	}
	scores := filepath.Join(dir, "eval.scores")
	if code, _, errs := run("score", "--quiet", "--model", mdir, "--corpus", root, "--set", "eval", "--out", scores); code != 0 {
		t.Fatalf("score: exit %d: %s", code, errs)
	}
	code, out, errs := run("eval", "--scores", scores, "--corpus", root, "--set", "eval", "--json")
	if code != 0 {
		t.Fatalf("eval: exit %d: %s", code, errs)
	}
	var r struct {
		NGenuine    int                                  `json:"n_genuine"`
		NSpoof      int                                  `json:"n_spoof"`
		TDCFLegacy  *float64                             `json:"tdcf_legacy"`
		TDCFRevised *float64                             `json:"tdcf_revised"`
		By          map[string]map[string]map[string]any `json:"by"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.NGenuine != 8 || r.NSpoof != 12 || r.TDCFLegacy == nil || r.TDCFRevised == nil ||
		len(r.By["device_quality"]) != 3 || len(r.By["environment"]) != 4 || r.By["environment"]["aaa"]["eer_own"] == nil {
		t.Errorf("eval JSON %s", out)
	}
}

// TestEvalTDCFReference: `eval --asv-scores` with the organisers' 2019 LA
// eval ASV scores gives both t-DCF forms equal to the independent NumPy
// transcription (eval/testdata/gen_tdcf_ref.py, case la-eval), for CM
// scores of the real LA eval size written as a list protocol and a score
// file.
func TestEvalTDCFReference(t *testing.T) {
	asv := testshared.Path(t, "asvspoof2019/LA/ASVspoof2019.LA.asv.eval.gi.trl.scores.txt")
	data, err := os.ReadFile("../../eval/testdata/tdcf_ref.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Cases []struct {
			Name string
			CM   struct {
				Seed       uint64
				NBonafide  int     `json:"n_bonafide"`
				NSpoof     int     `json:"n_spoof"`
				MuBonafide float64 `json:"mu_bonafide"`
				MuSpoof    float64 `json:"mu_spoof"`
				Sigma      float64
			}
			TDCFLegacy  float64 `json:"tdcf_legacy"`
			TDCFRevised float64 `json:"tdcf_revised"`
		}
	}
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatal(err)
	}
	for _, c := range ref.Cases {
		if c.Name != "la-eval" {
			continue
		}
		// The generator of gen_tdcf_ref.py (grid 0).
		lcg := func(seed uint64, n int, mu, sigma float64) []float64 {
			x, out := seed, make([]float64, n)
			for i := range out {
				s := 0.0
				for range 4 {
					x = x*6364136223846793005 + 1442695040888963407
					s += float64(x>>11) / float64(uint64(1)<<53)
				}
				out[i] = mu + sigma*(s-2.0)
			}
			return out
		}
		dir := t.TempDir()
		var proto, scores strings.Builder
		for k, v := range lcg(c.CM.Seed, c.CM.NBonafide, c.CM.MuBonafide, c.CM.Sigma) {
			fmt.Fprintf(&proto, "b%d.flac bonafide\n", k)
			fmt.Fprintf(&scores, "b%d %s\n", k, strconv.FormatFloat(v, 'g', -1, 64))
		}
		for k, v := range lcg(c.CM.Seed+1, c.CM.NSpoof, c.CM.MuSpoof, c.CM.Sigma) {
			fmt.Fprintf(&proto, "s%d.flac spoof\n", k)
			fmt.Fprintf(&scores, "s%d %s\n", k, strconv.FormatFloat(v, 'g', -1, 64))
		}
		os.WriteFile(filepath.Join(dir, "eval.list"), []byte(proto.String()), 0o644)
		os.WriteFile(filepath.Join(dir, "cm.txt"), []byte(scores.String()), 0o644)
		code, out, errs := run("eval", "--scores", filepath.Join(dir, "cm.txt"), "--protocol", filepath.Join(dir, "eval.list"), "--asv-scores", asv, "--json")
		if code != 0 {
			t.Fatalf("eval: exit %d: %s", code, errs)
		}
		var r struct {
			TDCFLegacy  float64 `json:"tdcf_legacy"`
			TDCFRevised float64 `json:"tdcf_revised"`
		}
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		if math.Abs(r.TDCFLegacy-c.TDCFLegacy) > 1e-12 || math.Abs(r.TDCFRevised-c.TDCFRevised) > 1e-12 {
			t.Errorf("t-DCF legacy %.15g revised %.15g, reference %.15g %.15g", r.TDCFLegacy, r.TDCFRevised, c.TDCFLegacy, c.TDCFRevised)
		}
		return
	}
	t.Fatal("no la-eval case in the reference fixture")
}
