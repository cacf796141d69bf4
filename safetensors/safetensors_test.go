package safetensors

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/deep4deep/deep4deep/internal/memtest"
)

func sample() map[string]Tensor {
	return map[string]Tensor{
		"w":     {DType: F32, Shape: []int{2, 3}, F32: []float32{1, -2, 3.5, 0, 1e-7, -1e30}},
		"d":     {DType: F64, Shape: []int{3}, F64: []float64{1.25, -0.5, 1e300}},
		"step":  {DType: I64, Shape: []int{}, I64: []int64{-42}},
		"i":     {DType: I32, Shape: []int{1, 2}, I32: []int32{7, -8}},
		"empty": {DType: F32, Shape: []int{0, 4}},
		"a.b.c": {DType: F32, Shape: []int{1}, F32: []float32{9}},
	}
}

func TestRoundTrip(t *testing.T) {
	var b bytes.Buffer
	meta := map[string]string{"format": "pt", "note": "qu\"ote"}
	if err := Write(&b, sample(), meta); err != nil {
		t.Fatal(err)
	}
	got, gm, err := Read(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	want := sample()
	for name, w := range want {
		g := got[name]
		if w.NumElements() == 0 {
			if g.NumElements() != 0 || !reflect.DeepEqual(g.Shape, w.Shape) {
				t.Errorf("%s: got %+v", name, g)
			}
			continue
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s: got %+v want %+v", name, g, w)
		}
	}
	if len(got) != len(want) || !reflect.DeepEqual(gm, meta) {
		t.Errorf("got %d tensors, meta %v", len(got), gm)
	}
	// Deterministic bytes.
	var b2 bytes.Buffer
	if err := Write(&b2, sample(), meta); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), b2.Bytes()) {
		t.Error("two writes of the same tensors differ")
	}
	hl := binary.LittleEndian.Uint64(b.Bytes())
	if hl%8 != 0 {
		t.Errorf("header length %d not a multiple of 8", hl)
	}
}

// TestKnownBytes checks the exact layout against a hand-computed file.
func TestKnownBytes(t *testing.T) {
	var b bytes.Buffer
	err := Write(&b, map[string]Tensor{"x": {DType: F32, Shape: []int{2}, F32: []float32{1, 2}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	hdr := `{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`
	for len(hdr)%8 != 0 {
		hdr += " "
	}
	want := binary.LittleEndian.AppendUint64(nil, uint64(len(hdr)))
	want = append(want, hdr...)
	want = append(want, 0, 0, 0x80, 0x3f, 0, 0, 0, 0x40)
	if !bytes.Equal(b.Bytes(), want) {
		t.Fatalf("got\n%q\nwant\n%q", b.Bytes(), want)
	}
}

func TestWriteFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "m.safetensors")
	if err := WriteFile(p, sample(), nil); err != nil {
		t.Fatal(err)
	}
	got, _, err := ReadFile(p)
	if err != nil || len(got) != len(sample()) {
		t.Fatalf("%v, %d tensors", err, len(got))
	}
	os.WriteFile(p, []byte("junk"), 0o644)
	if _, _, err := ReadFile(p); err == nil || !strings.Contains(err.Error(), p) {
		t.Fatalf("error %v does not name the file", err)
	}
}

func TestWriteErrors(t *testing.T) {
	cases := map[string]Tensor{
		"shape mismatch": {DType: F32, Shape: []int{3}, F32: []float32{1, 2}},
		"wrong slice":    {DType: F64, Shape: []int{1}, F32: []float32{1}},
		"bad dtype":      {DType: "F16", Shape: []int{1}, F32: []float32{1}},
		"two slices":     {DType: F32, Shape: []int{1}, F32: []float32{1}, F64: []float64{1}},
		"negative":       {DType: F32, Shape: []int{-1}, F32: []float32{}},
	}
	for name, tc := range cases {
		if err := Write(&bytes.Buffer{}, map[string]Tensor{"t": tc}, nil); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func file(hdr string, body []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(hdr)))
	return append(append(b, hdr...), body...)
}

func TestReadErrors(t *testing.T) {
	eight := make([]byte, 8)
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"short", []byte{1, 2}, "shorter"},
		{"huge header", binary.LittleEndian.AppendUint64(nil, 1<<40), "limit"},
		{"header past end", binary.LittleEndian.AppendUint64(nil, 100), "exceeds the file"},
		{"not object", file(`[1]`, nil), "not a JSON object"},
		{"bad json", file(`{"x":`, nil), "JSON"},
		{"dtype", file(`{"x":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}}`, eight[:2]), "unsupported dtype"},
		{"no shape", file(`{"x":{"dtype":"F32","data_offsets":[0,4]}}`, eight[:4]), "missing shape"},
		{"neg shape", file(`{"x":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}`, eight[:4]), "negative"},
		{"offsets count", file(`{"x":{"dtype":"F32","shape":[1],"data_offsets":[0]}}`, eight[:4]), "2 entries"},
		{"offset neg", file(`{"x":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}`, eight[:4]), "bad data offset"},
		{"offset range", file(`{"x":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, eight[:4]), "outside"},
		{"size", file(`{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}`, eight[:4]), "needs 8 bytes"},
		{"overlap", file(`{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"y":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, eight[:4]), "overlaps"},
		{"hole", file(`{"x":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, eight), "unused"},
		{"trailing", file(`{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, eight), "trailing"},
		{"meta", file(`{"__metadata__":{"a":1}}`, nil), "__metadata__"},
		{"unknown field", file(`{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"z":1}}`, eight[:4]), "unknown field"},
		{"huge shape", file(`{"x":{"dtype":"F32","shape":[1000000000,1000000000],"data_offsets":[0,4]}}`, eight[:4]), "too large"},
	}
	for _, tc := range cases {
		_, _, err := Read(tc.data)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want containing %q", tc.name, err, tc.want)
		}
	}
}

// readBudget bounds Read's allocations: the header's JSON decoding (a few
// times its size: maps, names, shapes) and the tensors (a copy of the body).
var readBudget = memtest.Budget{PerByte: 32, Const: 64 << 10}

// FuzzRead checks that Read never panics and that whatever it accepts
// survives a write/read round trip unchanged.
func FuzzRead(f *testing.F) {
	var b bytes.Buffer
	Write(&b, sample(), map[string]string{"k": "v"})
	f.Add(b.Bytes())
	f.Add(file(`{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, make([]byte, 4)))
	f.Fuzz(func(t *testing.T, data []byte) {
		var (
			ts   map[string]Tensor
			meta map[string]string
			err  error
		)
		if e := readBudget.Check(len(data), func() { ts, meta, err = Read(data) }); e != nil {
			t.Fatal(e)
		}
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := Write(&out, ts, meta); err != nil {
			t.Fatalf("accepted file does not write back: %v", err)
		}
		ts2, _, err := Read(out.Bytes())
		if err != nil {
			t.Fatalf("rewritten file does not read: %v", err)
		}
		if len(ts2) != len(ts) {
			t.Fatalf("tensor count changed")
		}
	})
}
