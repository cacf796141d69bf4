package features

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestFrameFFTMatchesReference compares frameFFT's power spectra with a
// plain real FFT (algo-fft) for several sizes and frame lengths.
func TestFrameFFTMatchesReference(t *testing.T) { frameFFTMatchesReference(t, defaultKernels) }

func frameFFTMatchesReference(t *testing.T, ks *kernelSet) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct{ n, flen int }{{2048, 400}, {512, 400}, {2048, 2048}, {1024, 33}, {64, 7}, {16, 16}, {2048, 1}, {256, 256}, {64, 64}, {4096, 400}} {
		f, err := newFrameFFT(tc.n, tc.flen)
		if err != nil {
			t.Fatal(err)
		}
		f.ks = ks
		ref, _ := newRealFFT(tc.n)
		x := make([]float64, f.inputLen())
		frames := make([][]float64, lanes)
		for l := range frames {
			frames[l] = make([]float64, tc.n)
			for i := 0; i < tc.flen; i++ {
				v := r.NormFloat64()
				frames[l][i] = v
				x[i*lanes+l] = v
			}
		}
		pw := make([]float64, (tc.n/2+1)*lanes)
		f.power(pw, x)
		X := make([]complex128, tc.n/2+1)
		p := make([]float64, tc.n/2+1)
		for l := range frames {
			ref.forward(X, frames[l])
			powerSpectrum(p, X, tc.n)
			for k := range p {
				if d := math.Abs(pw[k*lanes+l] - p[k]); d > 1e-12*(1+p[k]) {
					t.Fatalf("N=%d L=%d (P=%d) lane %d bin %d: %v, want %v", tc.n, tc.flen, f.p, l, k, pw[k*lanes+l], p[k])
				}
			}
		}
	}
}

// BenchmarkFrameFFT compares, per frame, the batched pruned transform with
// algo-fft's real FFT for the fbank's 400-sample frames and NFFT 2048.
func BenchmarkFrameFFT(b *testing.B) {
	x400 := make([]float64, 2048)
	for i := 0; i < 400; i++ {
		x400[i] = math.Sin(float64(i))
	}
	b.Run("batched", func(b *testing.B) {
		f, _ := newFrameFFT(2048, 400)
		x := make([]float64, f.inputLen())
		for i := 0; i < 400; i++ {
			for l := 0; l < lanes; l++ {
				x[i*lanes+l] = x400[i]
			}
		}
		pw := make([]float64, 1025*lanes)
		for i := 0; i < b.N; i += lanes {
			f.power(pw, x)
		}
	})
	b.Run("algofft", func(b *testing.B) {
		f, _ := newRealFFT(2048)
		X := make([]complex128, 1025)
		p := make([]float64, 1025)
		for i := 0; i < b.N; i++ {
			f.forward(X, x400)
			powerSpectrum(p, X, 2048)
		}
	})
}

// TestFbankBatchedMatchesSingleFrame compares the batched fbank (frameFFT,
// lane filters) with the single-frame path (algo-fft, filterbank.apply) on
// signals with a wide dynamic range, where rounding in the batched
// unpacking could show (see unpack: 5.4e-7 relative at worst, found by a
// sweep of pure tones, from a tone at 7.84 kHz to the lowest filter):
// loud pure tones (exact, and quantised to 16 bits,
// which sets the noise floor of real recordings), and a click in silence.
func TestFbankBatchedMatchesSingleFrame(t *testing.T) {
	const rate, n = 16000, 16000
	tone := func(hz, amp float64, quant bool) []float32 {
		x := make([]float32, n)
		for i := range x {
			v := amp * math.Sin(2*math.Pi*hz*float64(i)/rate)
			if quant {
				v = math.Round(v*32767) / 32767
			}
			x[i] = float32(v)
		}
		return x
	}
	dc := make([]float32, n)
	for i := range dc {
		dc[i] = 0.99
	}
	click := make([]float32, n)
	click[5000] = 1
	r := rand.New(rand.NewPCG(5, 6))
	twoTone := tone(440, 0.5, false)
	for i := range twoTone {
		twoTone[i] += float32(0.5*math.Sin(2*math.Pi*7000*float64(i)/rate) + 1e-6*r.NormFloat64())
	}
	cases := []struct {
		name string
		x    []float32
	}{
		{"DC", dc},
		{"tone 30 Hz", tone(30, 0.99, false)},
		{"tone 100 Hz", tone(100, 0.99, false)},
		{"tone 7.84 kHz", tone(7839.9, 0.99, false)},
		{"tone 1 kHz", tone(1000, 0.99, false)},
		{"tone 3.9 kHz", tone(3900, 0.99, false)},
		{"tone 1 kHz 16-bit", tone(1000, 0.99, true)},
		{"tone 250 Hz 16-bit", tone(250, 0.99, true)},
		{"two tones and -120 dB noise", twoTone},
		{"click", click},
	}
	f, err := newFbank(DefaultConfig(Fbank))
	if err != nil {
		t.Fatal(err)
	}
	e := make([]float64, len(f.fb))
	for _, c := range cases {
		// Filter energies in float64: the float32 log10 output would hide
		// differences under 1e-7.
		var worst float64
		n := f.numFrames(len(c.x))
		for t0 := 0; t0 < n; t0 += lanes {
			nb := min(lanes, n-t0)
			f.powerBatch(c.x, t0, nb)
			f.ffft.ks.filter(f.lf, f.energy, f.pw)
			for l := 0; l < nb; l++ {
				f.powerFrame(c.x, t0+l)
				f.fb.apply(e, f.power)
				for i, v := range e {
					d := math.Abs(f.energy[i*lanes+l] - v)
					if v != 0 {
						d /= v
					}
					worst = max(worst, d)
				}
			}
		}
		t.Logf("%s: worst relative error of the filter energies %.3g", c.name, worst)
		if worst > 1e-6 {
			t.Errorf("%s: batched filter energies are %.3g (relative) from the single-frame ones, want ≤ 1e-6", c.name, worst)
		}
	}
}
