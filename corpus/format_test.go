package corpus

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/deep4deep/deep4deep/internal/testshared"
)

// TestReal2019Protocols reads the released ASVspoof 2019 CM protocols. The
// expected counts come from the corpus description (Wang et al. 2020,
// table 1) and were checked with awk on the files: rows, bona fide and spoof
// trials, speakers, attacks and (PA) environments per set.
func TestReal2019Protocols(t *testing.T) {
	real2019 := testshared.Path(t, "asvspoof2019")
	type want struct {
		bona, spoof, speakers, attacks, envs int
	}
	for _, tc := range []struct {
		track string
		sets  map[Set]want
	}{
		{"LA", map[Set]want{
			Train: {2580, 22800, 20, 6, 0},
			Dev:   {2548, 22296, 20, 6, 0},
			Eval:  {7355, 63882, 67, 13, 0},
		}},
		{"PA", map[Set]want{
			Train: {5400, 48600, 20, 9, 27},
			Dev:   {5400, 24300, 20, 9, 27},
		}},
	} {
		t.Run(tc.track, func(t *testing.T) {
			c, err := Corpus{Root: filepath.Join(real2019, tc.track)}.Resolve()
			if err != nil {
				t.Fatal(err)
			}
			if c.Format != ASVspoof2019 || c.track != tc.track {
				t.Fatalf("detected %s %s, want asvspoof2019 %s", c.Format, c.track, tc.track)
			}
			speakerSet := map[string]Set{}
			for _, s := range Sets {
				w, ok := tc.sets[s]
				if !ok {
					continue
				}
				trials, err := c.ReadTrials(s)
				if err != nil {
					t.Fatal(err)
				}
				var got want
				speakers, attacks, envs := map[string]bool{}, map[string]bool{}, map[string]bool{}
				prefix := tc.track + "_" + strings.ToUpper(s.String()[:1]) + "_"
				for _, tr := range trials {
					if tr.Label == Genuine {
						got.bona++
					} else {
						got.spoof++
					}
					if !strings.HasPrefix(tr.File, prefix) || !strings.HasSuffix(tr.File, ".flac") {
						t.Fatalf("%s: file %q, want %s*.flac", s, tr.File, prefix)
					}
					if other, ok := speakerSet[tr.Speaker]; ok && other != s {
						t.Errorf("speaker %s in both %s and %s", tr.Speaker, other, s)
					}
					speakerSet[tr.Speaker] = s
					speakers[tr.Speaker] = true
					for _, k := range tr.ConditionKeys() {
						switch k.Name {
						case "attack":
							attacks[k.Value] = true
						case "environment":
							envs[k.Value] = true
						}
					}
				}
				got.speakers, got.attacks, got.envs = len(speakers), len(attacks), len(envs)
				if got != w {
					t.Errorf("%s: got %+v, want %+v", s, got, w)
				}
			}
		})
	}
}

// TestPAConditions checks the split of the PA codes into the published
// factors (Wang et al. 2020: environment = S, T60, Ds; attack = Da, Q).
func TestPAConditions(t *testing.T) {
	in := "PA_0079 PA_T_0000001 aaa - bonafide\nPA_0079 PA_T_0005401 abc BA spoof\nLA_0079 LA_T_1 - A01 spoof\n"
	trials, err := Parse2019(strings.NewReader(in), "p")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"environment=aaa room_size=a t60=a talker_distance=a",
		"environment=abc room_size=a t60=b talker_distance=c attack=BA attacker_distance=B device_quality=A",
		"attack=A01",
	}
	for i, tr := range trials {
		if tr.Conditions != want[i] {
			t.Errorf("trial %d conditions %q, want %q", i, tr.Conditions, want[i])
		}
	}
	if trials[1].ID() != "PA_T_0005401" || trials[1].File != "PA_T_0005401.flac" || trials[0].Label != Genuine {
		t.Errorf("trial 1 = %+v", trials[1])
	}
}

func TestParse2021(t *testing.T) {
	// The first lines of the released key files, as quoted in the ASVspoof
	// 2021 evaluation package README, plus one bona fide line each.
	in := "LA_0009 LA_E_9332881 alaw ita_tx A07 spoof notrim eval\n" +
		"LA_0009 LA_E_1 none loc_tx bonafide bonafide notrim progress\n" +
		"PA_0010 PA_E_1000001 R3 M3 d4 r1 m1 s4 c4 spoof notrim eval\n" +
		"LA_0023 DF_E_2000011 nocodec asvspoof A14 spoof notrim progress traditional_vocoder - - - -\n" +
		"TEF2 DF_E_2000013 low_m4a vcc2020 Task1-team20 spoof notrim eval neural_vocoder_nonautoregressive Task1 team20 FF E\n"
	trials, err := Parse2021(strings.NewReader(in), "k")
	if err != nil {
		t.Fatal(err)
	}
	want := []Trial{
		{File: "LA_E_9332881.flac", Label: Spoof, Speaker: "LA_0009", Conditions: "codec=alaw transmission=ita_tx attack=A07 trim=notrim subset=eval"},
		{File: "LA_E_1.flac", Label: Genuine, Speaker: "LA_0009", Conditions: "codec=none transmission=loc_tx trim=notrim subset=progress"},
		{File: "PA_E_1000001.flac", Label: Spoof, Speaker: "PA_0010", Conditions: "asv_room=R3 asv_mic=M3 asv_distance=d4 attacker_room=r1 attacker_mic=m1 replay_device=s4 attacker_distance=c4 trim=notrim subset=eval"},
		{File: "DF_E_2000011.flac", Label: Spoof, Speaker: "LA_0023", Conditions: "codec=nocodec source=asvspoof attack=A14 trim=notrim subset=progress vocoder=traditional_vocoder"},
		{File: "DF_E_2000013.flac", Label: Spoof, Speaker: "TEF2", Conditions: "codec=low_m4a source=vcc2020 attack=Task1-team20 trim=notrim subset=eval vocoder=neural_vocoder_nonautoregressive"},
	}
	if !slices.Equal(trials, want) {
		t.Fatalf("got\n%+v\nwant\n%+v", trials, want)
	}
}

func TestParseList(t *testing.T) {
	in := "alice/take1.wav genuine room=office mic=phone\n" +
		"alice/take1-replay.flac spoof room=office\n" +
		"bob.wav bonafide\n"
	trials, err := ParseList(strings.NewReader(in), "l")
	if err != nil {
		t.Fatal(err)
	}
	want := []Trial{
		{File: "alice/take1.wav", Label: Genuine, Conditions: "room=office mic=phone"},
		{File: "alice/take1-replay.flac", Label: Spoof, Conditions: "room=office"},
		{File: "bob.wav", Label: Genuine},
	}
	if !slices.Equal(trials, want) {
		t.Fatalf("got %+v, want %+v", trials, want)
	}
	if id := trials[1].ID(); id != "alice/take1-replay" {
		t.Errorf("ID = %q", id)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		parse func(string) error
		in    string
		want  string
	}{
		{"2019 columns", p2019, "LA_1 LA_T_1 - -\n", "p:1: 4 columns, want 5"},
		{"2019 label", p2019, "LA_1 LA_T_1 - - genuine2\n", `p:1: unknown label "genuine2"`},
		{"2019 bona fide attack", p2019, "\nLA_1 LA_T_1 - A01 bonafide\n", `p:2: bona fide trial has attack "A01"`},
		{"2019 spoof no attack", p2019, "LA_1 LA_T_1 - - spoof\n", "p:1: spoof trial has no attack"},
		{"2019 env", p2019, "PA_1 PA_T_1 abd AA spoof\n", `p:1: environment "abd"`},
		{"2019 PA attack", p2019, "PA_1 PA_T_1 abc AD spoof\n", `p:1: PA attack "AD"`},
		{"2019 dup", p2019, "LA_1 LA_T_1 - - bonafide\nLA_1 LA_T_1 - - bonafide\n", `p:2: trial "LA_T_1" already listed as row 1`},
		{"2019 path", p2019, "LA_1 ../x - - bonafide\n", `p:1: file ID "../x" is not a plain file name`},
		{"2021 columns", p2021, "LA_1 LA_E_1 alaw\n", "p:1: 3 columns, want 8 (LA), 12 (PA) or 13 (DF)"},
		{"2021 key", p2021, "LA_0009 LA_E_1 alaw ita_tx A07 spooof notrim eval\n", `p:1: column 6: unknown label "spooof"`},
		{"list short", pList, "a.wav\n", "p:1: 1 column"},
		{"list abs", pList, "/etc/a.wav spoof\n", `p:1: path "/etc/a.wav" is not a clean relative path`},
		{"list dotdot", pList, "a/../../b.wav spoof\n", `p:1: path "a/../../b.wav" is not a clean relative path`},
		{"list pair", pList, "a.wav spoof room\n", `p:1: condition "room", want key=value`},
		{"list dup id", pList, "a.wav spoof\na.flac genuine\n", `p:2: trial "a" already listed as row 1`},
		{"long line", pList, "a.wav spoof\n" + strings.Repeat("x", maxLine+1) + "\n", "p:2: line longer than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.parse(tc.in)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("err = %v, want prefix %q", err, tc.want)
			}
		})
	}
}

func p2019(s string) error { _, err := Parse2019(strings.NewReader(s), "p"); return err }
func p2021(s string) error { _, err := Parse2021(strings.NewReader(s), "p"); return err }
func pList(s string) error { _, err := ParseList(strings.NewReader(s), "p"); return err }

func TestDetectLine(t *testing.T) {
	for _, tc := range []struct {
		line string
		want Format
	}{
		{"T_1000001.wav genuine M0001 S01 - - -", ASVspoof2017},
		{"LA_0079 LA_T_1138215 - - bonafide", ASVspoof2019},
		{"PA_0079 PA_T_0000001 aaa AB spoof", ASVspoof2019},
		{"LA_0009 LA_E_9332881 alaw ita_tx A07 spoof notrim eval", ASVspoof2021},
		{"a/b.wav spoof", List},
		{"a/b.wav bonafide room=x", List},
		{"x y z", ""},
	} {
		got, err := DetectLine(tc.line)
		if got != tc.want || (err != nil) != (tc.want == "") {
			t.Errorf("DetectLine(%q) = %q, %v; want %q", tc.line, got, err, tc.want)
		}
	}
}

// touch creates the files, with their folders.
func touch(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestLayouts builds a tiny corpus of every format and reads it through
// the one Corpus type, with the format detected.
func TestLayouts(t *testing.T) {
	for _, tc := range []struct {
		format Format
		files  map[string]string
		set    Set
		audio  []string // expected audio paths, relative to the root
		conds  string   // conditions of the second trial
	}{
		{ASVspoof2017, map[string]string{
			"protocol_V2/ASVspoof2017_V2_dev.trl.txt": "D_1.wav genuine M1 S01 - - -\nD_2.wav spoof M1 S01 E01 P01 R01\n",
			"ASVspoof2017_V2_dev/D_1.wav":             "x", "ASVspoof2017_V2_dev/D_2.wav": "x",
		}, Dev, []string{"ASVspoof2017_V2_dev/D_1.wav", "ASVspoof2017_V2_dev/D_2.wav"}, ""},
		{ASVspoof2019, map[string]string{
			"ASVspoof2019_PA_cm_protocols/ASVspoof2019.PA.cm.train.trn.txt": "PA_1 PA_T_1 aaa - bonafide\nPA_1 PA_T_2 bca CA spoof\n",
			"ASVspoof2019_PA_train/flac/PA_T_1.flac":                        "x", "ASVspoof2019_PA_train/flac/PA_T_2.flac": "x",
		}, Train, []string{"ASVspoof2019_PA_train/flac/PA_T_1.flac", "ASVspoof2019_PA_train/flac/PA_T_2.flac"},
			"environment=bca room_size=b t60=c talker_distance=a attack=CA attacker_distance=C device_quality=A"},
		{ASVspoof2021, map[string]string{
			"keys/LA/CM/trial_metadata.txt":         "LA_1 LA_E_1 none loc_tx bonafide bonafide notrim eval\nLA_1 LA_E_2 alaw ita_tx A07 spoof notrim eval\n",
			"ASVspoof2021_LA_eval/flac/LA_E_1.flac": "x", "ASVspoof2021_LA_eval/flac/LA_E_2.flac": "x",
		}, Eval, []string{"ASVspoof2021_LA_eval/flac/LA_E_1.flac", "ASVspoof2021_LA_eval/flac/LA_E_2.flac"},
			"codec=alaw transmission=ita_tx attack=A07 trim=notrim subset=eval"},
		{List, map[string]string{
			"eval.list": "a/x.wav genuine\nb/y.flac spoof dev=phone\n",
			"a/x.wav":   "x", "b/y.flac": "x",
		}, Eval, []string{"a/x.wav", "b/y.flac"}, "dev=phone"},
	} {
		t.Run(string(tc.format), func(t *testing.T) {
			root := t.TempDir()
			touch(t, root, tc.files)
			f, err := Detect(root)
			if err != nil || f != tc.format {
				t.Fatalf("Detect = %q, %v; want %q", f, err, tc.format)
			}
			c := Corpus{Root: root}
			trials, err := c.Trials(tc.set)
			if err != nil {
				t.Fatal(err)
			}
			if len(trials) != 2 || trials[0].Label != Genuine || trials[1].Label != Spoof || trials[1].Conditions != tc.conds {
				t.Fatalf("trials %+v", trials)
			}
			for i, tr := range trials {
				if got, want := c.AudioPath(tc.set, tr), filepath.Join(root, filepath.FromSlash(tc.audio[i])); got != want {
					t.Errorf("AudioPath = %s, want %s", got, want)
				}
			}
			// A missing audio file names itself.
			os.Remove(filepath.Join(root, filepath.FromSlash(tc.audio[1])))
			if _, err := c.Trials(tc.set); err == nil || !strings.Contains(err.Error(), filepath.Base(tc.audio[1])) {
				t.Errorf("missing audio: err = %v", err)
			}
		})
	}
	// 2021 has only an eval set; an unknown layout names the choices.
	root := t.TempDir()
	touch(t, root, map[string]string{"keys/DF/CM/trial_metadata.txt": "LA_0023 DF_E_2000011 nocodec asvspoof A14 spoof notrim progress traditional_vocoder - - - -\n"})
	if _, err := (Corpus{Root: root}).Trials(Train); err == nil || !strings.Contains(err.Error(), "only an eval set") {
		t.Errorf("2021 train: err = %v", err)
	}
	if _, err := (Corpus{Root: t.TempDir()}).Resolve(); err == nil || !strings.Contains(err.Error(), "no known layout") {
		t.Errorf("empty root: err = %v", err)
	}
	// A single list with its own audio root.
	dir := t.TempDir()
	touch(t, dir, map[string]string{"my.txt": "x.wav spoof\n", "audio/x.wav": "x"})
	c := Corpus{Protocol: filepath.Join(dir, "my.txt"), AudioRoot: filepath.Join(dir, "audio")}
	if trials, err := c.Trials(Eval); err != nil || len(trials) != 1 {
		t.Errorf("single list: %v, %v", trials, err)
	}
}

func FuzzParseFormats(f *testing.F) {
	f.Add("LA_0079 LA_T_1138215 - - bonafide\nPA_1 PA_T_2 abc AB spoof\n")
	f.Add("LA_0009 LA_E_9332881 alaw ita_tx A07 spoof notrim eval\n")
	f.Add("a/b.wav spoof k=v\n")
	f.Fuzz(func(t *testing.T, in string) {
		for _, parse := range []func(string) ([]Trial, error){
			func(s string) ([]Trial, error) { return Parse2019(strings.NewReader(s), "fuzz") },
			func(s string) ([]Trial, error) { return Parse2021(strings.NewReader(s), "fuzz") },
			func(s string) ([]Trial, error) { return ParseList(strings.NewReader(s), "fuzz") },
		} {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			trials, err := parse(in)
			runtime.ReadMemStats(&after)
			// Memory budget: parsing allocates a bounded multiple of the
			// input (a Trial per line, its strings, the duplicate map).
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > uint64(256*len(in))+1<<20 {
				t.Fatalf("%d bytes allocated for %d bytes of input", alloc, len(in))
			}
			if err != nil {
				if !strings.HasPrefix(err.Error(), "fuzz:") {
					t.Fatalf("error without file name: %v", err)
				}
				continue
			}
			if len(trials) > len(in)/2+1 {
				t.Fatalf("%d trials from %d bytes", len(trials), len(in))
			}
			for _, tr := range trials {
				if tr.ID() == "" || strings.ContainsAny(tr.ID(), " \t\n") {
					t.Fatalf("bad ID %q", tr.ID())
				}
				for _, k := range tr.ConditionKeys() {
					if k.Name == "" || k.Value == "" {
						t.Fatalf("empty condition in %q", tr.Conditions)
					}
				}
			}
		}
	})
}

// TestProtocol2019RoundTrip: the real PA dev protocol formats back to its
// own bytes.
func TestProtocol2019RoundTrip(t *testing.T) {
	path := testshared.Path(t, "asvspoof2019/PA/ASVspoof2019.PA.cm.dev.trl.txt")
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	trials, err := ReadProtocolFormat(path, ASVspoof2019)
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	if err := FormatProtocol2019(&sb, trials); err != nil {
		t.Fatal(err)
	}
	if sb.String() != string(want) {
		t.Fatal("formatted PA dev protocol differs from the file")
	}
	if got := ConditionsPA2019("abc", "BA"); got != "environment=abc room_size=a t60=b talker_distance=c attack=BA attacker_distance=B device_quality=A" {
		t.Errorf("ConditionsPA2019 = %q", got)
	}
}
