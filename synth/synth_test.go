package synth

import (
	"bytes"
	"context"
	"errors"
	"github.com/deep4deep/deep4deep/progress"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/deep4deep/deep4deep/audio"
	"github.com/deep4deep/deep4deep/corpus"
	"github.com/deep4deep/deep4deep/features"
	"github.com/deep4deep/deep4deep/internal/testshared"
	"github.com/deep4deep/deep4deep/plot"
)

// needReal returns the real ASVspoof 2017 V2 protocol folder in ../shared,
// or skips (fails under DEEP4DEEP_REQUIRE_SHARED=1).
func needReal(t *testing.T) string {
	t.Helper()
	return testshared.Path(t, "asvspoof2017/protocol_V2")
}

func speakersOf(ts []corpus.Trial) map[string]bool {
	m := map[string]bool{}
	for _, t := range ts {
		m[t.Speaker] = true
	}
	return m
}

// TestGeneratedProtocols checks the generated rows against the real
// corpus's published statistics (DESIGN §1).
func TestGeneratedProtocols(t *testing.T) {
	p := GenerateProtocols(7)
	want := [3][3]int{{1507, 1507, 10}, {760, 950, 8}, {1298, 12008, 24}} // genuine, spoof, speakers
	seen := map[string]bool{}
	for _, s := range corpus.Sets {
		g, sp := counts(p[s])
		if g != want[s][0] || sp != want[s][1] || len(speakersOf(p[s])) != want[s][2] {
			t.Errorf("%s: %d genuine, %d spoof, %d speakers; want %v", s, g, sp, len(speakersOf(p[s])), want[s])
		}
		for spk := range speakersOf(p[s]) {
			if seen[spk] {
				t.Errorf("speaker %s in more than one set", spk)
			}
			seen[spk] = true
		}
		phrases := map[string]int{}
		for i, tr := range p[s] {
			phrases[tr.Phrase]++
			if _, ok := PhraseText(tr.Phrase); !ok {
				t.Fatalf("%s row %d: phrase %q", s, i, tr.Phrase)
			}
		}
		if len(phrases) != 10 {
			t.Errorf("%s: %d distinct phrases, want 10", s, len(phrases))
		}
		// the rows must be valid protocol lines that read back unchanged
		var buf bytes.Buffer
		if err := corpus.FormatProtocol(&buf, p[s]); err != nil {
			t.Fatal(err)
		}
		back, err := corpus.ParseProtocol(&buf, s.String())
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back, p[s]) {
			t.Errorf("%s: rows do not survive a protocol round trip", s)
		}
	}
	// eval holds configurations unseen in train and dev
	known := map[string]bool{}
	for _, c := range append(configs(p[corpus.Train]), configs(p[corpus.Dev])...) {
		known[c] = true
	}
	unseen := 0
	for _, c := range configs(p[corpus.Eval]) {
		if !known[c] {
			unseen++
		}
	}
	if unseen < 40 {
		t.Errorf("eval has %d configurations unseen in train/dev, want most of its 57", unseen)
	}
	if !reflect.DeepEqual(GenerateProtocols(7), p) {
		t.Error("GenerateProtocols is not deterministic")
	}
}

// TestGeneratedMatchesReal compares the per-set configuration counts and
// per-speaker counts with the real protocol files.
func TestGeneratedMatchesReal(t *testing.T) {
	realProtocols := needReal(t)
	real, err := ReadLike(realProtocols)
	if err != nil {
		t.Fatal(err)
	}
	gen := GenerateProtocols(1)
	hist := func(ts []corpus.Trial, key func(corpus.Trial) string) map[string]int {
		m := map[string]int{}
		for _, t := range ts {
			m[key(t)]++
		}
		return m
	}
	keys := map[string]func(corpus.Trial) string{
		"condition":     stratum,
		"speaker+class": func(t corpus.Trial) string { return t.Speaker + " " + t.Label.String() },
	}
	for _, s := range corpus.Sets {
		for name, k := range keys {
			if a, b := hist(gen[s], k), hist(real[s], k); !reflect.DeepEqual(a, b) {
				t.Errorf("%s: %s histogram differs from the real protocol", s, name)
			}
		}
	}
}

// TestScale checks stratification: every stratum keeps max(1, round(f·n))
// rows, the result is an order-preserving subset, and both classes of
// every set survive even at 1 %.
func TestScale(t *testing.T) {
	full := GenerateProtocols(3)
	for _, f := range []float64{0.01, 0.05, 0.3, 1} {
		sc := Scale(full, f, 3)
		for _, s := range corpus.Sets {
			g, sp := counts(sc[s])
			if g == 0 || sp == 0 {
				t.Errorf("scale %g, %s: %d genuine, %d spoof", f, s, g, sp)
			}
			want := map[string]int{}
			for _, tr := range full[s] {
				want[stratum(tr)]++
			}
			got := map[string]int{}
			for _, tr := range sc[s] {
				got[stratum(tr)]++
			}
			for k, n := range want {
				if exp := max(1, int(math.Round(f*float64(n)))); got[k] != exp {
					t.Errorf("scale %g, %s, stratum %q: %d rows, want %d of %d", f, s, k, got[k], exp, n)
				}
			}
			// order-preserving subset
			j := 0
			for _, tr := range sc[s] {
				for j < len(full[s]) && full[s][j] != tr {
					j++
				}
				if j == len(full[s]) {
					t.Fatalf("scale %g, %s: row %s not in the full plan or out of order", f, s, tr.File)
				}
			}
		}
		if !reflect.DeepEqual(Scale(full, f, 3), sc) {
			t.Errorf("scale %g: not deterministic", f)
		}
	}
	// speakers keep their share: at 30 % every speaker of the full plan
	// with at least 4 rows of a stratum appears.
	sc := Scale(full, 0.3, 3)
	if a, b := len(speakersOf(sc[corpus.Eval])), len(speakersOf(full[corpus.Eval])); a != b {
		t.Errorf("scale 0.3 keeps %d of %d eval speakers", a, b)
	}
}

// TestLike reproduces the real protocol rows exactly, and scales them.
func TestLike(t *testing.T) {
	realProtocols := needReal(t)
	want, err := ReadLike(realProtocols)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Plan(Options{Like: realProtocols, Scale: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Error("--like at scale 1 does not reproduce every row")
	}
	small, err := Plan(Options{Like: realProtocols, Scale: 0.01, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range corpus.Sets {
		if len(configs(small[s])) != len(configs(want[s])) {
			t.Errorf("%s at 1 %%: %d configurations, want all %d", s, len(configs(small[s])), len(configs(want[s])))
		}
	}
}

func TestPlanErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "protocol_V2")
	if err := os.MkdirAll(bad, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, s := range corpus.Sets {
		line := "X_1.wav genuine M0001 S01 - - -\n"
		if s == corpus.Dev {
			line += "X_2.wav maybe M0001 S01 - - -\n"
		}
		if err := os.WriteFile(filepath.Join(bad, filepath.Base(corpus.ProtocolFile(s))), []byte(line), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		opts Options
		want string
	}{
		{Options{Like: filepath.Join(dir, "missing")}, "missing"},
		{Options{Like: bad}, "ASVspoof2017_V2_dev.trl.txt:2"},
		{Options{Scale: 1.5}, "Scale: 1.5"},
		{Options{Scale: -0.1}, "Scale: -0.1"},
		{Options{EvalScale: 2}, "EvalScale: 2"},
		{Options{Matched: true, Like: bad}, "Matched: "},
	} {
		_, err := Plan(tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Plan(%+v) = %v, want an error containing %q", tc.opts, err, tc.want)
		}
		var fe *FieldError
		if !errors.As(err, &fe) || strings.Contains(err.Error(), "--") {
			t.Errorf("Plan(%+v) = %v: want a *FieldError naming no flag", tc.opts, err)
		}
	}
}

// TestMatchedProtocols checks the matched-condition rows: the speakers and
// genuine counts of the real corpus, disjoint speakers, every configuration
// of the real corpus in every set with a third of its real rows, and no
// configuration of eval unseen in train.
func TestMatchedProtocols(t *testing.T) {
	p := MatchedProtocols(5)
	real := GenerateProtocols(5)
	seenSpk := map[string]corpus.Set{}
	total := map[string]int{}
	for _, c := range realConfigs {
		total[c.env+"-"+c.playback+"-"+c.recorder] += c.n
	}
	for _, s := range corpus.Sets {
		g, _ := counts(p[s])
		rg, _ := counts(real[s])
		if g != rg {
			t.Errorf("%s: %d genuine, want %d", s, g, rg)
		}
		for spk := range speakersOf(p[s]) {
			if prev, ok := seenSpk[spk]; ok && prev != s {
				t.Errorf("speaker %s in %s and %s", spk, prev, s)
			}
			seenSpk[spk] = s
		}
		n := map[string]int{}
		for _, tr := range p[s] {
			if tr.Label == corpus.Spoof {
				n[tr.Environment+"-"+tr.Playback+"-"+tr.Recorder]++
			}
		}
		for k, tot := range total {
			if lo := tot / 3; n[k] < lo || n[k] > lo+1 {
				t.Errorf("%s: configuration %s has %d rows, want a third of %d", s, k, n[k], tot)
			}
		}
		if len(n) != len(total) {
			t.Errorf("%s: %d configurations, want %d", s, len(n), len(total))
		}
	}
	if !slices.Equal(configs(p[corpus.Train]), configs(p[corpus.Eval])) {
		t.Error("train and eval configurations differ")
	}
	sc, err := Plan(Options{Matched: true, Scale: 0.1, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(configs(sc[corpus.Train]), configs(sc[corpus.Eval])) {
		t.Error("scaled: train and eval configurations differ")
	}
}

// TestEvalScale checks that EvalScale changes only the eval rows, which
// stay a subset of the full corpus's.
func TestEvalScale(t *testing.T) {
	a, err := Plan(Options{Scale: 0.05, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Plan(Options{Scale: 0.05, EvalScale: 0.1, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	full := GenerateProtocols(2)
	for _, s := range []corpus.Set{corpus.Train, corpus.Dev} {
		if !slices.Equal(a[s], b[s]) {
			t.Errorf("%s rows changed", s)
		}
	}
	ga, sa := counts(a[corpus.Eval])
	gb, sb := counts(b[corpus.Eval])
	if gb < 2*ga-10 || sb <= sa {
		t.Errorf("eval: %d/%d rows at 0.05, %d/%d at 0.1", ga, sa, gb, sb)
	}
	in := map[string]corpus.Trial{}
	for _, tr := range full[corpus.Eval] {
		in[tr.File] = tr
	}
	for _, tr := range b[corpus.Eval] {
		if in[tr.File] != tr {
			t.Fatalf("%s is not a row of the full corpus", tr.File)
		}
	}
}

// tinyLike writes a protocol folder of a few rows per set.
func tinyLike(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "protocol_V2")
	rows := map[corpus.Set][]corpus.Trial{
		corpus.Train: {
			{File: "T_1.wav", Label: corpus.Genuine, Speaker: "M0001", Phrase: "S02", Environment: "-", Playback: "-", Recorder: "-"},
			{File: "T_2.wav", Label: corpus.Spoof, Speaker: "M0001", Phrase: "S02", Environment: "E21", Playback: "P02", Recorder: "R01"},
		},
		corpus.Dev: {
			{File: "D_1.wav", Label: corpus.Spoof, Speaker: "M0011", Phrase: "S08", Environment: "E06", Playback: "P09", Recorder: "R05"},
		},
		corpus.Eval: {
			{File: "E_1.wav", Label: corpus.Spoof, Speaker: "M0030", Phrase: "S02", Environment: "E25", Playback: "P13", Recorder: "R08"},
			{File: "E_2.wav", Label: corpus.Genuine, Speaker: "M0031", Phrase: "S06", Environment: "-", Playback: "-", Recorder: "-"},
			{File: "E_3.wav", Label: corpus.Spoof, Speaker: "X9", Phrase: "Z99", Environment: "E77", Playback: "P77", Recorder: "R77"},
		},
	}
	for s, ts := range rows {
		if err := corpus.WriteProtocol(filepath.Join(dir, filepath.Base(corpus.ProtocolFile(s))), ts); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func readTree(t *testing.T, root string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		files[rel] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestGenerateDeterministic writes the same corpus with 1 and 3 workers and
// compares every byte; another seed must change the audio.
func TestGenerateDeterministic(t *testing.T) {
	like := tinyLike(t)
	var trees []map[string][]byte
	for _, o := range []struct {
		workers int
		seed    uint64
	}{{1, 4}, {3, 4}, {2, 5}} {
		out := filepath.Join(t.TempDir(), "corpus")
		var calls, last int
		err := Generate(context.Background(), Options{Out: out, Seed: o.seed, Like: like, Workers: o.workers,
			Progress: func(e progress.Event) {
				if e.Done > 0 && e.Unit == "files" {
					calls++
				}
				last = e.Done
			}})
		if err != nil {
			t.Fatal(err)
		}
		if calls != 6 || last != 6 {
			t.Errorf("progress called %d times, last done %d; want 6 and 6", calls, last)
		}
		c := corpus.Corpus{Root: out}
		for _, s := range corpus.Sets {
			if _, err := c.Trials(s); err != nil { // protocol written, every file present
				t.Fatal(err)
			}
		}
		readme, err := os.ReadFile(filepath.Join(out, "README"))
		if err != nil || !strings.Contains(string(readme), "seed: ") {
			t.Errorf("README: %v %q", err, readme)
		}
		trees = append(trees, readTree(t, out))
	}
	if len(trees[0]) != 10 { // 6 wav + 3 protocols + README
		t.Fatalf("%d files written, want 10", len(trees[0]))
	}
	for name, b := range trees[0] {
		if !bytes.Equal(b, trees[1][name]) {
			t.Errorf("%s differs between 1 and 3 workers", name)
		}
		if strings.HasSuffix(name, ".wav") && bytes.Equal(b, trees[2][name]) {
			t.Errorf("%s identical under another seed", name)
		}
	}
}

func TestGenerateRefusesNonEmpty(t *testing.T) {
	like := tinyLike(t)
	out := t.TempDir()
	if err := os.WriteFile(filepath.Join(out, "keep.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Generate(context.Background(), Options{Out: out, Like: like, Scale: 0.01})
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("err = %v, want refusal of a non-empty folder", err)
	}
	if err := Generate(context.Background(), Options{Out: out, Like: like, Force: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "keep.txt")); err != nil {
		t.Error("--force removed an unrelated file")
	}
}

func TestGenerateCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := filepath.Join(t.TempDir(), "c")
	err := Generate(ctx, Options{Out: out, Like: tinyLike(t)})
	if err == nil {
		t.Fatal("cancelled Generate succeeded")
	}
	if _, err := os.Stat(filepath.Join(out, "protocol_V2")); err == nil {
		t.Error("protocols written by a cancelled run")
	}
}

// TestRenderIndependentOfHistory renders a trial on a fresh renderer and on
// one that has rendered other trials first: scratch buffers must not leak.
func TestRenderIndependentOfHistory(t *testing.T) {
	a := corpus.Trial{File: "E_9.wav", Label: corpus.Spoof, Speaker: "M0020", Phrase: "S05", Environment: "E18", Playback: "P07", Recorder: "R04"}
	b := corpus.Trial{File: "E_8.wav", Label: corpus.Genuine, Speaker: "M0021", Phrase: "S02", Environment: "-", Playback: "-", Recorder: "-"}
	x1, err := NewRenderer(1, nil).Render(a)
	if err != nil {
		t.Fatal(err)
	}
	g := NewRenderer(1, nil)
	if _, err := g.Render(b); err != nil {
		t.Fatal(err)
	}
	x2, err := g.Render(a)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(x1, x2) {
		t.Error("a trial's audio depends on what the renderer made before")
	}
}

// TestRenderProperties checks the contract of every file: 1.5–5 s, 16-bit
// steps, no clipping, active level in −30…−20 dBFS for both classes
// (loudness carries no class), and quiet leading silence on genuine takes.
func TestRenderProperties(t *testing.T) {
	p := Scale(GenerateProtocols(2), 0.002, 2)
	g := NewRenderer(2, nil)
	// the extreme environments: anechoic, cantine, car, street, reverberant,
	// analog wire; plus the first train and dev rows of the plan.
	extreme := map[string]bool{"E01": true, "E09": true, "E11": true, "E15": true, "E18": true, "E24": true, "E25": true, "-": true}
	for _, s := range corpus.Sets {
		for i, tr := range p[s] {
			if s == corpus.Eval && !extreme[tr.Environment] || s != corpus.Eval && i >= 4 {
				continue
			}
			x, err := g.Render(tr)
			if err != nil {
				t.Fatal(err)
			}
			if d := float64(len(x)) / Rate; d < 1.5 || d > 5.0001 {
				t.Errorf("%s: %.2f s, want 1.5–5 s", tr.File, d)
			}
			y := make([]float64, len(x))
			var peak float64
			for i, v := range x {
				if q := float64(v) * 32768; q != math.Round(q) {
					t.Fatalf("%s: sample %d = %g is not a 16-bit value", tr.File, i, v)
				}
				y[i] = float64(v)
				peak = math.Max(peak, math.Abs(y[i]))
			}
			if peak >= 0.999 {
				t.Errorf("%s: peak %.4f: clipped", tr.File, peak)
			}
			lvl := 20 * math.Log10(activeLevel(y))
			if lvl < -30.2 || lvl > -19.8 {
				// a file may only be quieter when its peak was limited
				if !(lvl < -19.8 && peak > 0.98) {
					t.Errorf("%s (%s): active level %.1f dBFS, want −30…−20", tr.File, tr.Label, lvl)
				}
			}
			if tr.Label == corpus.Genuine {
				head := 20 * math.Log10(rms(y[:Rate/5]))
				if head > lvl-10 {
					t.Errorf("%s: first 200 ms at %.1f dBFS, speech at %.1f: no leading silence", tr.File, head, lvl)
				}
			}
		}
	}
}

// bandEnergy is the mean log10 energy of fbank filters [lo, hi) over the
// loudest half of the frames.
func bandEnergy(m *features.Matrix, lo, hi int) float64 {
	type fr struct{ e, band float64 }
	var frames []fr
	for t := range m.Rows {
		row := m.Row(t)
		var e, b float64
		for j, v := range row {
			e += float64(v)
			if j >= lo && j < hi {
				b += float64(v)
			}
		}
		frames = append(frames, fr{e, b / float64(hi-lo)})
	}
	// loudest half: speech, not silence
	for i := 1; i < len(frames); i++ {
		for j := i; j > 0 && frames[j].e > frames[j-1].e; j-- {
			frames[j], frames[j-1] = frames[j-1], frames[j]
		}
	}
	var s float64
	n := len(frames) / 2
	for _, f := range frames[:n] {
		s += f.band
	}
	return s / float64(n)
}

// melBin returns the index of the seed fbank filter (64 filters, 0–8 kHz)
// whose centre is nearest f Hz.
func melBin(f float64) int {
	m := features.Mel(f) / features.Mel(Rate/2) * 65
	return int(math.Round(m)) - 1
}

// TestPairSpectrogram draws a genuine/spoof pair under the train condition
// E03-P01-R01 (smartphone loudspeaker in a meeting room) and under the
// analog wire E24-P23-R23, and checks the replay channel physically: the
// phone speaker's 500 Hz high-pass removes at least 10 dB of the 100–300 Hz
// band relative to 1–3 kHz, while the wire changes that balance by under
// 3 dB. The figure goes to $DEEP4DEEP_FIGURES if set.
func TestPairSpectrogram(t *testing.T) {
	ex, err := features.New(features.DefaultConfig(features.Fbank))
	if err != nil {
		t.Fatal(err)
	}
	tilt := func(x []float32) (float64, *features.Matrix) {
		m := &features.Matrix{}
		if err := ex.Extract(m, x); err != nil {
			t.Fatal(err)
		}
		return 10 * (bandEnergy(m, melBin(100), melBin(300)) - bandEnergy(m, melBin(1000), melBin(3000))), m
	}
	var panels []plot.SpectrogramPanel
	for _, c := range []struct {
		env, pb, rec string
		minDrop      float64
		maxDrop      float64
	}{
		{"E03", "P01", "R01", 10, 100},
		{"E24", "P23", "R23", -3, 3},
	} {
		gen, spf, err := Pair(1, "M0003", "S01", c.env, c.pb, c.rec)
		if err != nil {
			t.Fatal(err)
		}
		tg, mg := tilt(gen)
		ts, ms := tilt(spf)
		drop := tg - ts
		t.Logf("%s-%s-%s: low band relative to 1–3 kHz: genuine %.1f dB, spoof %.1f dB", c.env, c.pb, c.rec, tg, ts)
		if drop < c.minDrop || drop > c.maxDrop {
			t.Errorf("%s-%s-%s: replay lowers the 100–300 Hz band by %.1f dB, want %g…%g", c.env, c.pb, c.rec, drop, c.minDrop, c.maxDrop)
		}
		if len(panels) == 0 {
			panels = append(panels, plot.SpectrogramPanel{Title: "genuine (M0003, S01)", Frames: mg, Hop: 0.005, BinLabel: "mel filter"})
		}
		panels = append(panels, plot.SpectrogramPanel{
			Title:  "spoof " + c.env + " " + DescribeCondition(c.env) + ", " + c.pb + " " + DescribeCondition(c.pb) + ", " + c.rec + " " + DescribeCondition(c.rec),
			Frames: ms, Hop: 0.005, BinLabel: "mel filter"})
	}
	dir := os.Getenv("DEEP4DEEP_FIGURES")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := plot.Spectrogram(filepath.Join(dir, "synth_pair.png"), panels); err != nil {
		t.Fatal(err)
	}
}

// TestVowelFormants synthesises a sustained /æ/ and checks that the
// spectral envelope peaks near F1 = 660 Hz × the voice's formant scale, and
// that the autocorrelation pitch lies near the voice's F0.
func TestVowelFormants(t *testing.T) {
	segs, err := parsePhones("ae ae ae ae ae")
	if err != nil {
		t.Fatal(err)
	}
	for _, spk := range []string{"M0001", "M0017", "M0033"} {
		v := VoiceFor(1, spk)
		r := rand.New(rand.NewPCG(1, 1))
		tk := NewTake(r, v, "")
		tk.F0Shift = 1
		var sp speaker
		x := sp.speakSegments(r, tk, segs)
		// the middle 200 ms of the vowel
		lead := int(tk.Lead * Rate)
		mid := x[lead+int(0.15*Rate) : lead+int(0.35*Rate)]
		// F1: peak of the smoothed power spectrum in 300–1200 Hz
		const n = 4096
		buf := make([]float64, n)
		copy(buf, mid)
		for i := range mid {
			buf[i] *= 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(len(mid)))
		}
		hz := float64(Rate) / n
		smoothK := int(120 / hz)
		pow := powerSpectrum(buf, int(1500/hz))
		best, bestF := -1.0, 0.0
		for k := int(300 / hz); k < int(1200/hz); k++ {
			var s float64
			for j := k - smoothK; j <= k+smoothK; j++ {
				s += pow[j]
			}
			if s > best {
				best, bestF = s, float64(k)*hz
			}
		}
		if want := 660 * v.Scale; math.Abs(bestF-want) > 0.15*want {
			t.Errorf("%s: F1 peak at %.0f Hz, want ≈ %.0f", spk, bestF, want)
		}
		// pitch: autocorrelation maximum over 50–250 Hz lags
		bestR, lag := -1.0, 0
		for l := Rate / 250; l <= Rate/50; l++ {
			var s, e float64
			for i := 0; i+l < len(mid); i++ {
				s += mid[i] * mid[i+l]
				e += mid[i] * mid[i]
			}
			if s/e > bestR {
				bestR, lag = s/e, l
			}
		}
		f0 := float64(Rate) / float64(lag)
		if f0 < 0.75*v.F0 || f0 > 1.6*v.F0 {
			t.Errorf("%s: pitch %.0f Hz, voice F0 %.0f Hz", spk, f0, v.F0)
		}
	}
}

// powerSpectrum returns |X[k]|² for k < kmax by the DFT's definition.
func powerSpectrum(x []float64, kmax int) []float64 {
	n := len(x)
	out := make([]float64, kmax)
	for k := range out {
		var re, im float64
		w := 2 * math.Pi * float64(k) / float64(n)
		for i, v := range x {
			re += v * math.Cos(w*float64(i))
			im -= v * math.Sin(w*float64(i))
		}
		out[k] = re*re + im*im
	}
	return out
}

// TestSources uses recordings at 22.05 kHz (in a nested folder too) as the
// clean speech: they are found, resampled to 16 kHz, padded with silence,
// each speaker/phrase pair always picks the same recording, and a corrupt
// recording is an error naming it.
func TestSources(t *testing.T) {
	dir := t.TempDir()
	for i, f := range []float64{440, 880, 1320} {
		x := make([]float32, 22050*2)
		for k := range x {
			x[k] = float32(0.5 * math.Sin(2*math.Pi*f*float64(k)/22050))
		}
		if err := writeWAVAt(filepath.Join(dir, []string{"a.wav", "b.wav", "sub/c.wav"}[i]), x, 22050); err != nil {
			t.Fatal(err)
		}
	}
	src, err := OpenSources(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(src.files) != 3 {
		t.Fatalf("found %d recordings, want 3", len(src.files))
	}
	a, err := src.pick(1, "M0001", "S01")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := src.pick(1, "M0001", "S01")
	if &a[0] != &b[0] {
		t.Error("the same speaker and phrase picked different recordings")
	}
	if n := len(a); n < 31990 || n > 32010 {
		t.Errorf("2 s at 22.05 kHz resampled to %d samples, want 32000", n)
	}
	g := NewRenderer(1, src)
	x, err := g.Render(corpus.Trial{File: "T_1.wav", Label: corpus.Genuine, Speaker: "M0001", Phrase: "S01",
		Environment: "-", Playback: "-", Recorder: "-"})
	if err != nil {
		t.Fatal(err)
	}
	if d := float64(len(x)) / Rate; d < 2.5 || d > 3.3 {
		t.Errorf("duration %.2f s, want the 2 s recording plus 0.5–1.2 s of silence", d)
	}
	if _, err := OpenSources(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no .wav") {
		t.Errorf("empty folder: err = %v", err)
	}
	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, "x.wav"), []byte("RIFFxxxxWAVEjunk"), 0o644); err != nil {
		t.Fatal(err)
	}
	s2, err := OpenSources(bad)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewRenderer(1, s2).Render(corpus.Trial{File: "T_1.wav", Label: corpus.Genuine, Speaker: "M1", Phrase: "S01"}); err == nil || !strings.Contains(err.Error(), "x.wav") {
		t.Errorf("corrupt source: err = %v, want one naming x.wav", err)
	}
}

func writeWAVAt(path string, x []float32, rate int) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return audio.WriteWAV16(path, x, rate)
}
