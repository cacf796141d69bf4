package eval

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/deep4deep/deep4deep/internal/memtest"
)

func TestParseScores(t *testing.T) {
	in := "E_1000001.wav 1.5\nE_1000002 -2.25e-3\n\n  E_1000003\t0  \r\nE_1000004 -0\n"
	got, err := ParseScores(strings.NewReader(in), "s.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"E_1000001": 1.5, "E_1000002": -2.25e-3, "E_1000003": 0, "E_1000004": 0}
	if !maps.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	// The ASVspoof 2019 4-column CM score format: ID, source, key, score.
	got, err = ParseScores(strings.NewReader("LA_E_2834763 A11 spoof -3.5\nLA_E_1 - bonafide 2\n"), "cm.txt")
	if err != nil || !maps.Equal(got, map[string]float64{"LA_E_2834763": -3.5, "LA_E_1": 2}) {
		t.Errorf("4 columns: %v, %v", got, err)
	}
}

func TestParseScoresErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"a 1\nb\n", "s.txt:2: 1 columns, want 2"},
		{"a 1 extra\n", "s.txt:1: 3 columns, want 2"},
		{"a - spoof 1 x\n", "s.txt:1: 5 columns, want 2"},
		{"a one\n", `s.txt:1: score "one" is not a number`},
		{"a 1\n\nb NaN\n", `s.txt:3: score "NaN" is not finite`},
		{"a +Inf\n", `s.txt:1: score "+Inf" is not finite`},
		{"a -inf\n", `s.txt:1: score "-inf" is not finite`},
		{"a 1e400\n", `s.txt:1: score "1e400" is out of float64 range`},
		{"a 1\nb 2\na.wav 3\n", `s.txt:3: trial "a" already scored on line 1`},
		{".wav 1\n", `s.txt:1: empty file ID ".wav"`},
		{"a 0x1p-2z\n", `s.txt:1: score "0x1p-2z" is not a number`},
		{"a 1\n" + strings.Repeat("x", maxScoreLine+10) + " 1\n", "s.txt:2: line longer than"},
	} {
		_, err := ParseScores(strings.NewReader(tc.in), "s.txt")
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("ParseScores(%.30q): error %v, want prefix %q", tc.in, err, tc.want)
		}
	}
}

func TestReadScoresMissingFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "none.txt")
	if _, err := ReadScores(p); err == nil || !strings.Contains(err.Error(), p) {
		t.Errorf("error %v does not name %s", err, p)
	}
}

func TestWriteScoresRoundTrip(t *testing.T) {
	ids := []string{"E_1", "E_2.wav", "E_3", "E_4"}
	scores := []float64{1.0 / 3, -1e-300, 123456789.123456789, math.Nextafter(1, 2)}
	p := filepath.Join(t.TempDir(), "scores.txt")
	if err := WriteScores(p, ids, scores); err != nil {
		t.Fatal(err)
	}
	got, err := ReadScores(p)
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		if v, ok := got[NormalizeID(id)]; !ok || v != scores[i] {
			t.Errorf("%s: read %v (present %v), wrote %v", id, v, ok, scores[i])
		}
	}
	data, _ := os.ReadFile(p)
	if lines := strings.Count(string(data), "\n"); lines != len(ids) {
		t.Errorf("%d lines, want %d", lines, len(ids))
	}
	if !strings.HasPrefix(string(data), "E_1 0.3333333333333333\n") {
		t.Errorf("unexpected format: %q", data)
	}
	entries, _ := os.ReadDir(filepath.Dir(p))
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestWriteScoresErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name   string
		ids    []string
		scores []float64
		want   string
	}{
		{"lengths", []string{"a"}, nil, "1 IDs but 0 scores"},
		{"empty ID", []string{""}, []float64{1}, `bad ID ""`},
		{"space in ID", []string{"a b"}, []float64{1}, `bad ID "a b"`},
		{"duplicate", []string{"a", "a.wav"}, []float64{1, 2}, `ID "a.wav" already given as trial 0`},
		{"NaN", []string{"a"}, []float64{math.NaN()}, "not finite"},
		{"Inf", []string{"a"}, []float64{math.Inf(-1)}, "not finite"},
	} {
		p := filepath.Join(dir, tc.name+".txt")
		err := WriteScores(p, tc.ids, tc.scores)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %v, want one naming %s and containing %q", tc.name, err, p, tc.want)
		}
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s: file written despite the error", tc.name)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files left behind: %v", entries)
	}
}

// scoresBudget bounds ParseScores's allocations: two maps and the scanner's
// buffer (at most maxScoreLine, grown by doubling).
var scoresBudget = memtest.Budget{PerByte: 64, Const: 256 << 10}

// TestParseScoresHugeInput: a 2 GB line fails after maxScoreLine bytes, and
// many rows cost a bounded multiple of their size (checked on 100,000).
func TestParseScoresHugeInput(t *testing.T) {
	var err error
	if e := scoresBudget.Check(0, func() {
		_, err = ParseScores(io.LimitReader(endless('7'), 2<<30), "huge")
	}); e != nil {
		t.Error(e)
	}
	if err == nil || !strings.HasPrefix(err.Error(), "huge:1: ") || !strings.Contains(err.Error(), "65536") {
		t.Errorf("2 GB line: err = %v", err)
	}
	var sb strings.Builder
	for i := 0; i < 100000; i++ {
		fmt.Fprintf(&sb, "E_%07d %.6f\n", i, float64(i)/1000-50)
	}
	in := sb.String()
	var m map[string]float64
	if e := scoresBudget.Check(len(in), func() { m, err = ParseScores(strings.NewReader(in), "big") }); e != nil || err != nil || len(m) != 100000 {
		t.Errorf("100,000 rows: %d scores, err %v, budget %v", len(m), err, e)
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

// FuzzParseScores checks that ParseScores never panics and that whatever it
// accepts is well-formed and survives a FormatScores/ParseScores round trip.
// Seed corpus: testdata/fuzz/FuzzParseScores.
func FuzzParseScores(f *testing.F) {
	f.Add([]byte("E_1000001.wav 1.5\nE_1000002 -0.25\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var (
			m   map[string]float64
			err error
		)
		if e := scoresBudget.Check(len(data), func() { m, err = ParseScores(bytes.NewReader(data), "fuzz") }); e != nil {
			t.Fatal(e)
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		ids := make([]string, 0, len(m))
		vals := make([]float64, 0, len(m))
		for id, v := range m {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("accepted non-finite score %v for %q", v, id)
			}
			if id == "" || strings.ContainsFunc(id, unicode.IsSpace) {
				t.Fatalf("accepted bad ID %q", id)
			}
			// Written with the suffix, the ID reads back as itself even
			// when it ends in ".wav" (from "x.wav.wav").
			ids = append(ids, id+".wav")
			vals = append(vals, v)
		}
		var buf bytes.Buffer
		if err := FormatScores(&buf, ids, vals); err != nil {
			t.Fatalf("cannot write back what was read: %v", err)
		}
		back, err := ParseScores(&buf, "round trip")
		if err != nil {
			t.Fatalf("cannot re-read: %v\n%s", err, buf.Bytes())
		}
		if !maps.Equal(m, back) {
			t.Fatalf("round trip changed the scores: %v → %v", m, back)
		}
	})
}
