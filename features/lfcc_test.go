package features

import (
	"math"
	"strings"
	"testing"
)

func TestLFCCThroughNew(t *testing.T) {
	e, err := New(DefaultConfig(LFCC))
	if err != nil {
		t.Fatal(err)
	}
	if e.Dim() != 60 {
		t.Fatalf("Dim %d, want 60", e.Dim())
	}
	var m Matrix
	for _, tc := range []struct{ n, frames int }{
		{0, 0}, {160, 0}, {161, 1}, {320, 1}, {321, 2}, {16000, 99}, {16001, 100},
	} {
		if err := e.Extract(&m, noise(5, tc.n, 0.2)); err != nil {
			t.Fatal(err)
		}
		if m.Rows != tc.frames || m.Cols != 60 {
			t.Errorf("%d samples: %d×%d, want %d×60", tc.n, m.Rows, m.Cols, tc.frames)
		}
		finite(t, &m)
	}
}

// The static coefficients equal a direct evaluation of the definition:
// pre-emphasis, symmetric Hamming window, a naive 512-point DFT, triangles
// on 22 equally spaced edges from 0 to 8 kHz, log10, orthonormal DCT-II.
func TestLFCCMatchesDefinition(t *testing.T) {
	c := DefaultConfig(LFCC)
	c.Deltas = false
	e, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	x := tone(1234, 4000)
	for i, v := range noise(6, len(x), 0.05) {
		x[i] += v
	}
	var m Matrix
	if err := e.Extract(&m, x); err != nil {
		t.Fatal(err)
	}
	if m.Cols != 20 {
		t.Fatalf("%d static coefficients", m.Cols)
	}
	for _, f := range []int{0, 7, m.Rows - 1} {
		frame := make([]float64, 512)
		for i := 0; i < 320; i++ {
			n := f*160 + i
			if n >= len(x) {
				break
			}
			y := float64(x[n])
			if n > 0 {
				y -= 0.97 * float64(x[n-1])
			}
			frame[i] = y * (0.54 - 0.46*math.Cos(2*math.Pi*float64(i)/319))
		}
		energy := make([]float64, 20)
		for k := 0; k <= 256; k++ {
			var re, im float64
			for n, v := range frame {
				re += v * math.Cos(2*math.Pi*float64(k*n)/512)
				im -= v * math.Sin(2*math.Pi*float64(k*n)/512)
			}
			p := re*re + im*im
			fk := float64(k) * 16000 / 512
			for j := 0; j < 20; j++ {
				a, b, cc := float64(j)*8000/21, float64(j+1)*8000/21, float64(j+2)*8000/21
				w := math.Max(0, math.Min((fk-a)/(b-a), (cc-fk)/(cc-b)))
				energy[j] += w * p
			}
		}
		for n := 0; n < 20; n++ {
			s := math.Sqrt(2.0 / 20)
			if n == 0 {
				s = math.Sqrt(1.0 / 20)
			}
			want := 0.0
			for j, v := range energy {
				want += s * math.Log10(v+0x1p-52) * math.Cos(math.Pi*float64(n)*float64(2*j+1)/40)
			}
			if got := float64(m.Row(f)[n]); math.Abs(got-want) > 1e-4*math.Max(1, math.Abs(want)) {
				t.Fatalf("frame %d c%d = %v, want %v", f, n, got, want)
			}
		}
	}
}

// Adjacent linear triangles overlap into a partition of unity between the
// first and last filter centres.
func TestLinearFilterbankPartition(t *testing.T) {
	fb := linearFilterbank(20, 512, 16000, 0, 8000)
	sum := make([]float64, 257)
	for _, f := range fb {
		for i, w := range f.w {
			sum[f.start+i] += w
		}
	}
	for k := range sum {
		fk := float64(k) * 16000 / 512
		if fk >= 8000.0/21 && fk <= 20*8000.0/21 && math.Abs(sum[k]-1) > 1e-12 {
			t.Fatalf("bin %d (%.1f Hz): weights sum to %v", k, fk, sum[k])
		}
	}
}

func TestLFCCConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(c *Config)
		want string
	}{
		{"nil params", func(c *Config) { c.LFCC = nil }, "missing lfcc parameters"},
		{"nfft", func(c *Config) { c.NFFT = 256 }, "shorter than"},
		{"hop", func(c *Config) { c.HopSeconds = 0.03 }, "hop"},
		{"band", func(c *Config) { c.LFCC.FMax = 9000 }, "band"},
		{"ceps", func(c *Config) { c.NumCeps = 21 }, "cepstra"},
		{"pre-emphasis", func(c *Config) { c.LFCC.PreEmphasis = 1 }, "pre-emphasis"},
		{"filters", func(c *Config) { c.NumFilters, c.NumCeps = 1000, 20 }, "covers no FFT bin"},
	} {
		c := DefaultConfig(LFCC)
		p := *c.LFCC
		c.LFCC = &p
		tc.mod(&c)
		if _, err := New(c); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want error containing %q", tc.name, err, tc.want)
		}
	}
}

func BenchmarkLFCC(b *testing.B) {
	e, err := New(DefaultConfig(LFCC))
	if err != nil {
		b.Fatal(err)
	}
	x := noise(9, 3*16000, 0.3)
	var m Matrix
	benchAudio(b, 3, func() error { return e.Extract(&m, x) })
}
