package features

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/deep4deep/deep4deep/internal/atomicfile"
)

// The .npy format (NumPy's "format.rst"): the magic "\x93NUMPY", a major and
// minor version byte, a little-endian header length (uint16 for v1.0,
// uint32 for v2.0/3.0), and an ASCII Python dict literal such as
//
//	{'descr': '<f4', 'fortran_order': False, 'shape': (195, 64), }
//
// padded with spaces and ended by '\n' so that the data starts at a multiple
// of 64 bytes; then the array's bytes. It is written here (a few lines)
// rather than pulling a dependency for it.

const npyMagic = "\x93NUMPY"

// maxNpyHeader bounds the header a reader accepts.
const maxNpyHeader = 1 << 16

// WriteNpy writes m as a NumPy v1.0 .npy array of shape (Rows, Cols),
// dtype '<f4', C order.
func WriteNpy(w io.Writer, m *Matrix) error {
	if len(m.Data) != m.Rows*m.Cols {
		return fmt.Errorf("matrix %d×%d holds %d values", m.Rows, m.Cols, len(m.Data))
	}
	dict := fmt.Sprintf("{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }", m.Rows, m.Cols)
	total := len(npyMagic) + 4 + len(dict) + 1
	pad := (64 - total%64) % 64
	hdr := make([]byte, 0, total+pad)
	hdr = append(hdr, npyMagic...)
	hdr = append(hdr, 1, 0)
	hdr = binary.LittleEndian.AppendUint16(hdr, uint16(len(dict)+pad+1))
	hdr = append(hdr, dict...)
	hdr = append(hdr, bytes.Repeat([]byte{' '}, pad)...)
	hdr = append(hdr, '\n')
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	return writeF32(w, m.Data)
}

// writeF32 writes v as little-endian float32 values.
func writeF32(w io.Writer, v []float32) error {
	var buf [4096]byte
	for len(v) > 0 {
		n := min(len(v), len(buf)/4)
		for i, x := range v[:n] {
			binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(x))
		}
		if _, err := w.Write(buf[:4*n]); err != nil {
			return err
		}
		v = v[n:]
	}
	return nil
}

var (
	npyDescr   = regexp.MustCompile(`['"]descr['"]\s*:\s*['"]([^'"]*)['"]`)
	npyFortran = regexp.MustCompile(`['"]fortran_order['"]\s*:\s*(True|False)`)
	npyShape   = regexp.MustCompile(`['"]shape['"]\s*:\s*\(([^)]*)\)`)
)

// ReadNpy reads a 2-D float32 little-endian C-order .npy array (format
// version 1.0, 2.0 or 3.0). Anything else — another dtype, Fortran order,
// another rank, a short or over-long payload — is an error.
func ReadNpy(r io.Reader) (*Matrix, error) {
	br := bufio.NewReader(r)
	var pre [8]byte
	if _, err := io.ReadFull(br, pre[:]); err != nil {
		return nil, fmt.Errorf("npy: short header: %w", err)
	}
	if string(pre[:6]) != npyMagic {
		return nil, errors.New("npy: not a NumPy .npy file (bad magic)")
	}
	var hlen int
	switch pre[6] {
	case 1:
		var b [2]byte
		if _, err := io.ReadFull(br, b[:]); err != nil {
			return nil, fmt.Errorf("npy: short header: %w", err)
		}
		hlen = int(binary.LittleEndian.Uint16(b[:]))
	case 2, 3:
		var b [4]byte
		if _, err := io.ReadFull(br, b[:]); err != nil {
			return nil, fmt.Errorf("npy: short header: %w", err)
		}
		hlen = int(binary.LittleEndian.Uint32(b[:]))
	default:
		return nil, fmt.Errorf("npy: unsupported format version %d.%d", pre[6], pre[7])
	}
	if hlen > maxNpyHeader {
		return nil, fmt.Errorf("npy: header of %d bytes is too long", hlen)
	}
	hdr := make([]byte, hlen)
	if _, err := io.ReadFull(br, hdr); err != nil {
		return nil, fmt.Errorf("npy: short header: %w", err)
	}
	h := string(hdr)
	d := npyDescr.FindStringSubmatch(h)
	if d == nil {
		return nil, errors.New("npy: header has no descr")
	}
	if d[1] != "<f4" {
		return nil, fmt.Errorf("npy: dtype %q, want '<f4' (float32)", d[1])
	}
	if f := npyFortran.FindStringSubmatch(h); f == nil || f[1] != "False" {
		return nil, errors.New("npy: array is not in C order")
	}
	s := npyShape.FindStringSubmatch(h)
	if s == nil {
		return nil, errors.New("npy: header has no shape")
	}
	var dims []int
	for _, p := range strings.Split(s[1], ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		v, err := strconv.Atoi(strings.TrimSuffix(p, "L"))
		if errors.Is(err, strconv.ErrRange) {
			return nil, fmt.Errorf("npy: shape (%s) is too large", s[1])
		}
		if err != nil || v < 0 {
			return nil, fmt.Errorf("npy: bad shape (%s)", s[1])
		}
		dims = append(dims, v)
	}
	if len(dims) != 2 {
		return nil, fmt.Errorf("npy: %d-D array, want 2-D (frames, dims)", len(dims))
	}
	rows, cols := dims[0], dims[1]
	if cols > 0 && rows > math.MaxInt32/cols {
		return nil, fmt.Errorf("npy: shape (%d, %d) is too large", rows, cols)
	}
	n := rows * cols
	// Read in chunks so that a lying header cannot make us allocate more
	// than the payload actually holds.
	data := make([]float32, 0, min(n, 1<<16))
	var buf [4096]byte
	for len(data) < n {
		k := min(n-len(data), len(buf)/4)
		if _, err := io.ReadFull(br, buf[:4*k]); err != nil {
			return nil, fmt.Errorf("npy: payload has %d of %d values", len(data), n)
		}
		for i := 0; i < k; i++ {
			data = append(data, math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:])))
		}
	}
	if _, err := br.ReadByte(); err != io.EOF {
		return nil, fmt.Errorf("npy: bytes after the %d×%d payload", rows, cols)
	}
	return &Matrix{Rows: rows, Cols: cols, Data: data}, nil
}

// WriteNpyFile writes m to path as .npy, atomically.
func WriteNpyFile(path string, m *Matrix) error {
	return atomicfile.Write(path, 0o644, func(w io.Writer) error { return WriteNpy(w, m) })
}

// ReadNpyFile reads a .npy file written by WriteNpyFile or numpy.save.
func ReadNpyFile(path string) (*Matrix, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := ReadNpy(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// WriteCmp writes m's values as raw little-endian float32, row-major, with
// no header: the seed's .cmp format.
func WriteCmp(w io.Writer, m *Matrix) error { return writeF32(w, m.Data) }

// WriteCmpFile writes m to path in the .cmp format, atomically.
func WriteCmpFile(path string, m *Matrix) error {
	return atomicfile.Write(path, 0o644, func(w io.Writer) error { return WriteCmp(w, m) })
}

// ReadCmpFile reads a .cmp file of cols-dimensional frames (the format has
// no header, so the caller supplies the width).
func ReadCmpFile(path string, cols int) (*Matrix, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if cols <= 0 || len(b)%(4*cols) != 0 {
		return nil, fmt.Errorf("%s: %d bytes is not a whole number of %d-dim float32 frames", path, len(b), cols)
	}
	m := &Matrix{Rows: len(b) / (4 * cols), Cols: cols, Data: make([]float32, len(b)/4)}
	for i := range m.Data {
		m.Data[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return m, nil
}
