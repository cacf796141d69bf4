package features

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deep4deep/deep4deep/internal/memtest"
)

func TestNpyRoundTrip(t *testing.T) {
	for _, shape := range [][2]int{{0, 64}, {1, 64}, {195, 64}, {3, 1}} {
		m := &Matrix{}
		m.Resize(shape[0], shape[1])
		for i := range m.Data {
			m.Data[i] = float32(i)*0.5 - 3
		}
		var b bytes.Buffer
		if err := WriteNpy(&b, m); err != nil {
			t.Fatal(err)
		}
		raw := b.Bytes()
		hlen := int(raw[8]) | int(raw[9])<<8
		if (10+hlen)%64 != 0 || raw[10+hlen-1] != '\n' {
			t.Errorf("%v: header of %d bytes not padded to 64 and ended by newline", shape, 10+hlen)
		}
		got, err := ReadNpy(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if got.Rows != m.Rows || got.Cols != m.Cols || !equalF32(got.Data, m.Data) {
			t.Errorf("%v: read back %d×%d", shape, got.Rows, got.Cols)
		}
	}
}

func equalF32(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestNpyFromNumPy reads testdata/npy/numpy_3x2.npy, written by numpy.save
// (see testdata/npy/README.md), and checks our writer gives the same bytes.
func TestNpyFromNumPy(t *testing.T) {
	raw, err := os.ReadFile("testdata/npy/numpy_3x2.npy")
	if err != nil {
		t.Fatal(err)
	}
	m, err := ReadNpy(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{0, 1.5, -2, 3.25, 1e-3, -7}
	if m.Rows != 3 || m.Cols != 2 || !equalF32(m.Data, want) {
		t.Fatalf("read %d×%d %v", m.Rows, m.Cols, m.Data)
	}
	var b bytes.Buffer
	WriteNpy(&b, m)
	if !bytes.Equal(b.Bytes(), raw) {
		t.Errorf("our encoding differs from numpy.save's:\n%q\n%q", b.Bytes()[:80], raw[:80])
	}
}

func TestNpyErrors(t *testing.T) {
	good := func() []byte {
		var b bytes.Buffer
		WriteNpy(&b, &Matrix{Rows: 2, Cols: 2, Data: []float32{1, 2, 3, 4}})
		return b.Bytes()
	}
	repl := func(old, new string) []byte {
		return []byte(strings.Replace(string(good()), old, new, 1))
	}
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "short header"},
		{"magic", []byte("NOTNUMPY........"), "bad magic"},
		{"dtype", repl("<f4", "<f8"), `dtype "<f8"`},
		{"fortran", repl("False", "True "), "C order"},
		{"rank", repl("(2, 2)", "(4,)  "), "1-D"},
		{"short payload", good()[:len(good())-1], "payload has"},
		{"extra bytes", append(good(), 0), "bytes after"},
		{"huge shape", repl("(2, 2)", "(9999999999, 9)"), "too large"},
		{"lying shape", repl("(2, 2)", "(9, 99)"), "payload has"},
		{"version", append(append([]byte("\x93NUMPY"), 9, 0), good()[8:]...), "version 9.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadNpy(bytes.NewReader(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestNpyAndCmpFiles(t *testing.T) {
	dir := t.TempDir()
	m := &Matrix{Rows: 2, Cols: 3, Data: []float32{1, 2, 3, 4, 5, 6}}
	if err := WriteNpyFile(filepath.Join(dir, "a.npy"), m); err != nil {
		t.Fatal(err)
	}
	got, err := ReadNpyFile(filepath.Join(dir, "a.npy"))
	if err != nil || !equalF32(got.Data, m.Data) {
		t.Fatalf("npy file: %v %v", got, err)
	}
	if err := WriteCmpFile(filepath.Join(dir, "a.cmp"), m); err != nil {
		t.Fatal(err)
	}
	c, err := ReadCmpFile(filepath.Join(dir, "a.cmp"), 3)
	if err != nil || c.Rows != 2 || !equalF32(c.Data, m.Data) {
		t.Fatalf("cmp file: %v %v", c, err)
	}
	if _, err := ReadCmpFile(filepath.Join(dir, "a.cmp"), 4); err == nil || !strings.Contains(err.Error(), "a.cmp") {
		t.Errorf("cmp of wrong width: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "bad.npy"), []byte("junk"), 0o644)
	if _, err := ReadNpyFile(filepath.Join(dir, "bad.npy")); err == nil || !strings.Contains(err.Error(), "bad.npy") {
		t.Errorf("bad npy: %v", err)
	}
}

// npyBudget bounds ReadNpy's allocations: the payload (4 bytes per 4 input
// bytes, grown by doubling from at most 2^16 values whatever the header
// declares), the header (at most maxNpyHeader) and its parsing.
var npyBudget = memtest.Budget{PerByte: 16, Const: 1 << 20}

// TestReadNpyLyingHeader: a header declaring 2^31 values over a 4-byte
// payload allocates no more than the budget.
func TestReadNpyLyingHeader(t *testing.T) {
	var b bytes.Buffer
	WriteNpy(&b, &Matrix{Rows: 1, Cols: 1, Data: []float32{1}})
	in := bytes.Replace(b.Bytes(), []byte("(1, 1)"), []byte("(65536, 32767)"), 1)
	var err error
	if e := npyBudget.Check(len(in), func() { _, err = ReadNpy(bytes.NewReader(in)) }); e != nil {
		t.Error(e)
	}
	if err == nil || !strings.Contains(err.Error(), "of 2147418112 values") {
		t.Errorf("err = %v", err)
	}
}

func FuzzReadNpy(f *testing.F) {
	var b bytes.Buffer
	WriteNpy(&b, &Matrix{Rows: 2, Cols: 2, Data: []float32{1, 2, 3, 4}})
	f.Add(b.Bytes())
	if raw, err := os.ReadFile("testdata/npy/numpy_3x2.npy"); err == nil {
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var (
			m   *Matrix
			err error
		)
		if e := npyBudget.Check(len(in), func() { m, err = ReadNpy(bytes.NewReader(in)) }); e != nil {
			t.Fatal(e)
		}
		if err != nil {
			return
		}
		if len(m.Data) != m.Rows*m.Cols {
			t.Fatalf("%d×%d with %d values", m.Rows, m.Cols, len(m.Data))
		}
		// Whatever reads must write and read back identically.
		var out bytes.Buffer
		if err := WriteNpy(&out, m); err != nil {
			t.Fatal(err)
		}
		again, err := ReadNpy(&out)
		if err != nil || again.Rows != m.Rows || again.Cols != m.Cols {
			t.Fatalf("round trip: %v", err)
		}
	})
}
