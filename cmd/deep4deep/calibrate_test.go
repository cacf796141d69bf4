package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deep4deep/deep4deep/calibrate"
	"github.com/deep4deep/deep4deep/eval"
)

// calibFixture writes a protocol of n trials (a quarter genuine) and the
// score files of two systems whose scores are badly scaled LLRs: system A
// scores 5·llr_A + 3, system B −2·llr_B + 1, with llr_A, llr_B the exact
// LLRs of independent unit-variance Gaussian evidence (d' = 2 and 1.5).
func calibFixture(t *testing.T, dir, set string, seed uint64, n int) (protocol, a, b string) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 13))
	var proto, sa, sb strings.Builder
	for i := range n {
		id := fmt.Sprintf("%s_%07d", strings.ToUpper(set[:1]), i)
		sign := -1.0
		if i%4 == 0 {
			sign = 1
			fmt.Fprintf(&proto, "%s.wav genuine M0001 S01 - - -\n", id)
		} else {
			fmt.Fprintf(&proto, "%s.wav spoof M0001 S01 E01 P01 R01\n", id)
		}
		xa := sign*1 + r.NormFloat64()    // LLR 2·xa
		xb := sign*0.75 + r.NormFloat64() // LLR 1.5·xb
		fmt.Fprintf(&sa, "%s %.17g\n", id, 5*2*xa+3)
		fmt.Fprintf(&sb, "%s %.17g\n", id, -2*1.5*xb+1)
	}
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return write(set+".trl.txt", proto.String()), write("A."+set+".txt", sa.String()), write("B."+set+".txt", sb.String())
}

// TestCalibrateFuseEval: calibrate → eval --calibration, fuse → fuse
// --apply → eval, through the command line, on scores whose true
// calibration is known.
func TestCalibrateFuseEval(t *testing.T) {
	dir := t.TempDir()
	devP, devA, devB := calibFixture(t, dir, "dev", 1, 4000)
	evP, evA, evB := calibFixture(t, dir, "eval", 2, 4000)
	cal := filepath.Join(dir, "A.cal.json")
	out, errs, code := runCLI("calibrate", "--scores", devA, "--protocol", devP, "--out", cal)
	if code != 0 || !strings.Contains(out, "dev Cllr") {
		t.Fatalf("calibrate: exit %d: %s %s", code, out, errs)
	}
	m, err := calibrate.Load(cal)
	if err != nil {
		t.Fatal(err)
	}
	// The true map is llr = (s − 3)/5.
	if math.Abs(m.Weights[0]-0.2) > 0.02 || math.Abs(m.Offset+0.6) > 0.1 {
		t.Errorf("calibration llr = %v·s %+v, want 0.2·s − 0.6", m.Weights[0], m.Offset)
	}
	evalJSON := func(args ...string) eval.Result {
		t.Helper()
		out, errs, code := runCLI(append([]string{"eval", "--json", "--protocol", evP}, args...)...)
		if code != 0 {
			t.Fatalf("eval %v: exit %d: %s", args, code, errs)
		}
		var r eval.Result
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	raw := evalJSON("--scores", evA)
	calib := evalJSON("--scores", evA, "--calibration", cal, "--calibration-plot", filepath.Join(dir, "rel.png"))
	if calib.EER != raw.EER || math.Abs(calib.MinCllr-raw.MinCllr) > 1e-12 || calib.MinDCF != raw.MinDCF {
		t.Errorf("calibration changed the order-only measures: %+v vs %+v", calib.CalibrationMetrics, raw.CalibrationMetrics)
	}
	if !(raw.Cllr > 1) || !(calib.Cllr < calib.MinCllr+0.02) {
		t.Errorf("Cllr raw %v, calibrated %v, min %v: want raw > 1 and calibrated ≈ min", raw.Cllr, calib.Cllr, calib.MinCllr)
	}
	if _, err := os.Stat(filepath.Join(dir, "rel.png")); err != nil {
		t.Error(err)
	}

	fuser := filepath.Join(dir, "fuser.json")
	out, errs, code = runCLI("fuse", "--scores", "A="+devA, "--scores", "B="+devB, "--protocol", devP, "--out", fuser)
	if code != 0 || !strings.Contains(out, "fused") {
		t.Fatalf("fuse: exit %d: %s %s", code, out, errs)
	}
	fm, err := calibrate.Load(fuser)
	if err != nil {
		t.Fatal(err)
	}
	// True fusion: llr = (A − 3)/5 + (B − 1)/(−2).
	if math.Abs(fm.Weights[0]-0.2) > 0.02 || math.Abs(fm.Weights[1]+0.5) > 0.05 || math.Abs(fm.Offset+0.1) > 0.15 {
		t.Errorf("fusion weights %v offset %v, want [0.2 −0.5] −0.1", fm.Weights, fm.Offset)
	}
	fused := filepath.Join(dir, "fused.eval.txt")
	// Labels matched by name, in any order.
	if _, errs, code := runCLI("fuse", "--apply", fuser, "--scores", "B="+evB, "--scores", "A="+evA, "--out", fused); code != 0 {
		t.Fatalf("fuse --apply: exit %d: %s", code, errs)
	}
	fr := evalJSON("--scores", fused)
	if !(fr.EER < raw.EER) || !(fr.Cllr < calib.Cllr) {
		t.Errorf("fusion EER %v Cllr %v, system A alone %v %v: fusion did not help", fr.EER, fr.Cllr, raw.EER, calib.Cllr)
	}

	bad := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"calibrate", "--scores", devA, "--protocol", devP}, 2, "--out"},
		{[]string{"calibrate", "--scores", devA, "--protocol", devP, "--out", cal, "--prior", "1"}, 2, "--prior"},
		{[]string{"fuse", "--scores", "A=" + devA, "--protocol", devP, "--out", fuser}, 2, "at least two"},
		{[]string{"fuse", "--scores", "A=" + devA, "--scores", "B=" + devB, "--out", fuser}, 2, "--protocol"},
		{[]string{"fuse", "--apply", fuser, "--scores", "A=" + evA, "--scores", "C=" + evB, "--out", fused}, 2, "B=FILE"},
		{[]string{"fuse", "--apply", fuser, "--scores", "A=" + evA, "--out", fused}, 2, "2 systems"},
		{[]string{"eval", "--scores", evA, "--protocol", evP, "--calibration", fuser}, 1, "fusion"},
		{[]string{"eval", "--scores", evA, "--protocol", evP, "--calibration", devA}, 1, devA + ": not a calibration"},
	}
	for _, tc := range bad {
		_, errs, code := runCLI(tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.want) || strings.Count(errs, "\n") != 1 {
			t.Errorf("%v: exit %d, %q; want exit %d and one line mentioning %q", tc.args, code, errs, tc.code, tc.want)
		}
	}
}

// TestTrainCalibrateOn: train --calibrate-on dev stores a calibration that
// score and predict then apply; predict --json gives the LLR and the Bayes
// decision.
func TestTrainCalibrateOn(t *testing.T) {
	root := workflowCorpus(t, 8)
	mdir := filepath.Join(t.TempDir(), "gmm")
	code, out, errs := run("train", "--quiet", "--corpus", root, "--out", mdir, "--model", "gmm", "--features", "mfcc",
		"--components", "2", "--gmm-iters", "3", "--threads", "2", "--calibrate-on", "dev")
	if code != 0 || !strings.Contains(out, "calibration on dev") {
		t.Fatalf("train: exit %d: %s %s", code, out, errs)
	}
	cal, err := calibrate.LoadModel(mdir)
	if err != nil || cal == nil {
		t.Fatalf("no calibration in the model: %v", err)
	}
	dir := t.TempDir()
	rawF, calF := filepath.Join(dir, "raw.txt"), filepath.Join(dir, "cal.txt")
	if code, _, errs := run("score", "--quiet", "--model", mdir, "--corpus", root, "--set", "eval", "--out", rawF, "--calibration", "none"); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := run("score", "--quiet", "--model", mdir, "--corpus", root, "--set", "eval", "--out", calF); code != 0 {
		t.Fatal(errs)
	}
	raw, _ := eval.ReadScores(rawF)
	llr, _ := eval.ReadScores(calF)
	var id string
	for k, v := range raw {
		id = k
		if w := cal.Apply([]float64{v}); math.Abs(llr[k]-w) > 1e-9*math.Max(1, math.Abs(w)) {
			t.Fatalf("%s: calibrated score %v, want %v", k, llr[k], w)
		}
	}
	wav := filepath.Join(root, "ASVspoof2017_V2_eval", id+".wav")
	code, out, errs = run("predict", "--model", mdir, "--json", "--p-spoof", "0.5", "--c-fa", "1", wav)
	if code != 0 {
		t.Fatal(errs)
	}
	var p struct {
		Score, Threshold float64
		LLR              *float64
		Label            string
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Scan()
	if err := json.Unmarshal(sc.Bytes(), &p); err != nil || p.LLR == nil {
		t.Fatalf("predict --json %q: %v", out, err)
	}
	if math.Abs(*p.LLR-llr[id]) > 1e-9*math.Max(1, math.Abs(llr[id])) || p.Threshold != 0 || (p.Label == "genuine") != (*p.LLR >= 0) {
		t.Errorf("predict %+v (llr %v), score file says %v", p, *p.LLR, llr[id])
	}
	// ASVspoof 5 costs: threshold ln(0.5/0.95).
	_, out, _ = run("predict", "--model", mdir, "--json", wav)
	json.Unmarshal([]byte(out), &p)
	if math.Abs(p.Threshold-math.Log(0.5/0.95)) > 1e-15 {
		t.Errorf("default threshold %v, want ln(0.5/0.95)", p.Threshold)
	}
	if code, _, errs := run("predict", "--model", mdir, "--p-spoof", "0", wav); code != 2 || !strings.Contains(errs, "--p-spoof") {
		t.Errorf("--p-spoof 0: exit %d %q", code, errs)
	}
}
