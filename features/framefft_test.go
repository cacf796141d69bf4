package features

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestFrameFFTMatchesReference compares frameFFT's power spectra with a
// plain real FFT (algo-fft) for several sizes and frame lengths.
func TestFrameFFTMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct{ n, flen int }{{2048, 400}, {512, 400}, {2048, 2048}, {1024, 33}, {64, 7}, {16, 16}, {2048, 1}, {256, 256}, {64, 64}, {4096, 400}} {
		f, err := newFrameFFT(tc.n, tc.flen)
		if err != nil {
			t.Fatal(err)
		}
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

// TestGoKernels reruns the transform and the seed comparison with the
// portable Go kernels, which other architectures use.
func TestGoKernels(t *testing.T) {
	if !useAVX2 {
		t.Skip("the Go kernels are the default here")
	}
	useAVX2 = false
	defer func() { useAVX2 = true }()
	TestFrameFFTMatchesReference(t)
	TestFbankMatchesSeed(t)
	TestFbankParametersMatchSeed(t)
}
