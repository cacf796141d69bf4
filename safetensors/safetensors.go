// Package safetensors reads and writes the safetensors tensor file format
// (https://github.com/huggingface/safetensors), the format deep4deep uses for
// model weights so that they load unchanged into PyTorch.
//
// A file is
//
//	8 bytes   N, the header length, unsigned little-endian
//	N bytes   JSON object: {"NAME": {"dtype": "F32", "shape": [..],
//	          "data_offsets": [BEGIN, END]}, ..., "__metadata__": {"k": "v"}}
//	rest      the tensor data, little-endian, row-major; offsets are relative
//	          to the start of this section
//
// Supported dtypes are F32, F64, I64 and I32. Reading validates everything a
// corrupt or hostile file could get wrong (header size, JSON shape, dtype,
// offsets in range, contiguous and non-overlapping, element count × dtype
// size equal to the byte length) and returns an error, never panics. Writing
// is deterministic: tensors are laid out in sorted name order and the header
// is padded with spaces to a multiple of 8 bytes, as the reference
// implementation does.
//
// It is written here rather than taken from a library because the Go ports
// available are either unmaintained or read-only, and the format is small.
package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"

	"github.com/deep4deep/deep4deep/internal/atomicfile"
)

// Data types.
const (
	F32 = "F32"
	F64 = "F64"
	I64 = "I64"
	I32 = "I32"
)

// MaxHeaderSize bounds the JSON header (the reference implementation's limit).
const MaxHeaderSize = 100_000_000

// Tensor is one named array. Exactly the slice matching DType holds the data,
// row-major, with len equal to the product of Shape (1 for a scalar, Shape
// empty).
type Tensor struct {
	DType string
	Shape []int
	F32   []float32
	F64   []float64
	I64   []int64
	I32   []int32
}

// NumElements is the product of the shape (1 for a scalar).
func (t Tensor) NumElements() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

func dtypeSize(dt string) int {
	switch dt {
	case F32, I32:
		return 4
	case F64, I64:
		return 8
	}
	return 0
}

// dataLen is the length of the slice that DType selects.
func (t Tensor) dataLen() (int, error) {
	set := 0
	n := -1
	if t.F32 != nil {
		set++
		if t.DType == F32 {
			n = len(t.F32)
		}
	}
	if t.F64 != nil {
		set++
		if t.DType == F64 {
			n = len(t.F64)
		}
	}
	if t.I64 != nil {
		set++
		if t.DType == I64 {
			n = len(t.I64)
		}
	}
	if t.I32 != nil {
		set++
		if t.DType == I32 {
			n = len(t.I32)
		}
	}
	if dtypeSize(t.DType) == 0 {
		return 0, fmt.Errorf("unsupported dtype %q", t.DType)
	}
	if set > 1 {
		return 0, errors.New("more than one data slice set")
	}
	if n < 0 {
		if set == 0 && t.NumElements() == 0 {
			return 0, nil
		}
		return 0, fmt.Errorf("dtype %s but its data slice is not set", t.DType)
	}
	return n, nil
}

// validShape reports the element count of shape, or an error for a negative
// dimension or an overflowing product.
func validShape(shape []int) (int, error) {
	n := 1
	for _, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("negative dimension in shape %v", shape)
		}
		if d != 0 && n > (1<<40)/d {
			return 0, fmt.Errorf("shape %v too large", shape)
		}
		n *= d
	}
	return n, nil
}

// Write writes tensors and metadata (may be nil) in safetensors format.
func Write(w io.Writer, tensors map[string]Tensor, meta map[string]string) error {
	names := make([]string, 0, len(tensors))
	for name := range tensors {
		if name == "__metadata__" {
			return errors.New("safetensors: tensor name __metadata__ is reserved")
		}
		names = append(names, name)
	}
	sort.Strings(names)
	var hdr bytes.Buffer
	hdr.WriteByte('{')
	if len(meta) > 0 {
		keys := make([]string, 0, len(meta))
		for k := range meta {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		hdr.WriteString(`"__metadata__":{`)
		for i, k := range keys {
			if i > 0 {
				hdr.WriteByte(',')
			}
			writeJSONString(&hdr, k)
			hdr.WriteByte(':')
			writeJSONString(&hdr, meta[k])
		}
		hdr.WriteByte('}')
	}
	off := 0
	for i, name := range names {
		t := tensors[name]
		n, err := t.dataLen()
		if err != nil {
			return fmt.Errorf("safetensors: tensor %q: %w", name, err)
		}
		want, err := validShape(t.Shape)
		if err != nil {
			return fmt.Errorf("safetensors: tensor %q: %w", name, err)
		}
		if n != want {
			return fmt.Errorf("safetensors: tensor %q: shape %v needs %d elements, data has %d", name, t.Shape, want, n)
		}
		if i > 0 || len(meta) > 0 {
			hdr.WriteByte(',')
		}
		writeJSONString(&hdr, name)
		end := off + n*dtypeSize(t.DType)
		hdr.WriteString(`:{"dtype":"` + t.DType + `","shape":[`)
		for j, d := range t.Shape {
			if j > 0 {
				hdr.WriteByte(',')
			}
			hdr.WriteString(strconv.Itoa(d))
		}
		hdr.WriteString(`],"data_offsets":[` + strconv.Itoa(off) + "," + strconv.Itoa(end) + "]}")
		off = end
	}
	hdr.WriteByte('}')
	for hdr.Len()%8 != 0 {
		hdr.WriteByte(' ')
	}
	var lenBuf [8]byte
	binary.LittleEndian.PutUint64(lenBuf[:], uint64(hdr.Len()))
	if _, err := w.Write(lenBuf[:]); err != nil {
		return err
	}
	if _, err := w.Write(hdr.Bytes()); err != nil {
		return err
	}
	buf := make([]byte, 0, 1<<16)
	flush := func() error {
		_, err := w.Write(buf)
		buf = buf[:0]
		return err
	}
	for _, name := range names {
		t := tensors[name]
		switch t.DType {
		case F32:
			for _, v := range t.F32 {
				buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
				if len(buf) >= 1<<16-8 {
					if err := flush(); err != nil {
						return err
					}
				}
			}
		case F64:
			for _, v := range t.F64 {
				buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
				if len(buf) >= 1<<16-8 {
					if err := flush(); err != nil {
						return err
					}
				}
			}
		case I64:
			for _, v := range t.I64 {
				buf = binary.LittleEndian.AppendUint64(buf, uint64(v))
				if len(buf) >= 1<<16-8 {
					if err := flush(); err != nil {
						return err
					}
				}
			}
		case I32:
			for _, v := range t.I32 {
				buf = binary.LittleEndian.AppendUint32(buf, uint32(v))
				if len(buf) >= 1<<16-8 {
					if err := flush(); err != nil {
						return err
					}
				}
			}
		}
	}
	return flush()
}

func writeJSONString(b *bytes.Buffer, s string) {
	enc, _ := json.Marshal(s) // a string always marshals
	b.Write(enc)
}

// WriteFile writes the tensors to path atomically (temporary file + rename).
func WriteFile(path string, tensors map[string]Tensor, meta map[string]string) error {
	return atomicfile.Write(path, 0o644, func(w io.Writer) error { // its errors name path
		return Write(w, tensors, meta)
	})
}

// ReadFile reads a safetensors file; errors name the file.
func ReadFile(path string) (map[string]Tensor, map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	t, m, err := Read(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, m, nil
}

type entry struct {
	DType       string            `json:"dtype"`
	Shape       []int             `json:"shape"`
	DataOffsets []json.RawMessage `json:"data_offsets"`
}

// Read decodes a whole safetensors file held in data. The returned tensors
// do not alias data.
func Read(data []byte) (map[string]Tensor, map[string]string, error) {
	if len(data) < 8 {
		return nil, nil, fmt.Errorf("safetensors: file is %d bytes, shorter than the 8-byte header length", len(data))
	}
	hlen := binary.LittleEndian.Uint64(data[:8])
	if hlen > MaxHeaderSize {
		return nil, nil, fmt.Errorf("safetensors: header length %d exceeds the limit %d", hlen, MaxHeaderSize)
	}
	if hlen > uint64(len(data)-8) {
		return nil, nil, fmt.Errorf("safetensors: header length %d exceeds the file (%d bytes after the length)", hlen, len(data)-8)
	}
	hdr := data[8 : 8+hlen]
	body := data[8+hlen:]
	if len(bytes.TrimSpace(hdr)) == 0 || bytes.TrimLeft(hdr, " \t\r\n")[0] != '{' {
		return nil, nil, errors.New("safetensors: header is not a JSON object")
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(hdr, &raw); err != nil {
		return nil, nil, fmt.Errorf("safetensors: header JSON: %w", err)
	}
	var meta map[string]string
	if m, ok := raw["__metadata__"]; ok {
		if err := json.Unmarshal(m, &meta); err != nil {
			return nil, nil, fmt.Errorf("safetensors: __metadata__ must map strings to strings: %w", err)
		}
		delete(raw, "__metadata__")
	}
	type span struct {
		name       string
		begin, end int
	}
	spans := make([]span, 0, len(raw))
	entries := make(map[string]entry, len(raw))
	for name, msg := range raw {
		var e entry
		dec := json.NewDecoder(bytes.NewReader(msg))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			return nil, nil, fmt.Errorf("safetensors: tensor %q: %w", name, err)
		}
		sz := dtypeSize(e.DType)
		if sz == 0 {
			return nil, nil, fmt.Errorf("safetensors: tensor %q: unsupported dtype %q (supported: F32, F64, I64, I32)", name, e.DType)
		}
		if e.Shape == nil {
			return nil, nil, fmt.Errorf("safetensors: tensor %q: missing shape", name)
		}
		n, err := validShape(e.Shape)
		if err != nil {
			return nil, nil, fmt.Errorf("safetensors: tensor %q: %w", name, err)
		}
		if len(e.DataOffsets) != 2 {
			return nil, nil, fmt.Errorf("safetensors: tensor %q: data_offsets must have 2 entries, has %d", name, len(e.DataOffsets))
		}
		var off [2]int
		for i, r := range e.DataOffsets {
			v, err := strconv.ParseUint(string(r), 10, 62)
			if err != nil {
				return nil, nil, fmt.Errorf("safetensors: tensor %q: bad data offset %s", name, r)
			}
			off[i] = int(v)
		}
		if off[0] > off[1] || off[1] > len(body) {
			return nil, nil, fmt.Errorf("safetensors: tensor %q: data_offsets [%d, %d] outside the %d-byte data section", name, off[0], off[1], len(body))
		}
		if off[1]-off[0] != n*sz {
			return nil, nil, fmt.Errorf("safetensors: tensor %q: shape %v × %s needs %d bytes, data_offsets give %d", name, e.Shape, e.DType, n*sz, off[1]-off[0])
		}
		entries[name] = e
		spans = append(spans, span{name, off[0], off[1]})
	}
	sort.Slice(spans, func(i, j int) bool {
		if spans[i].begin != spans[j].begin {
			return spans[i].begin < spans[j].begin
		}
		return spans[i].end < spans[j].end
	})
	pos := 0
	for _, s := range spans {
		if s.begin < pos {
			return nil, nil, fmt.Errorf("safetensors: tensor %q: data overlaps the previous tensor", s.name)
		}
		if s.begin > pos {
			return nil, nil, fmt.Errorf("safetensors: tensor %q: %d unused bytes before its data", s.name, s.begin-pos)
		}
		pos = s.end
	}
	if pos != len(body) {
		return nil, nil, fmt.Errorf("safetensors: %d trailing bytes after the last tensor", len(body)-pos)
	}
	out := make(map[string]Tensor, len(spans))
	for _, s := range spans {
		e := entries[s.name]
		b := body[s.begin:s.end]
		t := Tensor{DType: e.DType, Shape: e.Shape}
		switch e.DType {
		case F32:
			t.F32 = make([]float32, len(b)/4)
			for i := range t.F32 {
				t.F32[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
			}
		case F64:
			t.F64 = make([]float64, len(b)/8)
			for i := range t.F64 {
				t.F64[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
			}
		case I64:
			t.I64 = make([]int64, len(b)/8)
			for i := range t.I64 {
				t.I64[i] = int64(binary.LittleEndian.Uint64(b[8*i:]))
			}
		case I32:
			t.I32 = make([]int32, len(b)/4)
			for i := range t.I32 {
				t.I32[i] = int32(binary.LittleEndian.Uint32(b[4*i:]))
			}
		}
		out[s.name] = t
	}
	return out, meta, nil
}
