package features

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// noise returns n samples of uniform white noise in [−a, a).
func noise(seed uint64, n int, a float64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 77))
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(a * (2*rng.Float64() - 1))
	}
	return x
}

func finite(t *testing.T, m *Matrix) {
	t.Helper()
	for i, v := range m.Data {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			t.Fatalf("value %d (frame %d, dim %d) is %v", i, i/m.Cols, i%m.Cols, v)
		}
	}
}

func TestCQCCThroughNew(t *testing.T) {
	c := DefaultConfig(CQCC)
	e, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	if e.Dim() != 90 {
		t.Fatalf("Dim %d, want 90", e.Dim())
	}
	x := tone(440, 16000)
	for i, v := range noise(1, len(x), 0.01) {
		x[i] += v
	}
	var a, b Matrix
	if err := e.Extract(&a, x); err != nil {
		t.Fatal(err)
	}
	if a.Rows != 125 || a.Cols != 90 {
		t.Fatalf("%d×%d, want 125×90 (ceil(16000/128) frames)", a.Rows, a.Cols)
	}
	finite(t, &a)
	if err := e.Extract(&b, x); err != nil {
		t.Fatal(err)
	}
	for i := range a.Data {
		if a.Data[i] != b.Data[i] {
			t.Fatal("two extractions differ")
		}
	}
	for _, n := range []int{0, 1, 127, 128, 129, 4000} {
		if err := e.Extract(&a, noise(2, n, 0.1)); err != nil {
			t.Fatal(err)
		}
		if want := (n + 127) / 128; a.Rows != want || a.Cols != 90 {
			t.Fatalf("%d samples: %d×%d, want %d×90", n, a.Rows, a.Cols, want)
		}
		finite(t, &a)
	}
}

// Resampling then a DCT of the resampled spectrum equals the folded
// projection, and the DCT is NewDCT's.
func TestCQCCProjectionMatchesExplicitPath(t *testing.T) {
	c := DefaultConfig(CQCC)
	c.Deltas = false
	e, err := newCQCC(c)
	if err != nil {
		t.Fatal(err)
	}
	x := noise(3, 6000, 0.3)
	var m Matrix
	if err := e.Extract(&m, x); err != nil {
		t.Fatal(err)
	}
	ce := e.(*cqccExtractor)
	logP, nf, err := ce.t.logPower(nil, x)
	if err != nil {
		t.Fatal(err)
	}
	r := newUniformResampler(ce.t, 16)
	if r.n != 8118 {
		t.Errorf("%d linear bins, want 8118 = floor((2^(863/96) − 1)·16) + 1", r.n)
	}
	dct := NewDCT(r.n, 30)
	col := make([]float64, ce.t.k)
	lin := make([]float64, r.n)
	got := make([]float32, 30)
	for _, f := range []int{0, nf / 2, nf - 1} {
		for k := range col {
			col[k] = float64(logP[k*nf+f])
		}
		r.apply(lin, col)
		dct.Apply64(got, lin)
		for n, want := range got {
			if d := math.Abs(float64(m.Row(f)[n] - want)); d > 1e-4*math.Max(1, math.Abs(float64(want))) {
				t.Fatalf("frame %d c%d: projection %v, resample+DCT %v", f, n, m.Row(f)[n], want)
			}
		}
	}
}

// The resampler maps linear frequency to the geometric bin index
// u = B·log2(f/fmin), exactly where it interpolates linearly, and
// preserves constants everywhere.
func TestUniformResampler(t *testing.T) {
	tr, err := newCQT(16000, 128, 96, 9, 8000)
	if err != nil {
		t.Fatal(err)
	}
	r := newUniformResampler(tr, 16)
	idx := make([]float64, tr.k)
	ones := make([]float64, tr.k)
	for k := range idx {
		idx[k] = float64(k)
		ones[k] = 1
	}
	out := make([]float64, r.n)
	r.apply(out, ones)
	for l, v := range out {
		if math.Abs(v-1) > 1e-12 {
			t.Fatalf("constant spectrum resampled to %v at linear bin %d", v, l)
		}
	}
	r.apply(out, idx)
	fmin := 8000 / 512.0
	for l := 0; l < r.n; l++ {
		f := fmin + float64(l)*fmin/16
		if 96*math.Log2(1+fmin/16/f) > 1 {
			continue // averaging region: the mean of a ramp, not its value
		}
		if want := 96 * math.Log2(f/fmin); math.Abs(out[l]-want) > 1e-9 {
			t.Fatalf("linear bin %d (%.2f Hz): bin index %v, want %v", l, f, out[l], want)
		}
	}
}

// Doubling the amplitude adds ln 4 to every log-power bin: after the
// orthonormal DCT, c0 grows by ln4·√L and every other coefficient stays.
func TestCQCCGainOnlyMovesC0(t *testing.T) {
	c := DefaultConfig(CQCC)
	c.Deltas = false
	e, _ := New(c)
	x := noise(4, 8000, 0.2)
	x2 := make([]float32, len(x))
	for i, v := range x {
		x2[i] = 2 * v
	}
	var a, b Matrix
	e.Extract(&a, x)
	e.Extract(&b, x2)
	L := 8118.0
	for f := 0; f < a.Rows; f++ {
		for n := 0; n < 30; n++ {
			want := 0.0
			if n == 0 {
				want = math.Log(4) * math.Sqrt(L)
			}
			if d := float64(b.Row(f)[n] - a.Row(f)[n]); math.Abs(d-want) > 2e-3*math.Max(1, want) {
				t.Fatalf("frame %d c%d moved by %v, want %v", f, n, d, want)
			}
		}
	}
}

func TestAppendDeltas1(t *testing.T) {
	// c_t = (t², 3t) for t = 0…5.
	src := Matrix{Rows: 6, Cols: 2}
	for t0 := 0; t0 < 6; t0++ {
		src.Data = append(src.Data, float32(t0*t0), float32(3*t0))
	}
	var dst Matrix
	appendDeltas1(&dst, &src)
	if dst.Rows != 6 || dst.Cols != 6 {
		t.Fatalf("%d×%d", dst.Rows, dst.Cols)
	}
	// Interior: Δ(t²) = ((t+1)² − (t−1)²)/2 = 2t, Δ(3t) = 3; edges clamp.
	wantD := [][2]float32{{0.5, 1.5}, {2, 3}, {4, 3}, {6, 3}, {8, 3}, {4.5, 1.5}}
	for t0, w := range wantD {
		r := dst.Row(t0)
		if r[0] != src.Row(t0)[0] || r[1] != src.Row(t0)[1] || r[2] != w[0] || r[3] != w[1] {
			t.Fatalf("frame %d: %v, want static %v and Δ %v", t0, r, src.Row(t0), w)
		}
	}
	// ΔΔ of Δ(t²) = 2t in the interior (frames 2…3 see only interior Δs) is 2.
	for t0 := 2; t0 <= 3; t0++ {
		if r := dst.Row(t0); r[4] != 2 || r[5] != 0 {
			t.Fatalf("frame %d ΔΔ %v, want [2 0]", t0, r[4:])
		}
	}
}

func TestCQCCConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(c *Config)
		want string
	}{
		{"nil params", func(c *Config) { c.CQCC = nil }, "missing cqcc parameters"},
		{"hop not power of two", func(c *Config) { c.HopSeconds = 0.010 }, "not a power of two"},
		{"hop too long", func(c *Config) { c.HopSeconds = 0.016 }, "below its bandwidth"},
		{"fractional hop", func(c *Config) { c.HopSeconds = 0.00801 }, "whole number of samples"},
		{"fmax", func(c *Config) { c.CQCC.FMax = 9000 }, "fmax"},
		{"d", func(c *Config) { c.CQCC.UniformBins = 0 }, "uniform bins"},
		{"ceps", func(c *Config) { c.NumCeps = 0 }, "cepstra"},
		{"rate", func(c *Config) { c.SampleRate = 0 }, "sample rate"},
	} {
		c := DefaultConfig(CQCC)
		p := *c.CQCC
		c.CQCC = &p
		tc.mod(&c)
		if _, err := New(c); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want error containing %q", tc.name, err, tc.want)
		}
	}
}
