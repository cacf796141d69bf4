package corpus

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deep4deep/deep4deep/internal/memtest"
	"github.com/deep4deep/deep4deep/internal/testshared"
)

func TestRealProtocols(t *testing.T) {
	realProtocols := testshared.Path(t, "asvspoof2017/protocol_V2")
	want := map[Set][2]int{Train: {1507, 1507}, Dev: {760, 950}, Eval: {1298, 12008}}
	speakers := map[string]Set{}
	for _, s := range Sets {
		path := filepath.Join(realProtocols, strings.TrimPrefix(ProtocolFile(s), ProtocolDir+"/"))
		trials, err := ReadProtocol(path)
		if err != nil {
			t.Fatal(err)
		}
		var n [2]int
		prefix := strings.ToUpper(s.String()[:1]) + "_"
		for _, tr := range trials {
			if tr.Label == Genuine {
				n[0]++
			} else {
				n[1]++
			}
			if !strings.HasPrefix(tr.File, prefix) || !strings.HasSuffix(tr.File, ".wav") {
				t.Errorf("%s: unexpected file name %q", s, tr.File)
			}
			if other, ok := speakers[tr.Speaker]; ok && other != s {
				t.Errorf("speaker %s in both %s and %s", tr.Speaker, other, s)
			}
			speakers[tr.Speaker] = s
		}
		if n != want[s] {
			t.Errorf("%s: genuine/spoof = %v, want %v", s, n, want[s])
		}
	}
}

func TestParseProtocolValid(t *testing.T) {
	in := "T_1.wav genuine M0001 S01 - - -\n" +
		"\n" +
		"T_2.wav\tspoof  M0002 S10 E01 P02 R03 extra columns\n" +
		"X_9 genuine SPK7 PH99 - - -" // no final newline, IDs outside the lists
	got, err := ParseProtocol(strings.NewReader(in), "p.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := []Trial{
		{File: "T_1.wav", Label: Genuine, Speaker: "M0001", Phrase: "S01", Environment: "-", Playback: "-", Recorder: "-"},
		{File: "T_2.wav", Label: Spoof, Speaker: "M0002", Phrase: "S10", Environment: "E01", Playback: "P02", Recorder: "R03"},
		{File: "X_9", Label: Genuine, Speaker: "SPK7", Phrase: "PH99", Environment: "-", Playback: "-", Recorder: "-"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d trials, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("trial %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if got[0].ID() != "T_1" || got[2].ID() != "X_9" {
		t.Errorf("IDs %q %q", got[0].ID(), got[2].ID())
	}
}

func TestParseProtocolErrors(t *testing.T) {
	good := "T_1.wav genuine M0001 S01 - - -\n"
	for _, tc := range []struct{ name, in, want string }{
		{"short line", good + "T_2.wav spoof M0001 S01 E01 P01\n", "p.txt:2: 6 columns, want 7"},
		{"unknown label", good + good[:0] + "T_2.wav replay M0001 S01 E01 P01 R01\n", `p.txt:2: unknown label "replay"`},
		{"genuine with condition", "T_1.wav genuine M0001 S01 E01 - -\n", `p.txt:1: genuine trial has environment "E01"`},
		{"spoof without condition", "T_1.wav spoof M0001 S01 E01 P01 -\n", `p.txt:1: spoof trial has no recorder`},
		{"duplicate", good + "\n" + good, `p.txt:3: file "T_1.wav" already listed on line 1`},
		{"path in file", "../x.wav genuine M0001 S01 - - -\n", `p.txt:1: file "../x.wav" is not a plain file name`},
		{"dash speaker", "T_1.wav genuine - S01 - - -\n", `p.txt:1: speaker column is "-"`},
		{"long line", good + strings.Repeat("x", maxLine+10) + "\n", "p.txt:2: line longer than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseProtocol(strings.NewReader(tc.in), "p.txt")
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("err = %v, want prefix %q", err, tc.want)
			}
		})
	}
}

func TestWriteProtocolRoundTrip(t *testing.T) {
	trials := []Trial{
		{File: "T_1.wav", Label: Genuine, Speaker: "M0001", Phrase: "S01", Environment: "-", Playback: "-", Recorder: "-"},
		{File: "T_2.wav", Label: Spoof, Speaker: "M0002", Phrase: "S02", Environment: "E05", Playback: "P06", Recorder: "R07"},
	}
	path := filepath.Join(t.TempDir(), "sub", "p.trn.txt")
	if err := WriteProtocol(path, trials); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	wantText := "T_1.wav genuine M0001 S01 - - -\nT_2.wav spoof M0002 S02 E05 P06 R07\n"
	if string(data) != wantText {
		t.Fatalf("wrote %q, want %q", data, wantText)
	}
	got, err := ReadProtocol(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range trials {
		if got[i] != trials[i] {
			t.Errorf("trial %d = %+v, want %+v", i, got[i], trials[i])
		}
	}
	// An invalid trial is refused and nothing is written.
	bad := filepath.Join(t.TempDir(), "bad.txt")
	err = WriteProtocol(bad, []Trial{{File: "a b", Label: Genuine, Speaker: "M", Phrase: "S", Environment: "-", Playback: "-", Recorder: "-"}})
	if err == nil {
		t.Fatal("file name with a space was written")
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Fatalf("bad protocol left a file: %v", err)
	}
}

func TestLayout(t *testing.T) {
	for _, tc := range []struct {
		s          Set
		dir, proto string
	}{
		{Train, "ASVspoof2017_V2_train", "protocol_V2/ASVspoof2017_V2_train.trn.txt"},
		{Dev, "ASVspoof2017_V2_dev", "protocol_V2/ASVspoof2017_V2_dev.trl.txt"},
		{Eval, "ASVspoof2017_V2_eval", "protocol_V2/ASVspoof2017_V2_eval.trl.txt"},
	} {
		if got := SetDir(tc.s); got != tc.dir {
			t.Errorf("SetDir(%v) = %q, want %q", tc.s, got, tc.dir)
		}
		if got := ProtocolFile(tc.s); got != tc.proto {
			t.Errorf("ProtocolFile(%v) = %q, want %q", tc.s, got, tc.proto)
		}
	}
	c := Corpus{Root: "/r"}
	if got := c.AudioPath(Dev, Trial{File: "D_1.wav"}); got != "/r/ASVspoof2017_V2_dev/D_1.wav" {
		t.Errorf("AudioPath = %q", got)
	}
	if got := c.ProtocolPath(Eval); got != "/r/protocol_V2/ASVspoof2017_V2_eval.trl.txt" {
		t.Errorf("ProtocolPath = %q", got)
	}
}

func TestCorpusTrials(t *testing.T) {
	root := t.TempDir()
	c := Corpus{Root: root}
	trials := []Trial{
		{File: "D_1.wav", Label: Genuine, Speaker: "M1", Phrase: "S01", Environment: "-", Playback: "-", Recorder: "-"},
		{File: "D_2.wav", Label: Spoof, Speaker: "M1", Phrase: "S01", Environment: "E1", Playback: "P1", Recorder: "R1"},
		{File: "D_3.wav", Label: Spoof, Speaker: "M1", Phrase: "S02", Environment: "E1", Playback: "P1", Recorder: "R1"},
	}
	if err := WriteProtocol(c.ProtocolPath(Dev), trials); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Trials(Dev); err == nil {
		t.Fatal("missing audio folder accepted")
	}
	os.MkdirAll(filepath.Join(root, SetDir(Dev)), 0o755)
	os.WriteFile(c.AudioPath(Dev, trials[0]), []byte("x"), 0o644)
	_, err := c.Trials(Dev)
	if err == nil || !strings.Contains(err.Error(), "D_2.wav") || !strings.Contains(err.Error(), "2 of 3") {
		t.Fatalf("err = %v, want one naming D_2.wav and counting 2 of 3 missing", err)
	}
	os.WriteFile(c.AudioPath(Dev, trials[1]), []byte("x"), 0o644)
	os.WriteFile(c.AudioPath(Dev, trials[2]), []byte("x"), 0o644)
	got, err := c.Trials(Dev)
	if err != nil || len(got) != 3 {
		t.Fatalf("Trials = %d, %v", len(got), err)
	}
	if _, err := c.Trials(Train); err == nil || !strings.Contains(err.Error(), "ASVspoof2017_V2_train.trn.txt") {
		t.Fatalf("missing protocol: err = %v", err)
	}
}

// protocolBudget bounds ParseProtocol's allocations: the trials, the
// duplicate map and the scanner's buffer (at most maxLine, grown by doubling).
var protocolBudget = memtest.Budget{PerByte: 64, Const: 256 << 10}

// TestParseProtocolHugeInput: a 2 GB line fails after maxLine bytes, and 10
// million rows cost a bounded multiple of their size (checked on 100,000).
func TestParseProtocolHugeInput(t *testing.T) {
	var err error
	if e := protocolBudget.Check(0, func() {
		_, err = ParseProtocol(io.LimitReader(endless('a'), 2<<30), "huge")
	}); e != nil {
		t.Error(e)
	}
	if err == nil || !strings.Contains(err.Error(), "huge:1: line longer than 65536 bytes") {
		t.Errorf("2 GB line: err = %v", err)
	}
	var sb strings.Builder
	for i := 0; i < 100000; i++ {
		fmt.Fprintf(&sb, "T_%07d.wav spoof M%04d S%02d E%02d P%02d R%02d\n", i, i%10, i%10, i%26, i%26, i%26)
	}
	in := sb.String()
	var trials []Trial
	if e := protocolBudget.Check(len(in), func() { trials, err = ParseProtocol(strings.NewReader(in), "big") }); e != nil || err != nil || len(trials) != 100000 {
		t.Errorf("100,000 rows: %d trials, err %v, budget %v", len(trials), err, e)
	}
}

// endless is an io.Reader of one repeated byte.
type endless byte

func (e endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(e)
	}
	return len(p), nil
}

func FuzzParseProtocol(f *testing.F) {
	f.Add("T_1.wav genuine M0001 S01 - - -\nT_2.wav spoof M0002 S10 E01 P02 R03\n")
	f.Add("a b c\n\n\t\n")
	f.Add("x spoof a b - - -")
	f.Fuzz(func(t *testing.T, in string) {
		var (
			trials []Trial
			err    error
		)
		if err := protocolBudget.Check(len(in), func() { trials, err = ParseProtocol(strings.NewReader(in), "fuzz") }); err != nil {
			t.Fatal(err)
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz:") {
				t.Fatalf("error without file name: %v", err)
			}
			return
		}
		// Whatever parses must format and parse back to the same trials.
		var sb strings.Builder
		if err := FormatProtocol(&sb, trials); err != nil {
			t.Fatalf("parsed trials do not format: %v", err)
		}
		again, err := ParseProtocol(strings.NewReader(sb.String()), "again")
		if err != nil || len(again) != len(trials) {
			t.Fatalf("round trip: %v (%d vs %d)", err, len(again), len(trials))
		}
		for i := range trials {
			if again[i] != trials[i] {
				t.Fatalf("round trip changed %+v to %+v", trials[i], again[i])
			}
		}
	})
}
