package synth

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/internal/testshared"
)

// TestPAProtocolsStructure: generated rows have the real ASVspoof 2019 PA
// counts (Wang et al. 2020; train/dev checked against ../shared), every
// environment × attack, and talkers disjoint across sets.
func TestPAProtocolsStructure(t *testing.T) {
	p := GeneratePAProtocols(1)
	want := [3][2]int{{5400, 48600}, {5400, 24300}, {18090, 116640}}
	spk := map[string]corpus.Set{}
	for _, s := range corpus.Sets {
		g, sp := counts(p[s])
		if [2]int{g, sp} != want[s] {
			t.Errorf("%s: %d bona fide, %d spoof; want %v", s, g, sp, want[s])
		}
		cells := map[string]bool{}
		for _, tr := range p[s] {
			cells[tr.Condition("environment")+"/"+tr.Condition("attack")] = true
			if o, ok := spk[tr.Speaker]; ok && o != s {
				t.Fatalf("talker %s in %s and %s", tr.Speaker, o, s)
			}
			spk[tr.Speaker] = s
		}
		if len(cells) != 27*10 {
			t.Errorf("%s: %d environment/attack cells, want 270", s, len(cells))
		}
	}
}

// TestReadLikePA reproduces the real train and dev rows from ../shared and
// generates the eval rows, whose protocol is not public there.
func TestReadLikePA(t *testing.T) {
	dir := testshared.Path(t, "asvspoof2019/PA")
	p, err := ReadLikePA(dir, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []corpus.Set{corpus.Train, corpus.Dev} {
		real, err := corpus.ReadProtocolFormat(filepath.Join(dir, "ASVspoof2019.PA.cm."+s.String()+map[corpus.Set]string{corpus.Train: ".trn.txt", corpus.Dev: ".trl.txt"}[s]), corpus.ASVspoof2019)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(p[s], real) {
			t.Errorf("%s rows differ from the real protocol", s)
		}
	}
	if g, sp := counts(p[corpus.Eval]); g != 18090 || sp != 116640 {
		t.Errorf("eval: %d/%d", g, sp)
	}
	// Scaling keeps every attack in every set, about the fraction asked.
	sc := ScalePA(p, 0.01, 3)
	for _, s := range corpus.Sets {
		attacks := map[string]bool{}
		for _, tr := range sc[s] {
			attacks[tr.Condition("attack")] = true
		}
		if len(attacks) != 10 {
			t.Errorf("%s: %d attack values after scaling, want 10 (9 + bona fide)", s, len(attacks))
		}
		if n, want := len(sc[s]), 0.01*float64(len(p[s])); math.Abs(float64(n)-want) > 0.05*want+10 {
			t.Errorf("%s: %d rows kept, want about %.0f", s, n, want)
		}
	}
	if _, err := ReadLikePA(testshared.Path(t, "asvspoof2019/LA"), 1); err == nil {
		t.Error("LA protocols accepted as PA")
	}
}

// tinyPA writes a small PA protocol folder: 2 bona fide and the 3 quality
// bins per set.
func tinyPA(t *testing.T) string {
	dir := t.TempDir()
	rows := map[corpus.Set]string{
		corpus.Train: "PA_0001 PA_T_0000001 aaa - bonafide\nPA_0001 PA_T_0000002 bcb - bonafide\nPA_0001 PA_T_0000003 aaa AA spoof\nPA_0002 PA_T_0000004 cbc BC spoof\n",
		corpus.Dev:   "PA_0003 PA_D_0000001 abc - bonafide\nPA_0003 PA_D_0000002 abc CB spoof\n",
		corpus.Eval:  "PA_0005 PA_E_0000001 cca - bonafide\nPA_0005 PA_E_0000002 cca BB spoof\n",
	}
	for s, text := range rows {
		p := filepath.Join(dir, "ASVspoof2019.PA.cm."+s.String()+map[corpus.Set]string{corpus.Train: ".trn.txt", corpus.Dev: ".trl.txt", corpus.Eval: ".trl.txt"}[s])
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestGeneratePADeterministic: the corpus reads back through the corpus
// package in the 2019 layout, and its bytes do not depend on the number of
// workers.
func TestGeneratePADeterministic(t *testing.T) {
	like := tinyPA(t)
	var dirs []string
	for _, w := range []int{1, 3} {
		out := filepath.Join(t.TempDir(), "pa")
		if err := GeneratePA(context.Background(), Options{Out: out, Seed: 5, Like: like, Workers: w}); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, out)
	}
	c, err := corpus.Corpus{Root: dirs[0]}.Resolve()
	if err != nil || c.Format != corpus.ASVspoof2019 {
		t.Fatalf("generated corpus: %v, %v", c.Format, err)
	}
	for _, s := range corpus.Sets {
		trials, err := c.Trials(s) // every listed FLAC exists
		if err != nil {
			t.Fatal(err)
		}
		if s == corpus.Train && len(trials) != 4 {
			t.Fatalf("train: %d trials, want the 4 --like rows", len(trials))
		}
		for _, tr := range trials {
			a, _ := os.ReadFile(c.AudioPath(s, tr))
			b, _ := os.ReadFile(filepath.Join(dirs[1], corpus.SetDir2019("PA", s), "flac", tr.File))
			if len(a) == 0 || !bytes.Equal(a, b) {
				t.Fatalf("%s differs between 1 and 3 workers", tr.File)
			}
		}
	}
}

// TestPAQualityBins: the low-quality replay device (Q = C) removes the
// low band that bona fide speech and a perfect replay (Q = A) keep, so the
// bins differ as the published definitions say (lowest frequency over
// 600 Hz for C).
func TestPAQualityBins(t *testing.T) {
	g := NewPARenderer(7)
	lowShare := func(label corpus.Label, attack string) float64 {
		var sum float64
		for i := range 4 {
			tr := corpus.Trial{File: "q" + string(rune('0'+i)), Label: label, Speaker: "PA_0001",
				Conditions: corpus.ConditionsPA2019("bab", attack)}
			x, err := g.Render(tr)
			if err != nil {
				t.Fatal(err)
			}
			sum += bandShare(x, 100, 500)
		}
		return sum / 4
	}
	bona, qa, qc := lowShare(corpus.Genuine, "-"), lowShare(corpus.Spoof, "AA"), lowShare(corpus.Spoof, "AC")
	if !(qc < 0.3*bona && qc < 0.3*qa) {
		t.Errorf("energy share 100-500 Hz: bona fide %.3f, Q=A %.3f, Q=C %.3f; want C far below both", bona, qa, qc)
	}
	if _, err := g.Render(corpus.Trial{File: "x", Label: corpus.Spoof, Conditions: "environment=abd"}); err == nil {
		t.Error("bad environment accepted")
	}
}

// bandShare is the share of x's energy between lo and hi Hz (DFT by
// Goertzel-free direct sums on 512-sample frames, coarse but independent of
// the package's filters).
func bandShare(x []float32, lo, hi float64) float64 {
	const n = 512
	var in, all float64
	for off := 0; off+n <= len(x); off += n {
		for k := 1; k < n/2; k++ {
			var re, im float64
			for j := range n {
				a := 2 * math.Pi * float64(k*j) / n
				re += float64(x[off+j]) * math.Cos(a)
				im -= float64(x[off+j]) * math.Sin(a)
			}
			p := re*re + im*im
			all += p
			if f := float64(k) * Rate / n; f >= lo && f < hi {
				in += p
			}
		}
		off += 7 * n // every 8th frame is enough
	}
	return in / all
}
