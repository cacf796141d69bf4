package features

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deep4deep/deep4deep/audio"
	"github.com/deep4deep/deep4deep/internal/testshared"
)

// readCmp reads a raw float32 little-endian file.
func readCmpFile(t testing.TB, path string) []float32 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b)%4 != 0 {
		t.Fatalf("%s: %d bytes is not a whole number of float32", path, len(b))
	}
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v
}

// TestFbankMatchesSeed asserts bit-for-bit equality with every reference
// file of the seed's make_fbanks.py: its copies in testdata/fbank, and the
// originals in ../shared/reference/fbank when present (required under
// DEEP4DEEP_REQUIRE_SHARED=1).
func TestFbankMatchesSeed(t *testing.T) { fbankMatchesSeed(t, defaultKernels) }

func fbankMatchesSeed(t *testing.T, ks *kernelSet) {
	dirs := []string{"testdata/fbank"}
	if testshared.Required() {
		dirs = append(dirs, testshared.Path(t, "reference/fbank"))
	} else if p, err := testshared.Lookup("reference/fbank"); err == nil {
		dirs = append(dirs, p)
	} else {
		t.Logf("only the testdata copies: %v", err)
	}
	ex, err := newExtractor(DefaultConfig(Fbank), ks)
	if err != nil {
		t.Fatal(err)
	}
	var m Matrix
	for _, dir := range dirs {
		wavs, _ := filepath.Glob(filepath.Join(dir, "*.wav"))
		if len(wavs) < 8 {
			t.Fatalf("found %d reference files in %s, want 8", len(wavs), dir)
		}
		for _, w := range wavs {
			name := strings.TrimSuffix(filepath.Base(w), ".wav")
			if dir != dirs[0] {
				name = "shared/" + name
			}
			t.Run(name, func(t *testing.T) {
				x, err := audio.Load(w, 16000)
				if err != nil {
					t.Fatal(err)
				}
				want := readCmpFile(t, strings.TrimSuffix(w, ".wav")+".cmp")
				if err := ex.Extract(&m, x); err != nil {
					t.Fatal(err)
				}
				if m.Cols != 64 || len(m.Data) != len(want) {
					t.Fatalf("got %d×%d, want %d values (frames × 64)", m.Rows, m.Cols, len(want))
				}
				if m.Rows != NumFrames(len(x), 400, 80) {
					t.Fatalf("%d frames for %d samples", m.Rows, len(x))
				}
				for i, v := range m.Data {
					// Exact float32 equality (the bits, so that −0 ≠ +0
					// and NaN would fail too).
					if math.Float32bits(v) != math.Float32bits(want[i]) {
						t.Fatalf("frame %d dim %d: %v, seed %v (diff %.3g)", i/64, i%64, v, want[i], v-want[i])
					}
				}
			})
		}
	}
}

func TestNumFrames(t *testing.T) {
	for _, tc := range []struct{ n, want int }{
		{0, 5}, {1, 5}, {320, 1}, {399, 1}, {400, 0}, {401, 1}, {480, 1}, {481, 2}, {16000, 195},
	} {
		if got := NumFrames(tc.n, 400, 80); got != tc.want {
			t.Errorf("NumFrames(%d) = %d, want %d", tc.n, got, tc.want)
		}
	}
}

func TestHamming(t *testing.T) {
	w := Hamming(5) // numpy.hamming(5)
	want := []float64{0.08, 0.54, 1, 0.54, 0.08}
	for i := range w {
		if math.Abs(w[i]-want[i]) > 1e-15 {
			t.Errorf("Hamming(5)[%d] = %v, want %v", i, w[i], want[i])
		}
	}
	if w := Hamming(1); w[0] != 1 {
		t.Errorf("Hamming(1) = %v", w)
	}
}

func TestMelFilterbankShape(t *testing.T) {
	fb := melFilterbank(64, 2048, 16000)
	if len(fb) != 64 {
		t.Fatalf("%d filters", len(fb))
	}
	// Dense reconstruction of the seed's loops, written independently.
	mhi := 2595 * math.Log10(1+8000.0/700)
	var bins [66]float64
	for j := range bins {
		hz := 700 * (math.Pow(10, float64(j)*mhi/65/2595) - 1)
		bins[j] = math.Floor(2049 * hz / 16000)
	}
	for m := 1; m <= 64; m++ {
		dense := make([]float64, 1025)
		for k := int(bins[m-1]); k < int(bins[m]); k++ {
			dense[k] = (float64(k) - bins[m-1]) / (bins[m] - bins[m-1])
		}
		for k := int(bins[m]); k < int(bins[m+1]); k++ {
			dense[k] = (bins[m+1] - float64(k)) / (bins[m+1] - bins[m])
		}
		f := fb[m-1]
		for k, v := range dense {
			var got float64
			if k >= f.start && k < f.start+len(f.w) {
				got = f.w[k-f.start]
			}
			if math.Abs(got-v) > 1e-15 {
				t.Fatalf("filter %d bin %d: %v, want %v", m, k, got, v)
			}
		}
		for _, w := range f.w {
			if w == 0 {
				t.Errorf("filter %d stores a zero weight", m)
			}
		}
	}
}

func BenchmarkFbank(b *testing.B) { benchFbank(b, defaultKernels) }

func benchFbank(b *testing.B, ks *kernelSet) {
	wavs, _ := filepath.Glob("testdata/fbank/*.wav")
	var sigs [][]float32
	var secs float64
	for _, w := range wavs {
		x, err := audio.Load(w, 16000)
		if err != nil {
			b.Fatal(err)
		}
		sigs = append(sigs, x)
		secs += float64(len(x)) / 16000
	}
	ex, err := newExtractor(DefaultConfig(Fbank), ks)
	if err != nil {
		b.Fatal(err)
	}
	var m Matrix
	cpu0 := processCPU()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, x := range sigs {
			ex.Extract(&m, x)
		}
	}
	b.StopTimer()
	b.ReportMetric(secs*float64(b.N)/b.Elapsed().Seconds(), "audio-s/s")
	// On a shared machine wall time includes waiting for a core; the CPU
	// time of the process is the comparable cost (time_ref_fbank.py prints
	// both as well).
	if cpu := processCPU() - cpu0; cpu > 0 {
		b.ReportMetric(secs*float64(b.N)/cpu, "audio-s/cpu-s")
	}
}

// TestFbankParametersMatchSeed checks non-default window, hop, NFFT and
// filter counts against the seed's algorithm (testdata/fbank_params/make.py).
func TestFbankParametersMatchSeed(t *testing.T) { fbankParametersMatchSeed(t, defaultKernels) }

func fbankParametersMatchSeed(t *testing.T, ks *kernelSet) {
	x, err := audio.Load("testdata/fbank/chirp_noise_3s.wav", 16000)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name          string
		filters, nfft int
		window, hop   float64
	}{
		{"f40_n512_w20_h10", 40, 512, 0.020, 0.010},
		{"f80_n4096_w25_h5", 80, 4096, 0.025, 0.005},
		{"f24_n1024_w32_h8", 24, 1024, 0.032, 0.008},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig(Fbank)
			c.NumFilters, c.NFFT, c.WindowSeconds, c.HopSeconds = tc.filters, tc.nfft, tc.window, tc.hop
			ex, err := newExtractor(c, ks)
			if err != nil {
				t.Fatal(err)
			}
			var m Matrix
			ex.Extract(&m, x)
			want := readCmpFile(t, "testdata/fbank_params/"+tc.name+".cmp")
			if m.Cols != tc.filters || len(m.Data) != len(want) {
				t.Fatalf("got %d×%d, want %d values", m.Rows, m.Cols, len(want))
			}
			for i, v := range m.Data {
				if d := math.Abs(float64(v - want[i])); d > 1e-4 {
					t.Fatalf("frame %d dim %d: %v, seed %v", i/m.Cols, i%m.Cols, v, want[i])
				}
			}
		})
	}
}
