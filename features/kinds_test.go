package features

import (
	"math"
	"strings"
	"testing"
)

func tone(freq float64, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(0.5 * math.Sin(2*math.Pi*freq*float64(i)/16000))
	}
	return x
}

func TestMFCCIsDCTOfLogFbank(t *testing.T) {
	x := tone(440, 8000)
	for i := range x {
		x[i] += float32(0.01 * math.Sin(float64(i*i)*1e-3)) // broadband chirp
	}
	fb, err := New(DefaultConfig(Fbank))
	if err != nil {
		t.Fatal(err)
	}
	for _, deltas := range []bool{false, true} {
		c := DefaultConfig(MFCC)
		c.Deltas = deltas
		mf, err := New(c)
		if err != nil {
			t.Fatal(err)
		}
		var F, M Matrix
		fb.Extract(&F, x)
		mf.Extract(&M, x)
		wantDim := 20
		if deltas {
			wantDim = 60
		}
		if M.Rows != F.Rows || M.Cols != wantDim || mf.Dim() != wantDim {
			t.Fatalf("mfcc %d×%d (Dim %d), fbank %d rows", M.Rows, M.Cols, mf.Dim(), F.Rows)
		}
		for r := 0; r < F.Rows; r++ {
			row := F.Row(r)
			for k := 0; k < 20; k++ {
				// Orthonormal DCT-II of ln(E) = ln(10)·log10(E), in float64.
				s := math.Sqrt(2.0 / 64)
				if k == 0 {
					s = math.Sqrt(1.0 / 64)
				}
				var want float64
				for n, v := range row {
					want += s * math.Ln10 * float64(v) * math.Cos(math.Pi*float64(k)*float64(2*n+1)/128)
				}
				if got := float64(M.Row(r)[k]); math.Abs(got-want) > 1e-4*math.Max(1, math.Abs(want)) {
					t.Fatalf("frame %d c%d = %v, want %v", r, k, got, want)
				}
			}
		}
	}
}

func TestSpecTonePeak(t *testing.T) {
	ex, err := New(DefaultConfig(Spec))
	if err != nil {
		t.Fatal(err)
	}
	if ex.Dim() != 257 {
		t.Fatalf("Dim = %d, want 257", ex.Dim())
	}
	var m Matrix
	ex.Extract(&m, tone(1000, 4000)) // 1 kHz = bin 1000/16000·512 = 32
	for r := 0; r < m.Rows-5; r++ {
		row := m.Row(r)
		best := 0
		for k := range row {
			if row[k] > row[best] {
				best = k
			}
		}
		if best != 32 {
			t.Fatalf("frame %d: peak at bin %d, want 32", r, best)
		}
	}
	// Silence gives log10(eps).
	ex.Extract(&m, make([]float32, 1000))
	if want := float32(math.Log10(0x1p-52)); m.Data[0] != want {
		t.Errorf("silence: %v, want %v", m.Data[0], want)
	}
}

func TestNewValidates(t *testing.T) {
	bad := func(f func(*Config)) Config {
		c := DefaultConfig(Fbank)
		f(&c)
		return c
	}
	for _, tc := range []struct {
		name string
		c    Config
		want string
	}{
		{"unknown kind", Config{Kind: "mel"}, "unknown feature kind"},
		{"rate", bad(func(c *Config) { c.SampleRate = 0 }), "sample rate"},
		{"window", bad(func(c *Config) { c.WindowSeconds = 0 }), "window"},
		{"hop", bad(func(c *Config) { c.HopSeconds = 0 }), "hop"},
		{"nfft short", bad(func(c *Config) { c.NFFT = 256 }), "NFFT 256"},
		{"nfft pow2", bad(func(c *Config) { c.NFFT = 1000 }), "power of two"},
		{"filters", bad(func(c *Config) { c.NumFilters = 0 }), "filter"},
		{"ceps", func() Config { c := DefaultConfig(MFCC); c.NumCeps = 65; return c }(), "cepstra"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.c)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
	for _, k := range []Kind{Fbank, MFCC, Spec} {
		if _, err := New(DefaultConfig(k)); err != nil {
			t.Errorf("%s: %v", k, err)
		}
	}
}

func TestExtractReusesBuffers(t *testing.T) {
	x := tone(700, 16000)
	for _, k := range []Kind{Fbank, MFCC, Spec} {
		c := DefaultConfig(k)
		if k == MFCC {
			c.Deltas = true
		}
		ex, err := New(c)
		if err != nil {
			t.Fatal(err)
		}
		var m Matrix
		ex.Extract(&m, x)
		if a := testing.AllocsPerRun(5, func() { ex.Extract(&m, x) }); a != 0 {
			t.Errorf("%s: Extract allocates %v times per call with a reused matrix", k, a)
		}
	}
}
